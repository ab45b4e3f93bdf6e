import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { ActivityDeps } from '../../steps/activity-deps';
import type { Plan } from '../../definitions/plan';
import { loadShippedPlans } from '../../definitions/compile';
import { createWorker } from '../../worker/create-worker';
import { startEnablementForSignal } from '../../client/start-enablement';
import { stateQuery, type EnablementState } from '../../workflows/messages';
import type { EnablementResult } from '../../workflows/enablement';
import { createTestDatabase, type TestDatabase } from './test-database';
import { startSlackServer, type SlackTestServer } from './slack-server';
import { startSmtpServer, type SmtpTestServer } from './smtp-server';
import { testWorkflowBundle } from './workflow-bundle';

/**
 * One test file's world for enablement runs: its own database, a Slack-protocol server and an SMTP server on
 * 127.0.0.1, and a worker on the given Temporal server with the real activities and the shipped definition.
 */
export interface EnablementHarness {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  slack: SlackTestServer;
  smtp: SmtpTestServer;
  taskQueue: string;
  plans: Plan[];
  start(signalId: string): ReturnType<typeof startEnablementForSignal>;
  handle(workflowId: string): WorkflowHandle;
  /** Polls the `state` query until `predicate` holds (queries do not advance time on the time-skipping server). */
  waitForState(workflowId: string, predicate: (state: EnablementState) => boolean): Promise<EnablementState>;
  result(workflowId: string): Promise<EnablementResult>;
  close(): Promise<void>;
}

export async function createEnablementHarness(
  env: TestWorkflowEnvironment,
  plans = loadShippedPlans(),
  moreDeps: Partial<ActivityDeps> = {},
): Promise<EnablementHarness> {
  const database = await createTestDatabase();
  const slack = await startSlackServer();
  const smtp = await startSmtpServer();
  const taskQueue = `enablement-${randomUUID()}`;
  const worker: Worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    bundle: await testWorkflowBundle(),
    deps: {
      db: database.db,
      temporal: { client: env.client, taskQueue },
      slack: { token: 'xoxb-test-token', apiUrl: slack.apiUrl },
      email: { smtpUrl: smtp.url, from: 'Dana Reyes <dana@vendor.example>' },
      log: () => undefined,
      ...moreDeps,
    },
  });
  const running = worker.run();
  const handle = (workflowId: string) => env.client.workflow.getHandle(workflowId);
  return {
    env,
    database,
    slack,
    smtp,
    taskQueue,
    plans,
    start: (signalId) => startEnablementForSignal({ client: env.client, db: database.db, signalId, plans, taskQueue }),
    handle,
    async waitForState(workflowId, predicate) {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        try {
          const state = await handle(workflowId).query(stateQuery);
          if (predicate(state)) return state;
        } catch {
          // The first workflow task may not have run yet; the query fails until it has.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${workflowId}: the state never matched`);
    },
    result: (workflowId) => handle(workflowId).result() as Promise<EnablementResult>,
    async close() {
      worker.shutdown();
      await running;
      await slack.close();
      await smtp.close();
      await database.dispose();
    },
  };
}

/**
 * Registers beforeAll/afterAll for a test file that needs a Temporal server and an enablement harness on it;
 * returns the harness for use inside tests.
 */
export function useEnablementHarness(
  connect: () => Promise<TestWorkflowEnvironment>,
  plans?: Plan[],
  moreDeps?: () => Partial<ActivityDeps>,
): () => EnablementHarness {
  let env: TestWorkflowEnvironment | undefined;
  let harness: EnablementHarness | undefined;
  beforeAll(async () => {
    env = await connect();
    harness = await createEnablementHarness(env, plans, moreDeps?.());
  });
  afterAll(async () => {
    await harness?.close();
    await env?.teardown();
  });
  return () => {
    if (!harness) throw new Error('the enablement harness is not ready: use it inside a test');
    return harness;
  };
}
