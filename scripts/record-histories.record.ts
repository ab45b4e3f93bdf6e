/**
 * Records replay histories from real runs on the Temporal dev server into test/replay/histories/.
 *
 *   npm run record-histories
 *
 * Append-only: an existing history file is NEVER overwritten (a history is a promise that runs started by an
 * earlier interpreter still replay). To record a new scenario, add it below under a new file name. If a change to
 * workflow code fails replay, the change is what must be fixed (or guarded with `patched()`), not the history.
 *
 * The shipped definition waits 72 hours for approval and 14 days for adoption; the dev server does not skip time,
 * so recordings compile the shipped YAML and shorten those durations to seconds. The interpreter's commands and
 * their order are the same, which is what replay checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadShippedPlans } from '../definitions/compile';
import type { Plan } from '../definitions/plan';
import type { PlanStep } from '../steps';
import { createActivities } from '../activities';
import { createWorker } from '../worker/create-worker';
import { startEnablementForSignal } from '../client/start-enablement';
import { shareResources } from '../web/resource-share';
import { connectDevServer } from '../test/support/temporal';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { exportHistory } from '../test/support/history-export';
import { seedCustomer, seedStalledSignal } from '../test/support/seed';
import { startSlackServer, type SlackTestServer } from '../test/support/slack-server';
import { startSmtpServer, type SmtpTestServer } from '../test/support/smtp-server';
import { testWorkflowBundle } from '../test/support/workflow-bundle';
import {
  emailDecisionSignal,
  featureNotNeededSignal,
  recoveredSignal,
  stateQuery,
  trainingBookedSignal,
  type EnablementState,
} from '../workflows/messages';

const FLAKY_AGENT_CUSTOMER = 'Flaky Agent Corp';
const HISTORIES_DIR = path.resolve(__dirname, '..', 'test', 'replay', 'histories');
const TASK_QUEUE = 'record-histories';

function shortened(plan: Plan): Plan {
  const steps = plan.steps.map((step): PlanStep => {
    if (step.action === 'wait') return { ...step, config: { ...step.config, seconds: 4 } };
    if (step.action === 'wait_for_signal') return { ...step, config: { ...step.config, timeoutSeconds: 3 } };
    return step;
  });
  return { ...plan, steps };
}

interface Scenario {
  file: string;
  features: string[];
  customerName?: string;
  /** What happens to the run after it starts; resolves when the run may be awaited. */
  drive(workflowId: string): Promise<void>;
}

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let slack: SlackTestServer;
let smtp: SmtpTestServer;

const handle = (workflowId: string) => env.client.workflow.getHandle(workflowId);

