import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import type { Db } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer } from '../support/seed';

/**
 * US-4 and FR-4.3/4.4 reports over a database of its own (they aggregate every customer): stalls from detection's
 * episodes and from feature_adoption, medians, recoveries after interventions, and intervention outcomes.
 */
let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;

async function adoption(customer: string, feature: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  await db.query(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, ${columns.join(', ')})
     VALUES ($1, $2, $2, ${columns.map((_, index) => `$${index + 3}`).join(', ')})`,
    [customer, feature, ...Object.values(row)],
  );
}

async function intervention(customer: string, feature: string, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  await db.query(
    `INSERT INTO interventions (customer_id, feature_id, ${columns.join(', ')})
     VALUES ($1, $2, ${columns.map((_, index) => `$${index + 3}`).join(', ')})`,
    [customer, feature, ...Object.values(row)],
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever the route answers
async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  app = buildApiServer({ db });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

it('answers empty reports on an empty database', async () => {
  expect(await get('/api/reports/stalled-features')).toEqual({ status: 200, body: { features: [] } });
  const interventions = await get('/api/reports/interventions');
  expect(interventions.status).toBe(200);
  expect(interventions.body).toEqual({
    byTypeAndOutcome: [],
    byType: [],
    totals: {
      total: 0,
      successful: 0,
      unsuccessful: 0,
      pending: 0,
      successRate: null,
      avgAdoptionBefore: null,
      avgAdoptionAfter: null,
      avgAdoptionChange: null,
      avgEffectivenessScore: null,
    },
  });
});

describe('with stalls and interventions', () => {
  beforeAll(async () => {
    await seedCatalog(db);
    const [c1, c2, c3, c4] = [
      await seedCustomer(db, { name: 'C1' }),
      await seedCustomer(db, { name: 'C2' }),
      await seedCustomer(db, { name: 'C3' }),
      await seedCustomer(db, { name: 'C4' }),
    ];

    // advanced_analytics, activated by four customers:
    // c1 stalled on day 20, got an email, recovered after it.
    await adoption(c1, 'advanced_analytics', {
      activated_at: '2026-01-01T08:00:00Z',
      stall_detected_at: '2026-01-21T23:59:59.999Z',
      recovered_at: '2026-02-20T23:59:59.999Z',
    });
    await intervention(c1, 'advanced_analytics', {
      intervention_type: 'email',
      occurred_at: '2026-01-25T10:00:00Z',
      adoption_before: 15,
      adoption_after: 40,
      outcome: 'recovered',
      effectiveness_score: 100,
    });
    // c2 stalled on day 30, got a call, is still stalled.
    await adoption(c2, 'advanced_analytics', { activated_at: '2026-01-01T08:00:00Z', stall_detected_at: '2026-01-31T23:59:59.999Z' });
    await intervention(c2, 'advanced_analytics', {
      intervention_type: 'call',
      occurred_at: '2026-02-02T10:00:00Z',
      adoption_before: 10,
      adoption_after: 12,
      outcome: 'still_stalled',
      effectiveness_score: 20,
    });
    // c3 stalled on day 40 per detection's episode only, recovered without an intervention.
    await adoption(c3, 'advanced_analytics', { activated_at: '2026-01-10T08:00:00Z' });
    await db.query(
      `INSERT INTO feature_stalls (customer_id, feature_id, rule, detected_on, score_at_detection, closed_on, closed_reason, score_at_close)
       VALUES ($1, 'advanced_analytics', 'low_usage_14d', '2026-02-19', 8, '2026-02-25', 'recovered', 25)`,
      [c3],
    );
    // c4 never stalled; an email improved it anyway.
    await adoption(c4, 'advanced_analytics', { activated_at: '2026-01-01T08:00:00Z' });
    await intervention(c4, 'advanced_analytics', {
      intervention_type: 'email',
      occurred_at: '2026-02-05T10:00:00Z',
      adoption_before: 30,
      adoption_after: 45,
      outcome: 'improved',
      effectiveness_score: 50,
    });

    // workflow_automation: c1 stalled on day 10 and marked it not needed; its resource share came before the stall.
    await adoption(c1, 'workflow_automation', {
      activated_at: '2026-01-01T08:00:00Z',
      stall_detected_at: '2026-01-11T23:59:59.999Z',
      not_needed: true,
    });
    await intervention(c1, 'workflow_automation', { intervention_type: 'resource_share', occurred_at: '2026-01-05T10:00:00Z', adoption_before: 50 });
  });

  it('reports per feature how many customers stalled, the median days to stall and recoveries after intervention', async () => {
    const { status, body } = await get('/api/reports/stalled-features');
    expect(status).toBe(200);
    expect(body.features).toEqual([
      {
        featureId: 'advanced_analytics',
        featureName: 'Advanced Analytics Dashboard',
        importanceScore: 85,
        customersActivated: 4,
        customersStalledEver: 3,
        customersStalledNow: 1,
        stallRate: 0.75,
        medianDaysToStall: 30,
        customersIntervened: 2,
        customersRecoveredAfterIntervention: 1,
        recoveredAfterInterventionShare: 0.5,
      },
      {
        featureId: 'workflow_automation',
        featureName: 'Workflow Automation',
        importanceScore: 70,
        customersActivated: 1,
        customersStalledEver: 1,
        customersStalledNow: 0,
        stallRate: 1,
        medianDaysToStall: 10,
        customersIntervened: 0,
        customersRecoveredAfterIntervention: 0,
        recoveredAfterInterventionShare: null,
      },
    ]);
  });

  it('reports interventions per type and outcome, and successful against unsuccessful', async () => {
    const { status, body } = await get('/api/reports/interventions');
    expect(status).toBe(200);
    expect(body.byTypeAndOutcome).toEqual([
      { interventionType: 'call', outcome: 'still_stalled', count: 1, avgAdoptionBefore: 10, avgAdoptionAfter: 12, avgEffectivenessScore: 20 },
      { interventionType: 'email', outcome: 'improved', count: 1, avgAdoptionBefore: 30, avgAdoptionAfter: 45, avgEffectivenessScore: 50 },
      { interventionType: 'email', outcome: 'recovered', count: 1, avgAdoptionBefore: 15, avgAdoptionAfter: 40, avgEffectivenessScore: 100 },
      {
        interventionType: 'resource_share',
        outcome: 'pending',
        count: 1,
        avgAdoptionBefore: 50,
        avgAdoptionAfter: null,
        avgEffectivenessScore: null,
      },
    ]);
    expect(body.byType).toEqual([
      {
        interventionType: 'call',
        total: 1,
        successful: 0,
        unsuccessful: 1,
        pending: 0,
        successRate: 0,
        avgAdoptionBefore: 10,
        avgAdoptionAfter: 12,
        avgAdoptionChange: 2,
        avgEffectivenessScore: 20,
      },
      {
        interventionType: 'email',
        total: 2,
        successful: 2,
        unsuccessful: 0,
        pending: 0,
        successRate: 1,
        avgAdoptionBefore: 22.5,
        avgAdoptionAfter: 42.5,
        avgAdoptionChange: 20,
        avgEffectivenessScore: 75,
      },
      {
        interventionType: 'resource_share',
        total: 1,
        successful: 0,
        unsuccessful: 0,
        pending: 1,
        successRate: null,
        avgAdoptionBefore: 50,
        avgAdoptionAfter: null,
        avgAdoptionChange: null,
        avgEffectivenessScore: null,
      },
    ]);
    expect(body.totals).toEqual({
      total: 4,
      successful: 2,
      unsuccessful: 1,
      pending: 1,
      successRate: 0.667,
      avgAdoptionBefore: 26.3,
      avgAdoptionAfter: 32.3,
      avgAdoptionChange: 14,
      avgEffectivenessScore: 56.7,
    });
  });
});

describe('a report window naming a day that does not exist or is out of range', () => {
  const WINDOWED = ['/api/reports/success-metrics', '/api/reports/lift', '/api/reports/impact'];
  const BAD_DAYS: Array<[string, string]> = [
    ['to', '2026-12-32'],
    ['to', '0000-01-01'],
    ['from', '2026-02-30'],
    ['from', '0000-01-01'],
    ['to', '1969-12-31'],
  ];

  it.each(WINDOWED)('%s answers 400 naming the field', async (route) => {
    for (const [field, day] of BAD_DAYS) {
      const other = field === 'to' ? '' : '&to=2026-03-01';
      const response = await get(`${route}?${field}=${day}${other}`);
      expect({ day, status: response.status }).toEqual({ day, status: 400 });
      expect(JSON.stringify(response.body)).toContain(`querystring/${field}`);
    }
  });

  it('the reports page answers the problem page naming the field, not a 500', async () => {
    for (const [field, day] of BAD_DAYS) {
      const response = await fetch(`${base}/reports?${field}=${day}`);
      expect({ day, status: response.status }).toEqual({ day, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain(`querystring/${field}`);
    }
  });

  it('the edges of the range are answered', async () => {
    for (const query of ['from=1970-01-01&to=1970-01-31', 'from=9999-12-01&to=9999-12-31', 'to=1970-01-01']) {
      expect({ query, status: (await get(`/api/reports/impact?${query}`)).status }).toEqual({ query, status: 200 });
    }
  });
});
