import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Db } from '../../db/database';
import { createActivities } from '../../activities';
import { createDetectionActivities } from '../../activities/detection-activities';
import { addDays, utcDay } from '../../adoption/dates';
import { runDetection } from '../../adoption/detection';
import { recordIntervention } from '../../adoption/interventions';
import { loadShippedPlans } from '../../definitions/compile';
import { DETECTION_WORKFLOW_ID_PREFIX, detectionScheduleOptions, scheduledDetectionInput } from '../../client/schedule';
import type { DetectionWorkflowInput, DetectionWorkflowResult } from '../../workflows/detection';
import type { EnablementState } from '../../workflows/messages';
import type { EnablementResult } from '../../workflows/enablement';
import { startTimeSkippingServer } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { FixtureFiles, activated, customer, usedOn, users } from '../support/detection-fixtures';

/**
 * The scheduled detection workflow on the time-skipping server, over two simulated days, with the real enablement
 * workflow and activities on the same worker: day 1 flags a stall and starts its enablement run; day 2 sees usage
 * resume, marks the feature recovered and tells the still-running enablement run with the `recovered` signal.
 * (The time-skipping server has no Schedules; each day's run is started exactly as the schedule's action would.)
 */
const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let plainClient: Client;
let test: TestDatabase;
let db: Db;
let files: FixtureFiles;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
const logs: string[] = [];

beforeAll(async () => {
  env = await startTimeSkippingServer();
  plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  test = await createTestDatabase();
  db = test.db;
  files = new FixtureFiles();
  taskQueue = `detection-${randomUUID()}`;
  const deps = { db, temporal: { client: env.client, taskQueue }, log: (message: string) => void logs.push(message) };
  const plans = loadShippedPlans();
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await testWorkflowBundle(),
    activities: { ...createActivities(deps), ...createDetectionActivities(deps, { plans: () => plans }) },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  files?.dispose();
  await test?.dispose();
  await env?.teardown();
});

/** Polls the enablement run's `state` query (queries do not move time) until it waits for the email approval. */
async function waitingForApproval(workflowId: string): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    try {
      const state = await env.client.workflow.getHandle(workflowId).query<EnablementState>('state');
      if (state.status === 'waiting' && state.step.id === 'await_approval') return;
      last = state;
    } catch (error) {
      last = error; // the first workflow task may not have run yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${workflowId} never reached await_approval; last state ${JSON.stringify(last)}`);
}

/**
 * Starts the detection workflow the way the daily schedule's action does, and waits for its result. Through a plain
 * client: only `env.sleep` (and awaiting a result through `env.client`) lets the server skip time, so the simulated
 * clock moves exactly where the test says.
 */
async function scheduledRun(input: DetectionWorkflowInput = scheduledDetectionInput()): Promise<DetectionWorkflowResult> {
  const action = detectionScheduleOptions({ taskQueue }).action;
  expect(action).toMatchObject({ workflowType: 'detectionWorkflow', args: [scheduledDetectionInput()] });
  return plainClient.workflow.execute('detectionWorkflow', {
    workflowId: `${DETECTION_WORKFLOW_ID_PREFIX}-${randomUUID()}`,
    taskQueue,
    args: [input],
  });
}

