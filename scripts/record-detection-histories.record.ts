/**
 * Records the detection workflow's replay histories (test/replay/histories/detection-*.json) from real runs on the
 * dev server: one run for an explicit day (a new signal whose enablement run it starts, and a recovery it signals to
 * a running enablement run), and one started by the daily Schedule (no asOf: the day before the scheduled time).
 * Later: `detection-follow-up-sweep.json`, a run with step 4 (the follow-up sweep, behind `patched('follow-up-sweep')`).
 * Part of `npm run record-histories`. Append-only like the enablement recorder: existing files are kept as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import '../test/support/quiet-runtime';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorker } from '../worker/create-worker';
import { startEnablementForSignal } from '../client/start-enablement';
import { loadShippedPlans } from '../definitions/compile';
import { runDetection } from '../adoption/detection';
import { recordIntervention } from '../adoption/interventions';
import { addDays, utcDay } from '../adoption/dates';
import { createDetectionSchedule, deleteDetectionSchedule } from '../client/schedule';
import { connectDevServer } from '../test/support/temporal';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { exportHistory } from '../test/support/history-export';
import { testWorkflowBundle } from '../test/support/workflow-bundle';
import { FixtureFiles, activated, customer, usedOn, users } from '../test/support/detection-fixtures';

const HISTORIES_DIR = path.resolve(__dirname, '..', 'test', 'replay', 'histories');

interface RecordingWorld {
  env: TestWorkflowEnvironment;
  db: TestDatabase['db'];
  files: FixtureFiles;
  taskQueue: string;
}

/** A worker on the dev server over a fresh database for one recording; what the recording left running is ended. */
async function withRecordingWorker(record: (world: RecordingWorld) => Promise<void>): Promise<void> {
  const env = await connectDevServer();
  const database = await createTestDatabase();
  const files = new FixtureFiles();
  const taskQueue = `record-detection-${randomUUID()}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    bundle: await testWorkflowBundle(),
    deps: { db: database.db, temporal: { client: env.client, taskQueue }, log: () => undefined },
  });
  const running = worker.run();
  try {
    await record({ env, db: database.db, files, taskQueue });
    for await (const execution of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
      await env.client.workflow.getHandle(execution.workflowId).terminate('recording done');
    }
  } finally {
    worker.shutdown();
    await running;
    files.dispose();
    await database.dispose();
  }
}

const FILES = ['detection-explicit-day.json', 'detection-scheduled.json'];

it('records detection histories', async () => {
  if (FILES.every((file) => fs.existsSync(path.join(HISTORIES_DIR, file)))) return; // recorded already: never again
  await withRecordingWorker(async ({ env, db, files, taskQueue }) => {
    const today = utcDay(new Date());
    const day = addDays(today, -1);
    await files.catalog(db);
    const stalled = customer({ name: 'Stalled Co' });
    const recovering = customer({ name: 'Recovering Co' });
    await files.customers(db, [stalled, recovering]);
    await files.usage(db, [
      activated(stalled.id, 'analytics', day, 14),
      activated(stalled.id, 'automation', day, 14),
      activated(recovering.id, 'exports', day, 25),
      ...usedOn(recovering.id, 'exports', day, [0, 1, 2, 3], users(8)),
    ]);
    // Five days before: Recovering Co was stalled and got a signal; its enablement run is running.
    const before = await runDetection(db, { asOf: addDays(day, -5) });
    if (before.signals.length !== 1 || before.signals[0].customerId !== recovering.id)
      throw new Error(`expected one earlier signal, got ${JSON.stringify(before)}`);
    await startEnablementForSignal({ client: env.client, db, signalId: before.signals[0].signalId, taskQueue, plans: loadShippedPlans() });

    // 1. An explicit day: new signal for Stalled Co (2 features), recovery for Recovering Co.
    const explicitId = `record-detection-explicit-${randomUUID()}`;
    const explicit = await env.client.workflow.execute('detectionWorkflow', { workflowId: explicitId, taskQueue, args: [{ asOf: day }] });
    if (explicit.detection.signals !== 1 || explicit.recoveries?.signalled.length !== 1)
      throw new Error(`unexpected run: ${JSON.stringify(explicit)}`);
    fs.writeFileSync(path.join(HISTORIES_DIR, FILES[0]), await exportHistory(env.client, explicitId), { flag: 'wx' });

    // 2. Through the Schedule: no asOf, the day before the scheduled time.
    const scheduleId = `record-detection-${randomUUID()}`;
    await createDetectionSchedule(env.client, { scheduleId, taskQueue });
    const handle = env.client.schedule.getHandle(scheduleId);
    await handle.trigger();
    let workflowId: string | undefined;
    for (let attempt = 0; attempt < 300 && !workflowId; attempt += 1) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await env.client.workflow.getHandle(workflowId!).result();
    fs.writeFileSync(path.join(HISTORIES_DIR, FILES[1]), await exportHistory(env.client, workflowId!), { flag: 'wx' });
    await deleteDetectionSchedule(env.client, scheduleId);
  });
}, 120_000);

const FOLLOW_UP_SWEEP_FILE = 'detection-follow-up-sweep.json';

it('records the detection history with the follow-up sweep (step 4)', async () => {
  if (fs.existsSync(path.join(HISTORIES_DIR, FOLLOW_UP_SWEEP_FILE))) return; // recorded already: never again
  await withRecordingWorker(async ({ env, db, files, taskQueue }) => {
    const day = addDays(utcDay(new Date()), -1);
    await files.catalog(db);
    const followed = customer({ name: 'Followed Co' });
    await files.customers(db, [followed]);
    await files.usage(db, [activated(followed.id, 'analytics', day, 14)]);
    // Two days before: the stall was flagged and its run emailed the champion (an intervention with no follow-up yet).
    await runDetection(db, { asOf: addDays(day, -2) });
    const adoption = await db.query<{ id: string }>(`SELECT id FROM feature_adoption WHERE customer_id = $1`, [followed.id]);
    await recordIntervention(db, {
      featureAdoptionId: adoption.rows[0].id,
      interventionType: 'email',
      details: 'enablement email',
      resourcesShared: [],
      at: new Date(`${addDays(day, -1)}T10:00:00Z`),
      workflowId: `adoption-stalled/${followed.id}/recorded`,
      performedBy: 'dana@vendor.example',
    });

    const workflowId = `record-detection-follow-up-sweep-${randomUUID()}`;
    const result = await env.client.workflow.execute('detectionWorkflow', { workflowId, taskQueue, args: [{ asOf: day }] });
    if (result.followUps?.started.length !== 1) throw new Error(`unexpected run: ${JSON.stringify(result)}`);
    fs.writeFileSync(path.join(HISTORIES_DIR, FOLLOW_UP_SWEEP_FILE), await exportHistory(env.client, workflowId), { flag: 'wx' });
  });
}, 120_000);
