import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AdoptionEnablementPlugin, enablementClient, findPlugin } from '../../plugin';
import { prepareTestEnvironment, replayAll, seedStalledSignal, waitForState, listHistories } from '../../testing';
import type { Db } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startTimeSkippingServer } from '../support/temporal';
import { testWorkflowBundle } from '../support/workflow-bundle';

/**
 * The plugin as a platform uses it, in this repository: on the platform's own `Worker.create` and `Client` on the
 * time-skipping server with the `./testing` fixtures (a run to its end, 14 days skipped), through replay, and the
 * refusals that keep a wrong wiring from starting. The packed package is tested in test/packaging (npm run test:package).
 */
let env: TestWorkflowEnvironment;
let database: TestDatabase;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.dispose();
  await env?.teardown();
});

it('runs an enablement run from the testing fixtures to its outcome on a time-skipping environment', async () => {
  const taskQueue = `plugin-${randomUUID()}`;
  const enablement = new AdoptionEnablementPlugin({
    taskQueue,
    deps: { db: database.db, email: { from: 'Dana Reyes <dana@vendor.example>' }, log: () => undefined },
    workflowBundle: await testWorkflowBundle(),
  });
  await prepareTestEnvironment(env);
  const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, plugins: [enablement] });
  const runs = enablementClient(env.client, { plugin: enablement });
  const { signalId } = await seedStalledSignal(database.db);

  const result = await worker.runUntil(async () => {
    const { workflowId, started } = await runs.startForSignal(signalId);
    expect(started).toBe(true);
    expect((await runs.startForSignal(signalId)).started).toBe(false);
    const waiting = await waitForState(env.client, workflowId, (state) => state.status === 'waiting' && state.step.id === 'await_approval');
    expect(waiting.features.map((feature) => feature.featureId)).toEqual(['advanced_analytics', 'workflow_automation']);
    await expect(runs.decide(workflowId, { decision: 'aprove' as never, by: 'dana@vendor.example' })).rejects.toThrow(/decision/);
    await runs.decide(workflowId, { decision: 'approve', by: 'dana@vendor.example' });
    return runs.result(workflowId); // the 14-day wait is skipped by the test server
  });
  expect(result).toBeDefined();
  const sent = await database.db.query<{ channel: string }>(`SELECT channel FROM outbox WHERE recipient = 'priya@techcorp.example'`);
  expect(sent.rows).toEqual([{ channel: 'email' }]);
});

it('replays every committed history through the plugin', async () => {
  const enablement = new AdoptionEnablementPlugin({ workflowBundle: await testWorkflowBundle() });
  await expect(replayAll({ plugins: [enablement] })).resolves.toEqual(listHistories().map((name) => name.replace(/\.json$/, '')));
});

describe('refuses a wiring that would not work', () => {
  const db = {} as Db;
  const bundle = { code: 'enablementWorkflow detectionWorkflow' };

  it('a worker on another task queue than the runs start on', async () => {
    const enablement = new AdoptionEnablementPlugin({ deps: { db }, registerSearchAttributes: false, workflowBundle: bundle });
    await expect(enablement.configureWorker({ taskQueue: 'platform' })).rejects.toThrow(
      /polls task queue 'platform', but enablement runs start on 'adoption-enablement'/,
    );
  });

  it('an activity of the platform with the name of one of ours', async () => {
    const enablement = new AdoptionEnablementPlugin({ taskQueue: 'platform', deps: { db }, registerSearchAttributes: false, workflowBundle: bundle });
    const configure = enablement.configureWorker({
      taskQueue: 'platform',
      activities: { sendEmail: async () => undefined, greet: async () => 'hi' },
    });
    await expect(configure).rejects.toThrow(/already registers activities named sendEmail/);
  });

  it('a worker bundle without our workflows', async () => {
    const enablement = new AdoptionEnablementPlugin({ taskQueue: 'platform', deps: { db }, registerSearchAttributes: false });
    await expect(enablement.configureWorker({ taskQueue: 'platform', workflowBundle: { code: 'platform only' } })).rejects.toThrow(
      /export \* from 'adoption-enablement\/workflows'/,
    );
  });

  it('a worker without activity dependencies', async () => {
    const enablement = new AdoptionEnablementPlugin({ registerSearchAttributes: false, workflowBundle: bundle });
    await expect(enablement.configureWorker({ taskQueue: 'adoption-enablement' })).rejects.toThrow(/needs the activity dependencies/);
  });

  it('a client without the plugin', () => {
    expect(findPlugin(env.client)).toBeUndefined();
    expect(() => enablementClient(env.client)).toThrow(/has no AdoptionEnablementPlugin/);
  });
});
