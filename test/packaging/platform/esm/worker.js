// A platform's worker process (ESM): its own workflow and activity, plus adoption enablement in three lines; the
// workflow code is bundled once (with the plugin, which checks the re-export) and shared by worker and replay.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { AdoptionEnablementPlugin, enablementClient, MissingWorkflowsError } from 'adoption-enablement/plugin';
import { migrate, openDatabase, replayAll, seedStalledSignal, waitForState } from 'adoption-enablement/testing';
import * as activities from './activities.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function main() {
  const { TEMPORAL_ADDRESS: address, TASK_QUEUE: taskQueue, DATA_DIR: dataDir } = process.env;
  const db = await openDatabase({ dataDir });
  await migrate(db);

  const enablement = new AdoptionEnablementPlugin({ taskQueue, deps: { db, email: { from: 'Dana Reyes <dana@vendor.example>' }, log: () => {} } });
  const client = new Client({ connection: await Connection.connect({ address }), plugins: [enablement] });

  let missingError;
  try {
    await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows-without-ours.js', import.meta.url)),
      plugins: [enablement],
      logger: quiet,
    });
  } catch (error) {
    missingError = {
      isMissingWorkflowsError: String(error.message).includes(MissingWorkflowsError.name) || error instanceof MissingWorkflowsError,
      message: error.message,
    };
  }

  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    plugins: [enablement],
    logger: quiet,
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowBundle,
    activities,
    plugins: [enablement],
  });

  const result = await worker.runUntil(async () => {
    const own = await client.workflow.execute('onboardingWorkflow', { taskQueue, workflowId: `onboarding-${Date.now()}`, args: ['Grace'] });
    const runs = enablementClient(client);
    const { signalId } = await seedStalledSignal(db);
    const { workflowId, started } = await runs.startForSignal(signalId);
    const waiting = await waitForState(client, workflowId, (state) => state.status === 'waiting' && state.step.id === 'await_approval');
    await runs.decide(workflowId, { decision: 'approve', by: 'dana@vendor.example' });
    const approved = await waitForState(client, workflowId, (state) => state.step.id === 'wait_for_adoption');
    const outbox = await db.query(`SELECT channel, recipient FROM outbox WHERE idempotency_key LIKE '%' || $1 || '%' ORDER BY id`, [workflowId]);
    await runs.handle(workflowId).terminate('packed-package test done');
    return { own, started, waitingFor: waiting.waitingFor, afterApproval: approved.step.id, outbox: outbox.rows };
  });

  result.replayed = await replayAll({ workflowBundle, plugins: [enablement] });
  result.missingError = missingError;
  await db.close();
  await client.connection.close();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
