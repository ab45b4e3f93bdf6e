import { connectDevServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { runCli } from '../support/run-cli';

/** `decide`, `recovered` and `state`: the run's message contract from a terminal, on the dev server. */
const world = useEnablementHarness(connectDevServer);
const cliEnv = () => ({ TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: world().taskQueue });

it('refuses a malformed decision naming the field, then approves and the run moves on', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
  const { workflowId } = await world().start(seeded.signalId);
  await world().waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');

  const refused = await runCli(['decide', '--workflow-id', workflowId, '--decision', 'maybe', '--by', 'dana@vendor.example'], cliEnv());
  expect(refused.exitCode).toBe(1);
  expect(refused.error?.message).toBe('decision: must be one of approve, edit, reject, got "maybe"');
  const untouched = await runCli(['state', '--workflow-id', workflowId], cliEnv());
  expect(JSON.parse(untouched.stdout)).toMatchObject({ status: 'waiting', step: { id: 'await_approval' }, rejectedMessages: [] });

  const approved = await runCli(['decide', '--workflow-id', workflowId, '--decision', 'approve', '--by', 'dana@vendor.example'], cliEnv());
  expect(approved.stdout).toBe(`sent emailDecision approve to ${workflowId}\n`);
  const following = await world().waitForState(workflowId, (state) => state.step.id === 'wait_for_adoption');
  expect(following.waitingFor).toBe('timer 14d or recovered');

  const recovered = await runCli(['recovered', '--workflow-id', workflowId, '--feature-id', 'advanced_analytics'], cliEnv());
  expect(recovered.exitCode).toBe(0);
  const done = await world().result(workflowId);
  // The signal ends the wait; the outcome is what the measurement finds, and no usage was seeded (docs/impact.md).
  expect(done.outcome).toBe('not_confirmed');
});
