import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { runDetection } from '../../adoption/detection';
import { addDays } from '../../adoption/scoring';
import { issueCsrfToken } from '../../web/csrf';
import { parseApiKeys, principalOf } from '../../web/api-keys';
import { openDetectionWorld, closeDetectionWorld, activated, customer, type DetectionWorld } from '../support/detection-fixtures';

/**
 * `PUT /api/customers/:customerId/features/:featureId/not-needed` on real Postgres with API keys: the mark is audited
 * (who, when, why), detection stops flagging the feature and flags it again after the way back, and hostile input
 * (NUL, a huge reason, unknown fields, a forged anti-forgery token, a key without the scope) changes nothing.
 * Telling a running run is covered on the dev server by test/browser/workspace.test.ts.
 */
const AS_OF = '2026-03-31';
const WRITER = 'ops-writer-key-0123456789';
const READER = 'ops-reader-key-0123456789';
const KEYS = `ops:read+write:${WRITER},viewer:read:${READER}`;

let world: DetectionWorld;
let app: FastifyInstance;
let base: string;
const acme = customer({ name: 'Acme Analytics' });

beforeAll(async () => {
  world = await openDetectionWorld();
  await world.files.customers(world.db, [acme]);
  await world.files.usage(world.db, [activated(acme.id, 'analytics', AS_OF, 20)]);
  app = buildApiServer({ db: world.db, apiKeys: KEYS, now: () => new Date(`${AS_OF}T15:00:00Z`) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  if (world) await closeDetectionWorld(world);
});

const path = (customerId = acme.id, featureId = 'analytics') =>
  `/api/customers/${encodeURIComponent(customerId)}/features/${encodeURIComponent(featureId)}/not-needed`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever the route answers
type Body = any;

async function call(
  method: string,
  url: string,
  body?: unknown,
  key = WRITER,
  contentType = 'application/json',
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

async function markRows(): Promise<number> {
  const { rows } = await world.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM not_needed_marks`);
  return rows[0].n;
}

async function flagged(asOf: string): Promise<string[]> {
  const report = await runDetection(world.db, { asOf });
  lastSuppressed = report.suppressed.filter((entry) => entry.customerId === acme.id).map((entry) => `${entry.featureId}: ${entry.reason}`);
  return report.signals.filter((signal) => signal.customerId === acme.id).flatMap((signal) => signal.features.map((feature) => feature.featureId));
}
let lastSuppressed: string[] = [];

describe('not needed', () => {
  it('detection flags the feature before it is marked', async () => {
    expect(await flagged(AS_OF)).toEqual(['analytics']);
  });

  it('refuses hostile and malformed input with the field named, storing nothing', async () => {
    const cases: Array<[string, unknown, number, string | RegExp]> = [
      ['NUL in the reason', { reason: 'bad\u0000reason' }, 400, /body\/reason/],
      ['a reason over 2,000 characters', { reason: 'x'.repeat(2_001) }, 400, 'body/reason must be at most 2000 characters'],
      ['a 1 MB reason', { reason: 'y'.repeat(1_000_000) }, 400, /body\/reason/],
      ['no reason when marking', {}, 400, 'body/reason is required when marking a feature not needed'],
      ['a blank reason', { reason: '   ' }, 400, 'body/reason is required when marking a feature not needed'],
      ['an unknown field', { reason: 'ok', colour: 'red' }, 400, 'body/colour is not allowed'],
      ['notNeeded not a boolean', { reason: 'ok', notNeeded: 'yes' }, 400, 'body/notNeeded must be a boolean'],
      ['JSON nested deep', { reason: 'ok', by: JSON.parse('['.repeat(40) + ']'.repeat(40)) }, 400, /body\/by/],
    ];
    for (const [what, body, status, message] of cases) {
      const answer = await call('PUT', path(), body);
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect(answer.body.error).toMatch(message);
    }
    expect((await call('PUT', path(acme.id, 'ana\u0000lytics'), { reason: 'x' })).status).toBe(400);
    expect((await call('PUT', path('not-a-uuid'), { reason: 'x' })).body).toMatchObject({ field: 'params/customerId' });
    expect((await call('PUT', path('7f1f2b9e-6a5e-4c7c-9d0e-6f0e9b1c2d3a'), { reason: 'x' })).status).toBe(404);
    expect((await call('PUT', path(acme.id, 'no_such_feature'), { reason: 'x' })).body.error).toMatch(/neither in the catalog nor tracked/);
    // Credentials: none, a key without the write scope, a form body on a JSON route.
    expect((await fetch(`${base}${path()}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"reason":"x"}' })).status).toBe(
      401,
    );
    const reader = await call('PUT', path(), { reason: 'x' }, READER);
    expect(reader.status).toBe(403);
    expect(reader.body.error).toMatch(/write scope/);
    expect((await call('PUT', path(), 'reason=x', WRITER, 'application/x-www-form-urlencoded')).status).toBe(415);
    expect(await markRows()).toBe(0);
    const state = await world.db.query(`SELECT not_needed FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'analytics'`, [acme.id]);
    expect(state.rows).toEqual([{ not_needed: false }]);
  });

  it("the page form needs the page's anti-forgery token: a forged, missing or another key's token changes nothing", async () => {
    const formPath = `/customers/${acme.id}/features/analytics/not-needed`;
    const post = (form: Record<string, string>) =>
      fetch(`${base}${formPath}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization: `Basic ${Buffer.from(`dana:${WRITER}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    const now = new Date(`${AS_OF}T15:00:00Z`);
    const [writerKey, readerKey] = parseApiKeys(KEYS);
    const good = issueCsrfToken(principalOf(writerKey), now);
    const forged = `${good.split('.')[0]}.${'A'.repeat(43)}`;
    const othersToken = issueCsrfToken(principalOf(readerKey), now);
    for (const token of [forged, othersToken, 'not-a-token']) {
      const answer = await post({ _csrf: token, notNeeded: 'true', reason: 'forged' });
      expect(answer.status).toBe(403);
      expect(await answer.text()).toMatch(/anti-forgery token/);
    }
    expect((await post({ notNeeded: 'true', reason: 'no token' })).status).toBe(403);
    expect(await markRows()).toBe(0);
    // The genuine token works and goes back to the adoption page.
    const answer = await post({ _csrf: good, notNeeded: 'true', reason: 'reports live in their BI tool' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/customers/${acme.id}/adoption`);
    // And the way back, so the next test starts from a needed feature.
    expect((await post({ _csrf: good, notNeeded: 'false' })).status).toBe(303);
    expect(await markRows()).toBe(2);
  });

  it('marks the feature not needed with an audit row, and detection no longer flags it; the way back flags it again', async () => {
    const marked = await call('PUT', path(), { reason: 'They use their own BI tool', by: 'Dana Reyes' });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({
      customerId: acme.id,
      featureId: 'analytics',
      notNeeded: true,
      reason: 'They use their own BI tool',
      changed: true,
      runsTold: [],
    });
    const history = await call('GET', path());
    expect(history.status).toBe(200);
    expect(history.body.notNeeded).toBe(true);
    expect(history.body.history[0]).toMatchObject({
      notNeeded: true,
      reason: 'They use their own BI tool',
      markedBy: 'Dana Reyes (API key ops)',
      source: 'api',
      markedAt: `${AS_OF}T15:00:00.000Z`,
    });
    expect(history.body.history.map((entry: { source: string; notNeeded: boolean }) => [entry.source, entry.notNeeded])).toEqual([
      ['api', true],
      ['page', false],
      ['page', true],
    ]);
    // The reader may look.
    expect((await call('GET', path(), undefined, READER)).status).toBe(200);

    expect(await flagged(addDays(AS_OF, 1))).toEqual([]);
    expect(lastSuppressed).toEqual(['analytics: not_needed']);
    const stall = await world.db.query(`SELECT closed_reason FROM feature_stalls WHERE customer_id = $1`, [acme.id]);
    expect(stall.rows).toEqual([{ closed_reason: 'not_needed' }]);

    // A customers file whose list no longer names the feature takes back only what a file marked, not a person's mark.
    await world.files.customers(world.db, [{ ...acme, notNeeded: [] }]);
    expect((await call('GET', path())).body).toMatchObject({ notNeeded: true, reason: 'They use their own BI tool' });

    const back = await call('PUT', path(), { notNeeded: false });
    expect(back.body).toMatchObject({ notNeeded: false, reason: null, changed: true });
    // Flagged again once the recent-signal cooldown of the first alert is over (still never used).
    expect(await flagged(addDays(AS_OF, 40))).toEqual(['analytics']);
  });
});

describe('the adoption page', () => {
  it('after detection, shows the holdout badge on a feature whose stall was held out, and not on others', async () => {
    const page = async () => {
      const response = await fetch(`${base}/customers/${acme.id}/adoption`, {
        headers: { authorization: `Basic ${Buffer.from(`dana:${READER}`).toString('base64')}` },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    expect(await page()).not.toContain('class="badge badge-holdout"');
    await world.db.query(
      `INSERT INTO holdout_assignments (customer_id, feature_id, month, arm, holdout_percent, stalled_on) VALUES ($1, 'analytics', '2026-03', 'holdout', 10, $2)`,
      [acme.id, AS_OF],
    );
    expect(await page()).toMatch(/<article[^>]*data-feature-id="analytics"[\s\S]*class="badge badge-holdout"[\s\S]*<\/article>/);
    await world.db.query(`DELETE FROM holdout_assignments WHERE customer_id = $1`, [acme.id]);
  });
});
