import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { compileDefinition } from '../../definitions/compile';
import { startTimeSkippingServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';

/** The definition extensions at run time: `output`, `when`, `on_timeout: goto` and `on_timeout: fail`. */
const file = path.join(__dirname, '..', 'fixtures', 'definitions', 'extensions-run.yaml');
const compiled = compileDefinition(fs.readFileSync(file, 'utf8'), file);
const world = useEnablementHarness(startTimeSkippingServer, [compiled.plan!]);

async function tasksOf(workflowId: string) {
  const { rows } = await world().database.db.query<{ step_id: string; title: string; priority: string }>(
    `SELECT step_id, title, priority FROM tasks WHERE workflow_id = $1 ORDER BY created_at`,
    [workflowId],
  );
  return rows;
}

it('compiles', () => {
  expect(compiled.diagnostics).toEqual([]);
});

it('no approval: the timeout branch jumps over send, the output binding fills the task, the last timeout fails the run', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
  const { workflowId } = await world().start(seeded.signalId);
  const failure = await world()
    .result(workflowId)
    .catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect(((failure as WorkflowFailedError).cause as Error).message).toBe('step escalate: no recovered within 1h');

  // `only_for_smb` was skipped (mid_market), `send` was jumped over, `summary_task` used `analysis` (an output name).
  expect(await tasksOf(workflowId)).toEqual([
    { step_id: 'summary_task', title: 'Follow up on Advanced Analytics Dashboard: training_gap', priority: 'high' },
  ]);
  const drafts = await world().database.db.query<{ status: string }>(`SELECT status FROM email_drafts WHERE workflow_id = $1`, [workflowId]);
  expect(drafts.rows).toEqual([{ status: 'pending_approval' }]);
  const state = await world().handle(workflowId).query<{ status: string; step: { id: string } }>('state');
  expect(state).toMatchObject({ status: 'failed', step: { id: 'escalate' } });
});

it('approval in time: send runs, and a recovered signal satisfies the last wait', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['workflow_automation']);
  const { workflowId } = await world().start(seeded.signalId);
  await world().waitForState(workflowId, (state) => state.step.id === 'approval' && state.status === 'waiting');
  await world().handle(workflowId).signal('emailDecision', { decision: 'approve', by: 'dana@vendor.example' });
  await world().waitForState(workflowId, (state) => state.step.id === 'escalate' && state.status === 'waiting');
  await world().handle(workflowId).signal('recovered', { featureId: 'workflow_automation', detectedAt: '2026-11-26T09:00:00Z' });
  const result = await world().result(workflowId);
  expect(result.steps.only_for_smb).toEqual({ skipped: true });
  expect(result.steps.send).toMatchObject({ sent: true, status: 'sent' });
  expect(result.steps.escalate).toMatchObject({ received: true, timedOut: false });
});
