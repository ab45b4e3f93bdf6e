import '../support/quiet-runtime';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDetectionActivities } from '../../activities/detection-activities';
import { addDays, utcDay } from '../../adoption/scoring';
import { createDetectionSchedule, deleteDetectionSchedule } from '../../client/schedule';
import type { DetectionWorkflowResult } from '../../workflows/detection';
import { connectDevServer } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testWorkflowBundle } from '../support/workflow-bundle';
import { FixtureFiles, activated, customer } from '../support/detection-fixtures';

/** The real Temporal Schedule on the dev server (the time-skipping server has no Schedules). */
let env: TestWorkflowEnvironment;
let test: TestDatabase;
let files: FixtureFiles;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `schedule-${randomUUID()}`;
const scheduleId = `adoption-detection-test-${randomUUID()}`;

beforeAll(async () => {
  env = await connectDevServer();
  test = await createTestDatabase();
  files = new FixtureFiles();
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await testWorkflowBundle(),
    activities: createDetectionActivities({ db: test.db, temporal: { client: env.client, taskQueue } }),
  });
  running = worker.run();
});

afterAll(async () => {
  if (env) await deleteDetectionSchedule(env.client, scheduleId);
  worker?.shutdown();
  await running;
  files?.dispose();
  await test?.dispose();
  await env?.teardown();
});

it('`schedule create` is idempotent, keeps the schedule up to date, and a triggered run detects as of the day before', async () => {
  const first = await createDetectionSchedule(env.client, { scheduleId, taskQueue, startEnablement: false });
  const second = await createDetectionSchedule(env.client, { scheduleId, taskQueue, startEnablement: false, hour: 2, minute: 30 });
  expect(first).toEqual({ scheduleId, created: true });
  expect(second).toEqual({ scheduleId, created: false });

  const handle = env.client.schedule.getHandle(scheduleId);
  const description = await handle.describe();
  expect(description.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'detectionWorkflow',
    taskQueue,
    args: [{ startEnablement: false }],
  });
  expect(description.spec.calendars).toEqual([
    expect.objectContaining({
      hour: [{ start: 2, end: 2, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
      comment: 'daily adoption detection at 02:30 UTC',
    }),
  ]);
  expect(description.spec.timezone).toBe('UTC');
  expect(description.policies.overlap).toBe('BUFFER_ONE');
  const next = description.info.nextActionTimes[0];
  expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([2, 30]);

  // Data for "yesterday" of whenever the trigger lands (both candidate days, in case the test straddles midnight).
  await files.catalog(test.db);
  const acme = customer();
  await files.customers(test.db, [acme]);
  const today = utcDay(new Date());
  await files.usage(test.db, [activated(acme.id, 'analytics', addDays(today, -1), 20)]);

  await handle.trigger();
  let workflowId: string | undefined;
  let scheduledAt: Date | undefined;
  for (let attempt = 0; attempt < 300 && !workflowId; attempt += 1) {
    const [action] = (await handle.describe()).info.recentActions;
    if (action) {
      workflowId = action.action.workflow.workflowId;
      scheduledAt = action.scheduledAt;
    } else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(workflowId).toMatch(/^adoption-detection-/);
  const result = (await env.client.workflow.getHandle(workflowId!).result()) as DetectionWorkflowResult;

  const expectedDay = utcDay(new Date(scheduledAt!.getTime() - 86_400_000));
  expect(result.asOf).toBe(expectedDay);
  expect(result.enablement).toBeNull();
  const run = await test.db.query<{ as_of: string; completed: boolean }>(`SELECT as_of, completed_at IS NOT NULL AS completed FROM detection_runs`);
  expect(run.rows).toEqual([{ as_of: expectedDay, completed: true }]);
  if (expectedDay === addDays(today, -1)) {
    expect(result.detection).toMatchObject({ signals: 1, evaluated: 4 });
  }
});