it('runs daily across two simulated days: stall -> enablement run started; usage resumes -> recovered signal to that run', async () => {
  // Keep clear of midnight so each run's "yesterday" is the day we seeded for.
  const hourOfDay = new Date(await env.currentTimeMs()).getUTCHours();
  if (hourOfDay >= 22) await env.sleep(3 * HOUR);
  const today = utcDay(new Date(await env.currentTimeMs()));
  const day1 = addDays(today, -1);

  await files.catalog(db);
  const acme = customer({ name: 'TechCorp' });
  // Globex follows the same pattern, but its enablement run is over before day 2 (nothing to tell).
  const globex = customer({ name: 'Globex', arr: 50_000 });
  await files.customers(db, [acme, globex]);
  // As of day 1: activated 20 days before, used on 3 days by 3 of 10 seats (score 14): stalled (FR-1.3).
  // On `today` (day 2) all 10 seats use it: score 29, recovered. Today's events do not count on day 1.
  await files.usage(
    db,
    [acme, globex].flatMap((c) => [
      activated(c.id, 'analytics', day1, 20),
      ...usedOn(c.id, 'analytics', day1, [1, 2, 3], users(3)),
      ...usedOn(c.id, 'analytics', today, [0], users(10)).map((line) => ({ ...line, occurredAt: `${today}T00:30:00Z` })),
    ]),
  );

  // Day 1.
  const first = await scheduledRun();
  expect(first.asOf).toBe(day1);
  expect(first.detection).toMatchObject({ asOf: day1, evaluated: 8, signals: 2, recovered: 0 });
  expect(first.enablement?.failed).toEqual([]);
  // Highest priority (the larger ARR) first.
  expect(first.enablement?.started.map((run) => [run.workflowId.split('/')[1], run.started])).toEqual([
    [acme.id, true],
    [globex.id, true],
  ]);
  const [{ signalId, workflowId }, globexRun] = first.enablement!.started;
  expect(workflowId).toBe(`adoption-stalled/${acme.id}/${signalId}`);
  const stored = await db.query<{ workflow_id: string; as_of: string }>(`SELECT workflow_id, as_of FROM risk_signals WHERE id = $1`, [signalId]);
  expect(stored.rows).toEqual([{ workflow_id: workflowId, as_of: day1 }]);
  expect(logs).toContain(`detection ${day1}: batch 1 done, 8 evaluated`);

  // The same day again (a retry, or an operator re-running it): nothing new, no run is started twice.
  const again = await scheduledRun({ asOf: day1 });
  expect(again.detection.signals).toBe(2);
  expect(again.enablement?.started).toEqual(first.enablement!.started.map((run) => ({ ...run, started: false })));
  expect((await db.query(`SELECT 1 FROM risk_signals`)).rowCount).toBe(2);
  // Both runs reach the CSM's approval (no activity in flight); then Globex's is closed.
  await waitingForApproval(workflowId);
  await waitingForApproval(globexRun.workflowId);
  await env.client.workflow.getHandle(globexRun.workflowId).terminate('closed by the CSM');

  // Day 2.
  await env.sleep(24 * HOUR);
  const second = await scheduledRun();
  expect(second.asOf).toBe(today);
  expect(second.detection).toMatchObject({ asOf: today, signals: 0, recovered: 2 });
  expect(second.recoveries).toEqual({
    signalled: [{ workflowId, featureId: 'analytics' }],
    notRunning: [{ workflowId: globexRun.workflowId, featureId: 'analytics' }],
  });

  // The enablement run (still waiting for the CSM's approval) received the signal.
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const signals = (history.events ?? []).filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'recovered');
  expect(signals).toHaveLength(1);
  const payload = signals[0].workflowExecutionSignaledEventAttributes!.input!.payloads![0];
  expect(JSON.parse(Buffer.from(payload.data!).toString())).toEqual({ featureId: 'analytics', detectedAt: `${today}T23:59:59.999Z` });
  const adoption = await db.query<{ stage: string; recovered_at: Date }>(
    `SELECT stage, recovered_at FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'analytics'`,
    [acme.id],
  );
  expect(adoption.rows[0].stage).toBe('engaged');

  // Told once: a re-run of day 2 does not signal again.
  const secondAgain = await scheduledRun({ asOf: today });
  expect(secondAgain.detection.recovered).toBe(2);
  expect(secondAgain.recoveries).toEqual({ signalled: [], notRunning: [] });

  // The run goes on: nobody approves the email (72 h), then the 14-day follow-up wait ends at once because every
  // feature of the run was reported recovered, and measure_adoption records the outcome.
  const outcome = (await env.client.workflow.getHandle(workflowId).result()) as EnablementResult;
  expect(outcome).toMatchObject({ status: 'completed', outcome: 'recovered' });
  const impact = await db.query<{ intervention_outcome: string; adoption_after_intervention: number }>(
    `SELECT intervention_outcome, adoption_after_intervention FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'analytics'`,
    [acme.id],
  );
  expect(impact.rows).toEqual([{ intervention_outcome: 'recovered', adoption_after_intervention: expect.any(Number) }]);
});

