import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { addDays, usageScoreOf, utcDay } from '../../adoption/scoring';
import { createWorker } from '../../worker/create-worker';
import { startInterventionFollowUps } from '../../client/start-follow-up';
import { followUpStateQuery, interventionFollowUpWorkflowId, type InterventionFollowUpResult } from '../../workflows/intervention-follow-up';
import { startTimeSkippingServer } from '../support/temporal';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { FixtureFiles, customer, users, type UsageLine } from '../support/detection-fixtures';
import { importUsageFile } from '../../adoption/ingest/usage';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * FR-4.1/4.2 on the time-skipping server: a CSM records a call through the API; its follow-up workflow waits 14 and
 * 30 simulated days and measures adoption each time, from usage events, on the day the workflow hands in.
 */
let env: TestWorkflowEnvironment;
let database: TestDatabase;
let worker: Worker;
let running: Promise<void>;
let app: FastifyInstance;
const files = new FixtureFiles();
const taskQueue = `follow-up-${randomUUID()}`;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  database = await createTestDatabase();
  await files.catalog(database.db);
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    bundle: await testWorkflowBundle(),
    deps: { db: database.db, log: () => undefined },
  });
  running = worker.run();
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await running;
  await database?.dispose();
  await env?.teardown();
  files.dispose();
});

async function importUsage(db: TestDatabase['db'], lines: UsageLine[]): Promise<void> {
  const summary = await importUsageFile(db, files.ndjson(lines), { now: () => new Date(Date.now() + 60 * 86_400_000) });
  expect(summary.issues).toEqual([]);
}

const used = (customerId: string, featureId: string, day: string, who: string[]): UsageLine[] =>
  who.map((userId) => ({ customerId, featureId, event: 'used', occurredAt: `${day}T10:00:00Z`, userId }));

it('a manual intervention is measured 14 and 30 days after it by its own workflow, with before, after, outcome and who', async () => {
  const db = database.db;
  // The intervention happens "now" on the test server's clock; usage is seeded around that day.
  const now = new Date(Number(await env.currentTimeMs()));
  const day = utcDay(now);
  const acme = customer({ seats: 10 });
  await files.customers(db, [acme]);
  // The usage of the next 30 days is imported up front (the import's clock set after them); the measurements only
  // ever read up to the day the workflow hands in.
  await importUsage(db, [
    { customerId: acme.id, featureId: 'analytics', event: 'activated', occurredAt: `${addDays(day, -40)}T09:00:00Z`, userId: 'admin' },
    ...used(acme.id, 'analytics', addDays(day, -20), ['u1']), // before the 14-day window that ends the day before
    // After the call: 5 of 10 seats on each of the 10 days after it, then 1 seat on 2 days in the second window.
    ...Array.from({ length: 10 }, (_, index) => used(acme.id, 'analytics', addDays(day, index + 1), users(5))).flat(),
    ...used(acme.id, 'analytics', addDays(day, 20), ['u1']),
    ...used(acme.id, 'analytics', addDays(day, 25), ['u1']),
  ]);
  const adoption = await db.query<{ id: string }>(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, usage_score, stage)
     VALUES ($1, 'analytics', 'Advanced Analytics Dashboard', $2, 0, 'not_started') RETURNING id`,
    [acme.id, `${addDays(day, -40)}T09:00:00Z`],
  );

  app = buildApiServer({ db, temporal: { client: env.client, taskQueue }, now: () => now });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(`${base}/api/feature-adoption/${adoption.rows[0].id}/intervention`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ interventionType: 'call', details: 'Walked the team through saved views', performedBy: 'dana@vendor.example' }),
  });
  expect(response.status).toBe(201);
  const intervention = (await response.json()) as { id: string };
  const workflowId = interventionFollowUpWorkflowId(intervention.id);
  expect(intervention).toMatchObject({ performedBy: 'dana@vendor.example', followUpWorkflowId: workflowId, outcome: null });

  // Starting it again (a retried request, the sweep) is refused by workflow id, not doubled.
  expect(await startInterventionFollowUps({ client: env.client, db, interventionIds: [intervention.id], taskQueue })).toEqual([
    { interventionId: intervention.id, workflowId, started: false },
  ]);

  const handle = env.client.workflow.getHandle(workflowId);
  const waiting = await handle.query(followUpStateQuery);
  expect(waiting).toMatchObject({ status: 'waiting', next: { checkpointDays: 14, asOf: addDays(day, 14) } });

  // result() lets the time-skipping server jump over both timers: 30 simulated days.
  const result = (await handle.result()) as InterventionFollowUpResult;
  const atDay14 = usageScoreOf(10, 5, 10); // 10 active days of 14, 5 of 10 seats
  const atDay30 = usageScoreOf(2, 1, 10); // days 20 and 25 fall in the window day 17..30, by 1 seat
  expect(atDay14).toBe(54);
  expect(atDay30).toBe(8);
  expect(result).toEqual({
    interventionId: intervention.id,
    status: 'completed',
    outcome: 'still_stalled',
    measurements: [
      expect.objectContaining({
        checkpointDays: 14,
        asOf: addDays(day, 14),
        before: 0,
        after: atDay14,
        stage: 'engaged',
        outcome: 'recovered',
        effectivenessScore: 100,
      }),
      // Back under the threshold (20) by day 30: not recovered any more; 8 of the 20 points of the gap. Engaged at
      // day 14 and under it now, so the stage is churned (docs/scoring.md), not started.
      expect.objectContaining({
        checkpointDays: 30,
        asOf: addDays(day, 30),
        before: 0,
        after: atDay30,
        stage: 'churned',
        outcome: 'still_stalled',
        effectivenessScore: 40,
      }),
    ],
  });
  const elapsed = Number(await env.currentTimeMs()) - now.getTime();
  expect(elapsed).toBeGreaterThanOrEqual(30 * 86_400_000);

  const stored = await db.query(
    `SELECT checkpoint_days, as_of::text AS as_of, adoption_before, adoption_after, outcome, effectiveness_score, workflow_id
       FROM intervention_measurements WHERE intervention_id = $1 ORDER BY checkpoint_days`,
    [intervention.id],
  );
  expect(stored.rows).toEqual([
    {
      checkpoint_days: 14,
      as_of: addDays(day, 14),
      adoption_before: 0,
      adoption_after: 54,
      outcome: 'recovered',
      effectiveness_score: 100,
      workflow_id: workflowId,
    },
    {
      checkpoint_days: 30,
      as_of: addDays(day, 30),
      adoption_before: 0,
      adoption_after: 8,
      outcome: 'still_stalled',
      effectiveness_score: 40,
      workflow_id: workflowId,
    },
  ]);
  // The intervention row shows the last checkpoint, and who performed it.
  const row = await db.query(
    `SELECT adoption_before, adoption_after, outcome, effectiveness_score, performed_by, follow_up_workflow_id FROM interventions WHERE id = $1`,
    [intervention.id],
  );
  expect(row.rows).toEqual([
    {
      adoption_before: 0,
      adoption_after: 8,
      outcome: 'still_stalled',
      effectiveness_score: 40,
      performed_by: 'dana@vendor.example',
      follow_up_workflow_id: workflowId,
    },
  ]);
  const description = await handle.describe();
  expect(description.type).toBe('interventionFollowUpWorkflow');
});
