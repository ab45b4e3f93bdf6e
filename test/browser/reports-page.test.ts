import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/scoring';
import { assignHoldout, setHoldoutPercent } from '../../adoption/holdout';
import { measureIntervention, recordIntervention } from '../../adoption/interventions';
import { importUsageFile } from '../../adoption/ingest/usage';
import { FixtureFiles, customer, type UsageLine } from '../support/detection-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ARTIFACTS, launchChromium } from '../support/browser';

/**
 * The reports page in a real browser (Debian's chromium through playwright-core, no script on the page): it opens,
 * shows every section with its SVG chart, and a screenshot goes to test/artifacts/ (git-ignored) for a person to look at.
 */
const T0 = '2026-01-05';
const TODAY = addDays(T0, 60);

let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let browser: Browser | undefined;
const files = new FixtureFiles();

const use = (customerId: string, featureId: string, day: string, who: number): UsageLine[] =>
  Array.from({ length: who }, (_, u) => ({ customerId, featureId, event: 'used' as const, occurredAt: `${day}T11:00:00Z`, userId: `u${u + 1}` }));

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await files.catalog(db);
  const people = [
    { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U1' },
    { name: 'Lee Park', email: 'lee@vendor.example', slackUserId: 'U2' },
  ];
  const customers = Array.from({ length: 12 }, (_, i) =>
    customer({ name: `Customer ${i + 1}`, seats: 10, segment: i % 3 === 0 ? 'enterprise' : i % 2 ? 'mid_market' : 'smb', csm: people[i % 2] }),
  );
  await files.customers(db, customers);
  const events: UsageLine[] = [];
  customers.forEach((c, i) => {
    for (const featureId of ['analytics', i % 2 ? 'automation' : 'reports']) {
      events.push({ customerId: c.id, featureId, event: 'activated', occurredAt: `${addDays(T0, -20 - i)}T09:00:00Z`, userId: 'admin' });
      events.push(...use(c.id, featureId, addDays(T0, -4), 1));
      if (i % 3 !== 1) for (let d = 3; d <= 40; d += 1) events.push(...use(c.id, featureId, addDays(T0, d), featureId === 'analytics' ? 5 : 2));
    }
  });
  expect((await importUsageFile(db, files.ndjson(events), { now: () => new Date(`${TODAY}T00:00:00Z`) })).issues).toEqual([]);
  await setHoldoutPercent(db, 20);
  const report = await runDetection(db, { asOf: T0 });
  for (const signal of report.signals) {
    await assignHoldout(
      db,
      { id: signal.signalId, customerId: signal.customerId, asOf: T0 },
      signal.features.map((f) => ({ featureId: f.featureId, rule: f.rule, usageScore: f.usageScore })),
      20,
    );
  }
  const adoption = await db.query<{ id: string; customer_id: string; feature_id: string }>(
    `SELECT id, customer_id, feature_id FROM feature_adoption`,
  );
  let n = 0;
  for (const row of adoption.rows) {
    const held = await db.query(`SELECT 1 FROM holdout_assignments WHERE customer_id = $1 AND feature_id = $2 AND arm = 'holdout'`, [
      row.customer_id,
      row.feature_id,
    ]);
    if (held.rowCount) continue;
    n += 1;
    const recorded = await recordIntervention(db, {
      featureAdoptionId: row.id,
      interventionType: (['call', 'training', 'resource_share', 'email'] as const)[n % 4],
      details: 'outreach',
      resourcesShared: [n % 2 ? 'https://training.example.com/analytics' : 'https://docs.example.com/automation'],
      at: new Date(`${addDays(T0, 1)}T10:00:00Z`),
      performedBy: customers.find((c) => c.id === row.customer_id)!.csm.name,
    });
    for (const days of [14, 30])
      await measureIntervention(db, {
        interventionId: recorded!.intervention.id,
        checkpointDays: days,
        asOf: addDays(T0, 1 + days),
        now: new Date(),
      });
  }
  for (const day of [addDays(T0, 14), addDays(T0, 28), addDays(T0, 42)]) await runDetection(db, { asOf: day });
  app = buildApiServer({ db, now: () => new Date(`${TODAY}T12:00:00Z`) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.dispose();
  files.dispose();
});

it('opens the reports page: every section with a server-rendered chart, no script, and saves a screenshot', async () => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const response = await page.goto(`${base}/reports?from=${T0}&to=${addDays(T0, 45)}`);
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe('Adoption impact reports');
  for (const id of ['success-metrics', 'stalls', 'lift', 'outcomes-by-type', 'outcomes-by-csm', 'resources', 'median-days']) {
    expect(await page.locator(`section#${id} svg.chart`).count()).toBeGreaterThan(0);
  }
  expect(await page.locator('script').count()).toBe(0);
  // Training engagement has no data yet: it says so instead of drawing 0.
  expect(await page.locator('tr[data-metric="trainingEngagement"]').innerText()).toContain('no data');
  expect(await page.locator('section#stalls').innerText()).toContain('Advanced Analytics Dashboard');
  expect(await page.locator('section#lift').innerText()).toContain('holdout');
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'reports-page.png'), fullPage: true });
  expect(fs.statSync(path.join(ARTIFACTS, 'reports-page.png')).size).toBeGreaterThan(10_000);
});
