import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { recordIntervention } from '../../adoption/interventions';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer, seedStalledSignal } from '../support/seed';

/**
 * The adoption page's card says which day each count starts from (the alert's "Day N" counts from activation, "days in
 * current stage" from the stage's start), and an email intervention still waiting in the outbox reads as queued, not
 * as done. Over HTTP with fetch on real Postgres.
 */
const NOW = new Date('2026-03-01T12:00:00.000Z');
let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let customerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await seedCatalog(db);
  customerId = await seedCustomer(db, { name: 'Card Co' });
  await seedStalledSignal(db, ['advanced_analytics', 'custom_reports'], customerId);
  await db.query(
    `UPDATE feature_adoption SET activated_at = '2026-01-16T09:00:00Z', stage = 'started', stage_changed_at = '2026-02-03T09:00:00Z'
      WHERE customer_id = $1`,
    [customerId],
  );
  const features = await db.query<{ id: string; feature_id: string }>(`SELECT id, feature_id FROM feature_adoption WHERE customer_id = $1`, [
    customerId,
  ]);
  for (const feature of features.rows) {
    const recorded = await recordIntervention(db, {
      featureAdoptionId: feature.id,
      interventionType: 'email',
      details: 'enablement email',
      resourcesShared: [],
      at: new Date('2026-02-27T10:00:00Z'),
    });
    // The email of custom_reports has not left the outbox yet (no SMTP); the other one was delivered.
    const delivery = feature.feature_id === 'custom_reports' ? 'queued' : 'delivered';
    await db.query(`UPDATE interventions SET delivery = $2 WHERE id = $1`, [recorded!.intervention.id, delivery]);
  }
  app = buildApiServer({ db, now: () => NOW });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

function card(page: string, featureId: string): string {
  const match = new RegExp(`<article[^>]*data-feature-id="${featureId}"[\\s\\S]*?</article>`).exec(page);
  expect(match).not.toBeNull();
  return match![0].replace(/\s+/g, ' ').replace(/> </g, '><');
}

it('names the day each count starts from, and says queued for an email still in the outbox', async () => {
  const page = await (await fetch(`${base}/customers/${customerId}/adoption`)).text();
  const analytics = card(page, 'advanced_analytics');
  // 2026-01-16 to 2026-03-01 is 44 days: the alert's "Day 44"; the stage began on 2026-02-03, 26 days ago.
  expect(analytics).toContain('<dt>Since activation</dt><dd>Day 44 (activated Jan 16, 2026)</dd>');
  expect(analytics).toContain('<dt>Days in current stage</dt><dd>26 days</dd>');
  expect(analytics).toContain('<dt>Started since</dt><dd>Feb 3, 2026</dd>');
  expect(analytics).toMatch(/<dt>Last intervention<\/dt><dd> ?email, Feb 27, 2026 ?<\/dd>/);
  expect(card(page, 'custom_reports')).toMatch(/<dt>Last intervention<\/dt><dd> ?email, queued in the outbox since Feb 27, 2026 ?<\/dd>/);
});
