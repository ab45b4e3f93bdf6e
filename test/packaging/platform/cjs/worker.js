// A platform's worker process (CommonJS): its own workflow and activity, plus adoption enablement in three lines.
const { Client, Connection } = require('@temporalio/client');
const { NativeConnection, Worker } = require('@temporalio/worker');
const { AdoptionEnablementPlugin, enablementClient } = require('adoption-enablement/plugin');
const { migrate, openDatabase, replayAll, seedStalledSignal, waitForState } = require('adoption-enablement/testing');
const activities = require('./activities.js');

async function main() {
  const { TEMPORAL_ADDRESS: address, TASK_QUEUE: taskQueue, DATA_DIR: dataDir } = process.env;
  const db = await openDatabase({ dataDir });
  await migrate(db);
  const workflowsPath = require.resolve('./workflows');

  const enablement = new AdoptionEnablementPlugin({ taskQueue, deps: { db, email: { from: 'Dana Reyes <dana@vendor.example>' }, log: () => {} } });
  const client = new Client({ connection: await Connection.connect({ address }), plugins: [enablement] });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowsPath,
    activities,
    plugins: [enablement],
  });

  const result = await worker.runUntil(async () => {
    const own = await client.workflow.execute('onboardingWorkflow', { taskQueue, workflowId: `onboarding-${Date.now()}`, args: ['Ada'] });
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

  result.replayed = await replayAll({ workflowsPath, plugins: [enablement] });
  await db.close();
  await client.connection.close();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