async function waitFor(workflowId: string, predicate: (state: EnablementState) => boolean): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const state = await handle(workflowId)
      .query(stateQuery)
      .catch(() => undefined);
    if (state && predicate(state)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${workflowId}: expected state never reached`);
}

const atApproval = (workflowId: string) => waitFor(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
const approve = (workflowId: string) => handle(workflowId).signal(emailDecisionSignal, { decision: 'approve', by: 'recorder@vendor.example' });

const SCENARIOS: Scenario[] = [
  {
    file: 'enablement-happy-path.json',
    features: ['advanced_analytics'],
    drive: async (id) => {
      await atApproval(id);
      await approve(id);
    },
  },
  {
    file: 'enablement-email-rejected.json',
    features: ['workflow_automation'],
    drive: async (id) => {
      await atApproval(id);
      await handle(id).signal(emailDecisionSignal, { decision: 'reject', by: 'recorder@vendor.example', reason: 'will call instead' });
    },
  },
  { file: 'enablement-approval-timed-out.json', features: ['custom_reports'], drive: async () => undefined },
  {
    file: 'enablement-recovered-early.json',
    features: ['advanced_analytics'],
    drive: async (id) => {
      await atApproval(id);
      await approve(id);
      await waitFor(id, (state) => state.step.id === 'wait_for_adoption');
      await handle(id).signal(recoveredSignal, { featureId: 'advanced_analytics', detectedAt: '2026-11-26T10:00:00Z' });
    },
  },
  {
    file: 'enablement-three-stalled-features.json',
    features: ['advanced_analytics', 'workflow_automation', 'custom_reports'],
    drive: async (id) => {
      await atApproval(id);
      await approve(id);
    },
  },
  {
    file: 'enablement-agent-fails-twice.json',
    features: ['workflow_automation'],
    customerName: FLAKY_AGENT_CUSTOMER,
    drive: async (id) => {
      await atApproval(id);
      await approve(id);
    },
  },
  {
    // The `feature-not-needed-signal` patch: the only feature is marked not needed while the run waits for approval.
    file: 'enablement-feature-not-needed.json',
    features: ['custom_reports'],
    drive: async (id) => {
      await atApproval(id);
      await handle(id).signal(featureNotNeededSignal, {
        featureId: 'custom_reports',
        notNeeded: true,
        by: 'recorder@vendor.example',
        reason: 'the customer reports in its own BI tool',
      });
    },
  },
  {
    // The champion books a training session from the email's link while the run waits for adoption (`trainingBooked`).
    file: 'enablement-training-booked.json',
    features: ['advanced_analytics'],
    drive: async (id) => {
      await atApproval(id);
      await approve(id);
      await waitFor(id, (state) => state.step.id === 'wait_for_adoption');
      await handle(id).signal(trainingBookedSignal, { bookingId: '5b0e3c1a-8f1e-4d7e-9a52-0c1d2e3f4a5b', slotStart: '2026-12-03T15:00:00Z' });
    },
  },
  {
    // The CSM clicks Share Resources while the run waits for approval: the champion gets the resources by email (no
    // message to the run: its history shows the run going on undisturbed, which is what replay must keep true).
    file: 'enablement-resources-shared.json',
    features: ['workflow_automation'],
    drive: async (id) => {
      await atApproval(id);
      const { rows } = await database.db.query<{ customer_id: string }>(`SELECT customer_id FROM risk_signals WHERE workflow_id = $1`, [id]);
      const shared = await shareResources(
        {
          db: database.db,
          now: () => new Date(),
          email: { smtpUrl: smtp.url, from: 'cs@vendor.example' },
          links: null,
          temporalClient: async () => env.client,
          taskQueue: TASK_QUEUE,
        },
        { clickKey: `slack/${id}/recorder`, source: 'slack', customerId: rows[0].customer_id, workflowId: id, requestedBy: 'recorder' },
      );
      if (shared.kind !== 'sent') throw new Error(`share not sent: ${shared.kind}`);
      await approve(id);
    },
  },
];

beforeAll(async () => {
  env = await connectDevServer();
  database = await createTestDatabase();
  slack = await startSlackServer();
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await slack?.close();
  await smtp?.close();
  await database?.dispose();
  await env?.teardown();
});

it('records every scenario that has no history file yet', async () => {
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const todo = SCENARIOS.filter((scenario) => !fs.existsSync(path.join(HISTORIES_DIR, scenario.file)));
  const plans = loadShippedPlans().map(shortened);
  const real = createActivities({
    db: database.db,
    slack: { token: 'xoxb-recorder', apiUrl: slack.apiUrl },
    email: { smtpUrl: smtp.url, from: 'cs@vendor.example' },
  });
  // The agent-failure scenario needs the researcher to fail twice before succeeding, as a flaky agent service would.
  const delegateToAgent: typeof real.delegateToAgent = async (context, args) => {
    const { attempt } = Context.current().info;
    if (args.input.customer.name === FLAKY_AGENT_CUSTOMER && args.action === 'analyze_adoption_gap' && attempt <= 2) {
      throw ApplicationFailure.retryable(`agent unavailable (attempt ${attempt})`, 'AgentUnavailable');
    }
    return real.delegateToAgent(context, args);
  };
  const worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    bundle: await testWorkflowBundle(),
    deps: { db: database.db },
    activities: { ...real, delegateToAgent },
  });
  await worker.runUntil(async () => {
    for (const scenario of todo) {
      const customerId = scenario.customerName ? await seedCustomer(database.db, { name: scenario.customerName }) : undefined;
      const seeded = await seedStalledSignal(database.db, scenario.features, customerId);
      const started = await startEnablementForSignal({
        client: env.client,
        db: database.db,
        signalId: seeded.signalId,
        plans,
        taskQueue: TASK_QUEUE,
      });
      await scenario.drive(started.workflowId);
      await handle(started.workflowId).result();
      const json = await exportHistory(env.client, started.workflowId);
      fs.writeFileSync(path.join(HISTORIES_DIR, scenario.file), json);
      process.stderr.write(`recorded ${scenario.file} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)\n`);
    }
  });
  expect(SCENARIOS.every((scenario) => fs.existsSync(path.join(HISTORIES_DIR, scenario.file)))).toBe(true);
});
