import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { createCheckRecentInterventionsActivity } from '../../activities/check-recent-interventions';
import { usageScoreOf } from '../../adoption/scoring';
import { recordEngagement } from '../../adoption/engagement';
import type { Db } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer } from '../support/seed';

/**
 * The PRD 4.2 endpoints and the CSM adoption page, served on a real socket over a real Postgres: shapes, computed
 * fields, validation errors naming the field, 404s, and the rows written. (fastify's `inject` cannot load under jest
 * here: light-my-request needs cookie@2, which is ESM-only; so every request goes over HTTP with fetch.)
 */
const NOW = new Date('2026-03-01T12:00:00.000Z');
const CUSTOMER_NAME = `O'Brien <script>alert(1)</script> & Co`;

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;
let customerId: string;
const adoptionIds: Record<string, string> = {};

async function insertAdoption(db: Db, customer: string, row: Record<string, unknown>): Promise<string> {
  const columns = Object.keys(row);
  const result = await db.query<{ id: string }>(
    `INSERT INTO feature_adoption (customer_id, ${columns.join(', ')})
     VALUES ($1, ${columns.map((_, index) => `$${index + 2}`).join(', ')}) RETURNING id`,
    [customer, ...Object.values(row)],
  );
  return result.rows[0].id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedCatalog(db);
  await db.query(`UPDATE feature_catalog SET tips = $2 WHERE feature_id = $1`, ['advanced_analytics', 'Start from the "Accounts at risk" template']);
  customerId = await seedCustomer(db, { name: CUSTOMER_NAME });

  adoptionIds.advanced_analytics = await insertAdoption(db, customerId, {
    feature_id: 'advanced_analytics',
    feature_name: 'Advanced Analytics Dashboard',
    activated_at: '2026-01-10T08:00:00Z',
    last_used_at: '2026-02-10T09:00:00Z',
    usage_count: 6,
    usage_score: 15,
    stage: 'started',
    stage_changed_at: '2026-02-09T00:00:00Z',
    stall_detected_at: '2026-02-20T23:59:59.999Z',
    stall_rule: 'low_usage_14d',
  });
  adoptionIds.workflow_automation = await insertAdoption(db, customerId, {
    feature_id: 'workflow_automation',
    feature_name: 'Workflow Automation',
    activated_at: '2026-01-05T08:00:00Z',
    last_used_at: '2026-02-28T09:00:00Z',
    usage_count: 40,
    usage_score: 45,
    stage: 'engaged',
    stage_changed_at: '2026-02-25T00:00:00Z',
    stall_detected_at: '2026-02-01T23:59:59.999Z',
    recovered_at: '2026-02-25T23:59:59.999Z',
  });
  adoptionIds.custom_reports = await insertAdoption(db, customerId, {
    feature_id: 'custom_reports',
    feature_name: 'Custom Reports',
    activated_at: '2026-01-05T08:00:00Z',
    usage_score: 5,
    stage: 'started',
    stall_detected_at: '2026-02-15T23:59:59.999Z',
    not_needed: true,
  });
  adoptionIds.sso = await insertAdoption(db, customerId, {
    feature_id: 'sso',
    feature_name: 'Single Sign-On',
    activated_at: '2026-01-01T08:00:00Z',
    last_used_at: '2026-03-01T07:00:00Z',
    usage_count: 300,
    usage_score: 80,
    stage: 'adopted',
  });
  // No stage_changed_at for sso: the stage history says since when it is adopted (the latest entry of its stage).
  await db.query(
    `INSERT INTO feature_stage_history (customer_id, feature_id, entered_on, stage, previous_stage, usage_score)
     VALUES ($1, 'sso', '2026-01-20', 'engaged', 'started', 40), ($1, 'sso', '2026-02-15', 'adopted', 'engaged', 70)`,
    [customerId],
  );
  const snapshots: Array<[string, string, number]> = [
    ['advanced_analytics', '2025-08-01', 10], // older than 90 days: not in the trend
    ['advanced_analytics', '2026-02-27', 20],
    ['advanced_analytics', '2026-02-28', 17],
    ['advanced_analytics', '2026-03-01', 15],
    ['sso', '2026-02-27', 70],
    ['sso', '2026-02-28', 76],
    ['sso', '2026-03-01', 80],
    ['custom_reports', '2026-03-01', 5], // not needed: left out of the overall trend
  ];
  for (const [feature, asOf, score] of snapshots) {
    await db.query(`INSERT INTO adoption_snapshots (customer_id, feature_id, as_of, usage_score, stage) VALUES ($1, $2, $3, $4, 'started')`, [
      customerId,
      feature,
      asOf,
      score,
    ]);
  }
  app = buildApiServer({ db, now: () => NOW });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One HTTP request to a listening server: `payload` as JSON, or a form when the content-type says so. */
async function request(
  url: string,
  options: { method?: string; path: string; payload?: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (typeof options.payload === 'string') body = options.payload;
  else if (options.payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.payload);
  }
  const response = await fetch(`${url}${options.path}`, { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await response.text();
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text, json: () => JSON.parse(text) };
}
const call = (options: { method?: string; url: string; payload?: unknown; headers?: Record<string, string> }) =>
  request(base, { ...options, path: options.url });

/** The anti-forgery token of the adoption page's forms, as a browser finds it in the page. */
async function pageToken(): Promise<string> {
  const page = await call({ method: 'GET', url: `/customers/${customerId}/adoption` });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error('the adoption page carries no _csrf token');
  return token;
}

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

describe('GET /api/customers/:customerId/feature-adoption', () => {
  it('answers the PRD 4.2 shape with stall verdicts, days in stage, recommendations and the trend', async () => {
    const response = await call({ method: 'GET', url: `/api/customers/${customerId}/feature-adoption` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // (15 + 45 + 80) / 3: custom_reports is marked not needed and does not count.
    expect(body.overallAdoptionScore).toBe(47);
    // Stalled first, then by importance (catalog: 70, 55; sso is not in the catalog: 50).
    expect(body.features.map((f: { featureId: string }) => f.featureId)).toEqual([
      'advanced_analytics',
      'workflow_automation',
      'custom_reports',
      'sso',
    ]);
    const byId = Object.fromEntries(body.features.map((f: { featureId: string }) => [f.featureId, f]));
    expect(byId.advanced_analytics).toMatchObject({
      id: adoptionIds.advanced_analytics,
      featureId: 'advanced_analytics',
      featureName: 'Advanced Analytics Dashboard',
      stage: 'started',
      usageScore: 15,
      lastUsedAt: '2026-02-10T09:00:00.000Z',
      isStalled: true,
      daysInCurrentStage: 20,
      resourcesCount: 3,
    });
    expect(byId.workflow_automation).toMatchObject({ isStalled: false, daysInCurrentStage: 4, recoveredAt: '2026-02-25T23:59:59.999Z' });
    expect(byId.custom_reports).toMatchObject({ isStalled: false, notNeeded: true, lastUsedAt: null });
    expect(byId.sso).toMatchObject({ isStalled: false, daysInCurrentStage: 14, featureName: 'Single Sign-On', resourcesCount: 0 });

    expect(body.stalledFeatures).toHaveLength(1);
    expect(body.stalledFeatures[0]).toMatchObject({
      featureId: 'advanced_analytics',
      stallDetectedAt: '2026-02-20T23:59:59.999Z',
      stallRule: 'low_usage_14d',
    });
    expect(body.recommendations).toEqual([
      // FR-3.1: a Started feature stuck at low usage gets the beginner guide first (issue 9 item 5).
      'Advanced Analytics Dashboard has stalled at 15/100 after 20 days in Started: share the guide "Quick Start Guide" ' +
        '(https://docs.example.com/analytics); tip: Start from the "Accounts at risk" template.',
    ]);
    expect(body.trend).toEqual([
      { asOf: '2026-02-27', score: 45 },
      { asOf: '2026-02-28', score: 47 },
      { asOf: '2026-03-01', score: 48 },
    ]);
    expect(body.customer).toMatchObject({ id: customerId, name: CUSTOMER_NAME, arr: 75000 });
  });

  it('answers 404 naming an unknown customer and 400 naming a malformed id', async () => {
    const unknown = randomUUID();
    const missing = await call({ method: 'GET', url: `/api/customers/${unknown}/feature-adoption` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: `customer ${unknown} not found` });

    const malformed = await call({ method: 'GET', url: `/api/customers/not-a-uuid/feature-adoption` });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: 'params/customerId must be a UUID', field: 'params/customerId' });
  });
});

describe('GET /api/features/:featureId/resources', () => {
  it('answers the catalog entry, its resources and a suggested outreach sentence', async () => {
    const response = await call({ method: 'GET', url: '/api/features/advanced_analytics/resources' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.feature).toMatchObject({ featureId: 'advanced_analytics', featureName: 'Advanced Analytics Dashboard', importanceScore: 85 });
    expect(body.resources.map((r: { title: string }) => r.title)).toEqual([
      'Analytics Dashboard Overview',
      'Quick Start Guide',
      'Advanced Analytics Live',
    ]);
    expect(body.suggestedOutreach).toBe(
      'Offer a 20-minute Advanced Analytics Dashboard walkthrough and share the video "Analytics Dashboard Overview" (12 min) and ' +
        'the guide "Quick Start Guide" (3 resources in all). It helps your team spot trends across your accounts before they become problems.',
    );
  });

  it('answers 404 for a feature outside the catalog, and a quote in the id is only ever a value', async () => {
    const response = await call({ method: 'GET', url: `/api/features/${encodeURIComponent("x'; DROP TABLE feature_catalog; --")}/resources` });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe(`feature x'; DROP TABLE feature_catalog; -- not found in the feature catalog`);
    const still = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM feature_catalog`);
    expect(Number(still.rows[0].n)).toBe(3);
  });
});

describe('POST /api/feature-adoption/:id/intervention', () => {
  const url = (id: string) => `/api/feature-adoption/${id}/intervention`;

  it('records the intervention with the score at the time and stamps feature_adoption, which the 30-day cooldown sees', async () => {
    const response = await call({
      method: 'POST',
      url: url(adoptionIds.advanced_analytics),
      payload: {
        interventionType: 'call',
        details: 'Walked Priya through the dashboard',
        resourcesShared: ['https://training.example.com/analytics'],
      },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      featureAdoptionId: adoptionIds.advanced_analytics,
      customerId,
      featureId: 'advanced_analytics',
      interventionType: 'call',
      details: 'Walked Priya through the dashboard',
      resourcesShared: ['https://training.example.com/analytics'],
      workflowId: null,
      occurredAt: NOW.toISOString(),
      adoptionBefore: 15,
      outcome: null,
    });
    const stored = await db.query<{ intervention_type: string; adoption_before: number }>(
      `SELECT intervention_type, adoption_before FROM interventions WHERE id = $1`,
      [body.id],
    );
    expect(stored.rows).toEqual([{ intervention_type: 'call', adoption_before: 15 }]);
    const adoption = await db.query<{ intervention_sent_at: Date; intervention_type: string }>(
      `SELECT intervention_sent_at, intervention_type FROM feature_adoption WHERE id = $1`,
      [adoptionIds.advanced_analytics],
    );
    expect(adoption.rows[0].intervention_sent_at.toISOString()).toBe(NOW.toISOString());
    expect(adoption.rows[0].intervention_type).toBe('call');

    // FR-2.4: a run for this customer would now leave advanced_analytics out (the workflow's cooldown activity).
    const cooldown = createCheckRecentInterventionsActivity({ db, now: () => NOW });
    const check = await cooldown.checkRecentInterventions(
      {
        workflowId: `adoption-stalled/${customerId}/${randomUUID()}`,
        runId: 'run',
        stepId: 'cooldown_check',
        customerId,
        signalId: randomUUID(),
        featureIds: ['advanced_analytics', 'workflow_automation'],
        definition: { name: 'feature_adoption_enablement', version: '1.1', digest: 'x' },
      },
      { cooldownDays: 30 },
    );
    expect(check.suppressed).toEqual([{ featureId: 'advanced_analytics', lastInterventionAt: NOW.toISOString() }]);
  });

  it('refuses bad bodies with a 400 naming the field, and writes nothing', async () => {
    const before = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM interventions`);
    const cases: Array<[unknown, string, string]> = [
      [
        { interventionType: 'sms', details: 'x' },
        'body/interventionType must be one of email, call, training, resource_share',
        'body/interventionType',
      ],
      [{ interventionType: 'email' }, 'body/details is required', 'body/details'],
      [{ interventionType: 'email', details: 'x', resources_shared: [] }, 'body/resources_shared is not allowed', 'body/resources_shared'],
      [
        { interventionType: 'email', details: 'x', resourcesShared: 'https://a.example' },
        'body/resourcesShared must be an array',
        'body/resourcesShared',
      ],
      [{ interventionType: 'email', details: 42 }, 'body/details must be a string', 'body/details'],
      [{ interventionType: 'email', details: '   ' }, 'body/details must not be blank', 'body/details'],
    ];
    for (const [payload, error, field] of cases) {
      const response = await call({ method: 'POST', url: url(adoptionIds.sso), payload: payload as object });
      expect({ status: response.statusCode, body: response.json() }).toEqual({ status: 400, body: { error, field } });
    }
    const after = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM interventions`);
    expect(Number(after.rows[0].n)).toBe(Number(before.rows[0].n));
  });

  it('answers 404 for an unknown feature adoption and 400 for a malformed id', async () => {
    const unknown = randomUUID();
    const missing = await call({ method: 'POST', url: url(unknown), payload: { interventionType: 'email', details: 'x' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: `feature adoption ${unknown} not found` });
    const malformed = await call({ method: 'POST', url: url('42'), payload: { interventionType: 'email', details: 'x' } });
    expect(malformed.json()).toEqual({ error: 'params/id must be a UUID', field: 'params/id' });
  });

  it('records a repeated request with the same Idempotency-Key once', async () => {
    const send = () =>
      call({
        method: 'POST',
        url: url(adoptionIds.sso),
        headers: { 'idempotency-key': 'crm-note-981' },
        payload: { interventionType: 'training', details: 'Admin training session' },
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const rows = await db.query(`SELECT id FROM interventions WHERE feature_adoption_id = $1`, [adoptionIds.sso]);
    expect(rows.rowCount).toBe(1);
  });

  it("refuses a form post (415: JSON only) and the adoption page's own form route records it with the page's token", async () => {
    const form = new URLSearchParams({
      interventionType: 'resource_share',
      details: 'Shared 1 training resource for Workflow Automation from the adoption page',
      resourcesShared: 'https://training.example.com/automation',
    });
    const refused = await call({
      method: 'POST',
      url: url(adoptionIds.workflow_automation),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(refused.statusCode).toBe(415);
    expect(refused.json()).toEqual({ error: 'this route takes application/json only, not application/x-www-form-urlencoded' });

    form.set('featureAdoptionId', adoptionIds.workflow_automation);
    form.set('_csrf', await pageToken());
    const response = await call({
      method: 'POST',
      url: `/customers/${customerId}/adoption/interventions`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(response.statusCode).toBe(303);
    // SMTP is not configured here: the page the CSM lands on says the email is queued, not sent.
    expect(response.headers.location).toBe(`/customers/${customerId}/adoption?sent=workflow_automation&queued=1`);
    const landing = await call({ method: 'GET', url: response.headers.location as string });
    expect(landing.body.replace(/\s+/g, ' ')).toContain(
      'Resources for Workflow Automation are queued in the outbox: they are sent once email delivery works.',
    );
    const stored = await db.query<{ intervention_type: string; resources_shared: string[] }>(
      `SELECT intervention_type, resources_shared FROM interventions WHERE feature_adoption_id = $1`,
      [adoptionIds.workflow_automation],
    );
    // Send Resources emails the champion (issue 9); SMTP is not configured here, so the email waits in the outbox and
    // the resource_share intervention is recorded only when it is delivered.
    expect(stored.rows).toEqual([]);
    const shares = await db.query<{ delivery: string; resources: unknown }>(
      `SELECT delivery, resources FROM resource_shares WHERE customer_id = $1 AND feature_ids = ARRAY['workflow_automation']`,
      [customerId],
    );
    expect(shares.rows).toEqual([
      {
        delivery: 'outbox',
        resources: [{ featureId: 'workflow_automation', url: 'https://training.example.com/automation', title: 'Automation in 10 minutes' }],
      },
    ]);
  });
});

describe('POST /api/feature-adoption/sync', () => {
  it("rebuilds one customer's feature_adoption from its usage events with detection's scoring", async () => {
    const syncCustomer = randomUUID();
    await db.query(`INSERT INTO customers (id, name, seats) VALUES ($1, 'SyncCo', NULL)`, [syncCustomer]);
    // Events written straight into usage_events (no import, so no rollups yet): sync must roll them up itself.
    const events: Array<[string, string, string, string | null]> = [
      ['advanced_analytics', 'activated', '2026-01-30T10:00:00Z', 'u1'],
      ...['2026-02-17', '2026-02-19', '2026-02-21', '2026-02-23', '2026-02-25', '2026-02-27', '2026-03-01'].map(
        (day): [string, string, string, string | null] => ['advanced_analytics', 'used', `${day}T09:30:00Z`, 'u1'],
      ),
      ['custom_reports', 'activated', '2026-01-20T10:00:00Z', 'u1'],
      ['advanced_analytics', 'used', '2026-03-02T09:30:00Z', 'u1'], // after the as-of day: not counted
    ];
    for (const [feature, event, at, user] of events) {
      await db.query(`INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
        randomUUID(),
        syncCustomer,
        feature,
        event,
        at,
        user,
      ]);
    }
    const existing = await insertAdoption(db, syncCustomer, {
      feature_id: 'advanced_analytics',
      feature_name: 'Advanced Analytics Dashboard',
      usage_score: 10,
      stage: 'started',
      stage_changed_at: '2026-02-01T00:00:00Z',
      stall_detected_at: '2026-02-10T23:59:59.999Z',
    });

    const response = await call({ method: 'POST', url: '/api/feature-adoption/sync', payload: { customerId: syncCustomer } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // 7 active days of the last 14, by the account's only active user: frequency 0.5, breadth 1.
    const expectedScore = usageScoreOf(7, 1, 1);
    expect(expectedScore).toBe(50);
    expect(body).toMatchObject({ customerId: syncCustomer, asOf: '2026-03-01', eventsRolledUp: 9 });
    expect(body.features).toEqual([
      expect.objectContaining({
        featureId: 'advanced_analytics',
        usageScore: expectedScore,
        previousUsageScore: 10,
        stage: 'engaged',
        previousStage: 'started',
        usageCount: 7,
      }),
      expect.objectContaining({
        featureId: 'custom_reports',
        usageScore: 0,
        previousUsageScore: null,
        stage: 'not_started',
        previousStage: null,
        daysSinceActivation: 40,
      }),
    ]);

    const rows = await db.query<{
      id: string;
      feature_id: string;
      usage_score: number;
      stage: string;
      stage_changed_at: Date;
      stall_detected_at: Date | null;
      last_used_at: Date | null;
    }>(
      `SELECT id, feature_id, usage_score, stage, stage_changed_at, stall_detected_at, last_used_at FROM feature_adoption WHERE customer_id = $1 ORDER BY feature_id`,
      [syncCustomer],
    );
    expect(rows.rows.map((row) => [row.feature_id, row.usage_score, row.stage])).toEqual([
      ['advanced_analytics', 50, 'engaged'],
      ['custom_reports', 0, 'not_started'],
    ]);
    expect(rows.rows[0].id).toBe(existing);
    expect(rows.rows[0].stage_changed_at.toISOString()).toBe(NOW.toISOString()); // the stage changed now
    expect(rows.rows[0].last_used_at?.toISOString()).toBe('2026-03-01T09:30:00.000Z');
    expect(rows.rows[0].stall_detected_at?.toISOString()).toBe('2026-02-10T23:59:59.999Z'); // stalls stay with detection
    expect(rows.rows[1].stage_changed_at.toISOString()).toBe('2026-01-20T10:00:00.000Z'); // new: in its stage since activation

    // Again an hour later: same scores, and the unchanged stage keeps its date.
    const later = buildApiServer({ db, now: () => new Date(NOW.getTime() + 3_600_000) });
    try {
      const laterUrl = await later.listen({ port: 0, host: '127.0.0.1' });
      const again = await request(laterUrl, { method: 'POST', path: '/api/feature-adoption/sync', payload: { customerId: syncCustomer } });
      expect(again.json().features.map((f: { usageScore: number }) => f.usageScore)).toEqual([50, 0]);
      const after = await db.query<{ stage_changed_at: Date }>(`SELECT stage_changed_at FROM feature_adoption WHERE id = $1`, [existing]);
      expect(after.rows[0].stage_changed_at.toISOString()).toBe(NOW.toISOString());
    } finally {
      await later.close();
    }
  });

  it('answers 404 for an unknown customer and 400 naming a bad customerId', async () => {
    const unknown = randomUUID();
    const missing = await call({ method: 'POST', url: '/api/feature-adoption/sync', payload: { customerId: unknown } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: `customer ${unknown} not found` });
    const bad = await call({ method: 'POST', url: '/api/feature-adoption/sync', payload: { customerId: 'acme' } });
    expect(bad.json()).toEqual({ error: 'body/customerId must be a UUID', field: 'body/customerId' });
    const none = await call({ method: 'POST', url: '/api/feature-adoption/sync', payload: {} });
    expect(none.json()).toEqual({ error: 'body/customerId is required', field: 'body/customerId' });
  });
});

describe('GET /customers/:customerId/adoption', () => {
  it('renders the adoption page with everything escaped, stalled cards in the warning colour and the trend', async () => {
    // What the champion did with shared resources: two emails, a click on a tracked link (the redirect records these).
    for (const event of ['sent', 'sent', 'click'] as const) {
      await recordEngagement(db, {
        customerId,
        featureId: 'advanced_analytics',
        url: 'https://docs.example/analytics',
        event,
        at: new Date('2026-02-20T10:00:00Z'),
      });
    }
    const response = await call({ method: 'GET', url: `/customers/${customerId}/adoption?sent=workflow_automation` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    // Markup compared with layout whitespace folded: one space for any run, none between tags or before a closing
    // '>', and void elements without '/'.
    const page = response.body.replace(/\s+/g, ' ').replace(/> </g, '><').replace(/ ?\/>/g, '>').replace(/ >/g, '>');
    expect(page).not.toContain('<script>');
    expect(page).toContain('O&#39;Brien &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co: feature adoption');
    expect(page).toContain('<div class="overall">47<small>/100</small></div>');
    expect(page).toContain('Resources for Workflow Automation were emailed to the champion.');

    const cards = page.split('<article ').slice(1);
    expect(cards).toHaveLength(4);
    const [analytics, automation, , sso] = cards;
    expect(analytics).toMatch(/^class="card stalled" data-feature-id="advanced_analytics"/);
    expect(analytics).toContain('<span class="badge stage-started">Started</span>');
    expect(analytics).toContain('<span class="badge badge-stalled">Stalled</span>');
    expect(analytics).toContain('aria-valuenow="15"><span style="width: 15%"></span>');
    expect(analytics).toContain('<dt>Days in current stage</dt><dd>20 days</dd>');
    expect(analytics).toContain('<dt>Last used</dt><dd>Feb 10, 2026 (19 days ago)</dd>');
    expect(analytics).toContain('<dt>Resources</dt><dd>3 available</dd>');
    expect(analytics).toContain('<dt>Engagement</dt><dd>2 sent · 1 click · 0 completed</dd>');
    expect(automation).toContain('<dt>Engagement</dt><dd>nothing shared yet</dd>');
    expect(analytics).toContain(`<form method="post" action="/customers/${customerId}/adoption/interventions">`);
    expect(analytics).toMatch(/<input type="hidden" name="_csrf" value="\d+\.[\w-]{43}"/);
    expect(analytics).toContain(`<input type="hidden" name="featureAdoptionId" value="${adoptionIds.advanced_analytics}"`);
    expect(analytics).toContain('<input type="hidden" name="interventionType" value="resource_share">');
    expect(analytics.match(/name="resourcesShared"/g)).toHaveLength(3);
    expect(analytics).toMatch(/<svg class="sparkline"[^>]*aria-label="Advanced Analytics Dashboard usage score trend"[\s\S]*<polyline/);
    expect(automation).toMatch(/^class="card" /);
    expect(sso).toContain('<button type="submit" disabled'); // no resources in the catalog
    expect(page).toContain('<li>Advanced Analytics Dashboard has stalled at 15/100');
  });

  it('answers an HTML 404 for an unknown customer', async () => {
    const response = await call({ method: 'GET', url: `/customers/${randomUUID()}/adoption` });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('not found');
  });
});

describe('a browser-like client', () => {
  it('posts the form with several resources, follows nothing, and unknown routes answer a JSON 404', async () => {
    const posted = await fetch(`${base}/customers/${customerId}/adoption/interventions`, {
      method: 'POST',
      body: new URLSearchParams([
        ['_csrf', await pageToken()],
        ['featureAdoptionId', adoptionIds.custom_reports],
        ['interventionType', 'resource_share'],
        ['details', 'Shared from the page'],
        ['resourcesShared', 'https://docs.example.com/reports'],
        ['resourcesShared', 'https://docs.example.com/reports/advanced'],
      ]),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/customers/${customerId}/adoption?sent=custom_reports&queued=1`);
    // The email carries the catalog's ranked resources, whatever URLs the form listed (issue 9); queued without SMTP.
    const stored = await db.query<{ delivery: string; resources: unknown }>(
      `SELECT delivery, resources FROM resource_shares WHERE customer_id = $1 AND feature_ids = ARRAY['custom_reports']`,
      [customerId],
    );
    expect(stored.rows).toEqual([
      { delivery: 'outbox', resources: [{ featureId: 'custom_reports', url: 'https://docs.example.com/reports', title: 'Building reports' }] },
    ]);

    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({ ok: true, database: db.kind, temporal: 'not configured' });

    const unknownRoute = await fetch(`${base}/api/nothing-here?x=1`);
    expect(unknownRoute.status).toBe(404);
    expect(await unknownRoute.json()).toEqual({ error: 'no route GET /api/nothing-here' });
  });
});
