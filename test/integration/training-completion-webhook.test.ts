import type { FastifyInstance } from 'fastify';
import { signWebhook } from '../../channels/webhook-signature';
import { buildApiServer } from '../../web/server';
import { seedCustomer } from '../support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * FR-3.4 completions from a training platform, signed like our own webhooks: a good one is recorded once however often
 * it is delivered; a forged, unsigned, stale or malformed one gets 401/400 and stores nothing.
 */
const SECRET = 'training-platform-shared-secret';
const NOW = new Date('2026-11-30T12:00:00Z');
let test: TestDatabase;
let app: FastifyInstance;
let base: string;
let customerId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  customerId = await seedCustomer(test.db);
  app = buildApiServer({ db: test.db, now: () => NOW, trainingWebhookSecret: SECRET });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await test?.dispose();
});

const completion = () => ({
  customerId,
  featureId: 'advanced_analytics',
  resourceUrl: 'https://training.example.com/analytics',
  completedAt: '2026-11-30T11:30:00Z',
  userId: 'priya',
});

async function deliver(body: string, headers: Record<string, string>, type = 'application/json') {
  const response = await fetch(`${base}/webhooks/training-completion`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const completions = async () =>
  (await test.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM resource_engagement WHERE event = 'completion'`)).rows[0].n;

it('records a signed completion once, however often it is delivered', async () => {
  const body = JSON.stringify(completion());
  expect(await deliver(body, signWebhook(SECRET, body, NOW))).toEqual({ status: 201, body: { recorded: true } });
  expect(await deliver(body, signWebhook(SECRET, body, new Date(NOW.getTime() + 60_000)))).toEqual({ status: 200, body: { recorded: false } });
  const rows = await test.db.query(`SELECT feature_id, resource_url, user_id, occurred_at FROM resource_engagement WHERE event = 'completion'`);
  expect(rows.rows).toEqual([
    {
      feature_id: 'advanced_analytics',
      resource_url: 'https://training.example.com/analytics',
      user_id: 'priya',
      occurred_at: new Date('2026-11-30T11:30:00Z'),
    },
  ]);
});

it('refuses forged, unsigned, stale and tampered requests with 401 and stores nothing', async () => {
  const before = await completions();
  const body = JSON.stringify({ ...completion(), userId: 'mallory' });
  const forged = signWebhook('not-the-shared-secret', body, NOW);
  const stale = signWebhook(SECRET, body, new Date(NOW.getTime() - 10 * 60_000));
  const signedOther = signWebhook(SECRET, JSON.stringify(completion()), NOW);
  for (const headers of [forged, {}, stale, signedOther, { ...signedOther, 'x-adoption-timestamp': 'soon' }]) {
    const answer = await deliver(body, headers);
    expect(answer.status).toBe(401);
    expect(String(answer.body.error)).toMatch(/^invalid webhook request: /);
  }
  expect(await completions()).toBe(before);
});

it('refuses a signed but malformed completion with 400 naming the field, and a form body with 415', async () => {
  const before = await completions();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...completion(), completedAt: '2026-02-30T10:00:00Z' }, 'body/completedAt'],
    [{ ...completion(), featureId: 'bad\u0000id' }, 'body/featureId'],
    [{ ...completion(), extra: 'x' }, 'body/extra'],
    [{ ...completion(), resourceUrl: 'javascript:alert(1)' }, 'body/resourceUrl'],
    [{ ...completion(), customerId: 'not-a-uuid' }, 'body/customerId'],
  ];
  for (const [payload, field] of cases) {
    const body = JSON.stringify(payload);
    const answer = await deliver(body, signWebhook(SECRET, body, NOW));
    expect([field, answer.status, answer.body.field]).toEqual([field, 400, field]);
  }
  const form = 'customerId=x';
  expect((await deliver(form, signWebhook(SECRET, form, NOW), 'application/x-www-form-urlencoded')).status).toBe(415);
  expect(await completions()).toBe(before);
});
