import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/scoring';
import { recordIntervention } from '../../adoption/interventions';
import { importUsageFile } from '../../adoption/ingest/usage';
import { signLink } from '../../channels/signed-links';
import { FixtureFiles, customer, type UsageLine } from '../support/detection-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ARTIFACTS, axeViolations, horizontalOverflow, launchChromium } from '../support/browser';

/**
 * Every page the server renders, in a real browser, checked by axe-core (Deque's rules, not ours) at a desktop width
 * and at 390 px (a phone): no serious or critical violation, and nothing wider than the screen. A screenshot of each
 * page at 390 px goes to test/artifacts/ (git-ignored) for a person to look at.
 */
const T0 = '2026-01-05';
const TODAY = addDays(T0, 60);
const LINKS = { secret: 'accessibility-link-secret-0123', baseUrl: 'http://booking.invalid' };

let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let browser: Browser | undefined;
const files = new FixtureFiles();
const pages: Array<{ name: string; path: string; status: number }> = [];

const use = (customerId: string, featureId: string, day: string, who: number): UsageLine[] =>
  Array.from({ length: who }, (_, u) => ({ customerId, featureId, event: 'used' as const, occurredAt: `${day}T11:00:00Z`, userId: `u${u + 1}` }));

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await files.catalog(db);
  const csm = { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U1' };
  const customers = Array.from({ length: 4 }, (_, i) => customer({ name: `Customer ${i + 1} with a rather long name`, seats: 10, csm }));
  await files.customers(db, customers);
  const events: UsageLine[] = [];
  customers.forEach((c, i) => {
    for (const featureId of ['analytics', 'automation', 'reports']) {
      events.push({ customerId: c.id, featureId, event: 'activated', occurredAt: `${addDays(T0, -20 - i)}T09:00:00Z`, userId: 'admin' });
      events.push(...use(c.id, featureId, addDays(T0, -4), 1));
      if (i % 2 === 0) for (let d = 3; d <= 40; d += 1) events.push(...use(c.id, featureId, addDays(T0, d), featureId === 'analytics' ? 5 : 2));
    }
  });
  expect((await importUsageFile(db, files.ndjson(events), { now: () => new Date(`${TODAY}T00:00:00Z`) })).issues).toEqual([]);
  for (const day of [T0, addDays(T0, 14), addDays(T0, 28), addDays(T0, 42), addDays(T0, 56)]) await runDetection(db, { asOf: day });
  const adoption = await db.query<{ id: string }>(`SELECT id FROM feature_adoption WHERE customer_id = $1 ORDER BY feature_id LIMIT 1`, [
    customers[1].id,
  ]);
  await recordIntervention(db, {
    featureAdoptionId: adoption.rows[0].id,
    interventionType: 'call',
    details: 'walkthrough call',
    resourcesShared: [],
    at: new Date(`${addDays(T0, 50)}T10:00:00Z`),
    performedBy: csm.name,
  });
  const now = new Date(`${TODAY}T12:00:00Z`);
  app = buildApiServer({ db, now: () => now, links: LINKS });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  const token = await signLink(
    LINKS.secret,
    { purpose: 'book-training', customerId: customers[1].id, workflowId: null },
    { now, validForSeconds: 86_400 },
  );
  pages.push(
    { name: 'index', path: '/', status: 200 },
    { name: 'adoption', path: `/customers/${customers[1].id}/adoption`, status: 200 },
    { name: 'adoption-healthy', path: `/customers/${customers[0].id}/adoption`, status: 200 },
    { name: 'workspace', path: '/workspace', status: 200 },
    { name: 'workspace-customer', path: `/workspace/customers/${customers[1].id}`, status: 200 },
    { name: 'reports', path: `/reports?from=${T0}&to=${addDays(T0, 45)}`, status: 200 },
    { name: 'booking', path: `/book/${token}`, status: 200 },
    { name: 'booking-problem', path: `/book/${token.slice(0, -3)}AAA`, status: 403 },
    { name: 'resource-link-problem', path: '/r/not.a.token', status: 403 },
    { name: 'error-page', path: '/customers/00000000-0000-4000-8000-000000000000/adoption', status: 404 },
  );
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.dispose();
  files.dispose();
});

async function check(context: BrowserContext, width: number) {
  const found: string[] = [];
  for (const page of pages) {
    const tab = await context.newPage();
    const response = await tab.goto(`${base}${page.path}`);
    if (response?.status() !== page.status) found.push(`${page.name}: status ${response?.status()}, expected ${page.status}`);
    for (const violation of await axeViolations(tab)) {
      if (violation.impact === 'serious' || violation.impact === 'critical' || ['region', 'landmark-one-main'].includes(violation.id)) {
        found.push(
          `${page.name} at ${width}px: ${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join('; ')}`,
        );
      }
    }
    const overflow = await horizontalOverflow(tab);
    if (overflow) found.push(`${page.name} at ${width}px: scrollWidth ${overflow.scrollWidth} > clientWidth ${overflow.clientWidth}`);
    if (width === 390) await tab.screenshot({ path: path.join(ARTIFACTS, `page-${page.name}-390.png`), fullPage: true });
    await tab.close();
  }
  return found;
}

it('finds no serious or critical axe-core violation and no horizontal overflow on any page, at 1280 and 390 px', async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // The pages carry no script; axe-core is injected by the test (bypassing the pages' Content-Security-Policy).
  const found: string[] = [];
  for (const width of [1280, 390]) {
    const context = await browser!.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
    try {
      found.push(...(await check(context, width)));
    } finally {
      await context.close();
    }
  }
  expect(found).toEqual([]);
}, 180_000);

it('serves the favicon inline: no page requests /favicon.ico or gets a 404', async () => {
  const context = await browser!.newContext();
  const failed: string[] = [];
  context.on('response', (response) => {
    if (response.status() >= 400 && !pages.some((page) => response.url() === `${base}${page.path}`))
      failed.push(`${response.status()} ${response.url()}`);
  });
  try {
    for (const page of pages) {
      const tab = await context.newPage();
      await tab.goto(`${base}${page.path}`);
      expect(await tab.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
      await tab.close();
    }
  } finally {
    await context.close();
  }
  expect(failed).toEqual([]);
});