it('a failed detection attempt resumes after the last heartbeated batch', async () => {
  const asOf = '2026-03-31';
  const customers = Array.from({ length: 5 }, (_, index) => customer({ name: `Batch customer ${index}` }));
  await files.catalog(db);
  await files.customers(db, customers);
  await files.usage(
    db,
    customers.map((c) => activated(c.id, 'automation', asOf, 20)),
  );
  // A real database fault, once: evaluating the 4th customer in id order (in the second batch of 3) fails on the
  // first attempt. A sequence is not rolled back with the failed transaction, so the second attempt passes.
  await db.exec(`
    CREATE TABLE test_fault_target (customer_id UUID NOT NULL);
    CREATE SEQUENCE test_fault_once;
    CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.customer_id IN (SELECT customer_id FROM test_fault_target) AND nextval('test_fault_once') = 1 THEN
        RAISE EXCEPTION 'injected fault';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_fault BEFORE INSERT ON feature_evaluations FOR EACH ROW EXECUTE FUNCTION test_fault();`);
  // One of this test's own customers: an earlier test's customer has no usage this day, so it would never fault here
  // (and would fault later, in another test).
  await db.query(`INSERT INTO test_fault_target (customer_id) SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id OFFSET 3 LIMIT 1`, [
    customers.map((c) => c.id),
  ]);
  logs.length = 0;

  // The earlier test's customer sorts somewhere among these, but has no usage as of this day.
  const result = await scheduledRun({ asOf, batchSize: 3, startEnablement: false });

  const total = (await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM customers`)).rows[0].n;
  const batches = Math.ceil(total / 3);
  const done = logs.filter((line) => line.startsWith(`detection ${asOf}: batch`));
  // Batch 1 ran once; the failed batch 2 was redone by the second attempt, which went on from there.
  expect(done.map((line) => line.split(':')[1].trim().split(' ')[1])).toEqual(Array.from({ length: batches }, (_, i) => String(i + 1)));
  expect(result.detection).toMatchObject({ batches, signals: 5 });
  expect(result.enablement).toBeNull();
  // The fault did fire (once), and is gone for the tests after this one.
  expect((await db.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM test_fault_once`)).rows[0].is_called).toBe(
    true,
  );
  await db.exec(`DROP TRIGGER test_fault ON feature_evaluations`);
});

it('step 4 starts the 14/30-day follow-up of recent interventions that have none: run-made ones, then queued emails once delivered', async () => {
  // The import refuses events after the real clock; the server's clock has skipped ahead in the tests before.
  const asOf = addDays(utcDay(new Date()), -1);
  await files.catalog(db);
  const sweepCo = customer({ name: 'Sweep Co' });
  await files.customers(db, [sweepCo]);
  await files.usage(db, [activated(sweepCo.id, 'automation', asOf, 20)]);
  await runDetection(db, { asOf });
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'automation'`, [
    sweepCo.id,
  ]);
  const featureAdoptionId = rows[0].id;
  const record = async (daysAgo: number, delivery: 'delivered' | 'queued' = 'delivered'): Promise<string> => {
    const recorded = await recordIntervention(db, {
      featureAdoptionId,
      interventionType: 'email',
      details: 'enablement email sent by the run',
      resourcesShared: [],
      at: new Date(`${addDays(asOf, -daysAgo)}T10:00:00Z`),
      workflowId: `adoption-stalled/${sweepCo.id}/${randomUUID()}`,
      performedBy: 'dana@vendor.example',
    });
    await db.query(`UPDATE interventions SET delivery = $2 WHERE id = $1::uuid`, [recorded!.intervention.id, delivery]);
    return recorded!.intervention.id;
  };
  const runMade = await record(2);
  const queued = await record(1, 'queued');
  const beyondHorizon = await record(40);

  const first = await scheduledRun({ asOf, startEnablement: false });
  const startedIds = first.followUps!.started.map((start) => start.interventionId);
  expect(startedIds).toContain(runMade);
  expect(startedIds).not.toContain(queued);
  expect(startedIds).not.toContain(beyondHorizon);
  const followUpId = first.followUps!.started.find((start) => start.interventionId === runMade)!.workflowId;
  expect(followUpId).toBe(`intervention-follow-up/${runMade}`);
  expect((await env.client.workflow.getHandle(followUpId).describe()).type).toBe('interventionFollowUpWorkflow');
  const stored = await db.query<{ id: string; follow_up_workflow_id: string | null }>(
    `SELECT id, follow_up_workflow_id FROM interventions WHERE id = ANY($1::uuid[]) ORDER BY occurred_at`,
    [[runMade, queued, beyondHorizon]],
  );
  expect(stored.rows).toEqual([
    { id: beyondHorizon, follow_up_workflow_id: null },
    { id: runMade, follow_up_workflow_id: followUpId },
    { id: queued, follow_up_workflow_id: null },
  ]);

  // The queued email is delivered (the outbox relay); the next day's sweep follows it up, and nothing twice.
  await db.query(`UPDATE interventions SET delivery = 'delivered' WHERE id = $1::uuid`, [queued]);
  const second = await scheduledRun({ asOf, startEnablement: false });
  expect(second.followUps!.started.map((start) => start.interventionId)).toEqual([queued]);
  const third = await scheduledRun({ asOf, startEnablement: false, startFollowUps: false });
  expect(third.followUps).toBeNull();
});
