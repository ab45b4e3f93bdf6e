import { startTimeSkippingServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { emailDecisionSignal, recoveredSignal, REJECTED_ERROR_CHARS, REJECTED_MESSAGES_KEPT } from '../../workflows/messages';

/**
 * Issue 8: a refused signal is recorded as a short summary (signal, field, reason), never its payload, and only the
 * newest REJECTED_MESSAGES_KEPT are listed. On the time-skipping server: 60 signals of 1 MB each (a 1 MB decision,
 * a 1 MB featureId, a 1 MB unknown field, JSON nested 1,000 deep) arrive while the run waits for approval; the
 * `state` query still answers (small), the run still takes the real decision, and it completes.
 */
const world = useEnablementHarness(startTimeSkippingServer);
const MB = 'x'.repeat(1024 * 1024);

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { decision: value };
  return value;
}

it('60 rejected 1 MB signals leave the state query working and the run alive; the run then completes', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
  const { workflowId } = await world().start(seeded.signalId);
  await world().waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
  const handle = world().handle(workflowId);

  const hostile: Array<[string, unknown]> = [
    [emailDecisionSignal.name, { decision: MB, by: 'mallory' }],
    [emailDecisionSignal.name, { decision: 'approve', by: 'mallory', [`note${MB.slice(0, 100)}`]: MB }],
    [emailDecisionSignal.name, { decision: 'edit', by: 'mallory', subject: MB }],
    [recoveredSignal.name, { featureId: MB, detectedAt: '2026-03-01T10:00:00Z' }],
    [recoveredSignal.name, { featureId: 'advanced_analytics', detectedAt: `2026-02-30T10:00:00Z${MB.slice(0, 1000)}`, pad: MB }],
  ];
  for (let index = 0; index < 59; index += 1) {
    const [name, payload] = hostile[index % hostile.length];
    await handle.signal(name, payload);
  }
  await handle.signal(emailDecisionSignal.name, deep(1000));

  const state = await world().waitForState(workflowId, (current) => current.rejectedMessageCount === 60);
  expect(state).toMatchObject({ status: 'waiting', step: { id: 'await_approval' } });
  expect(state.rejectedMessages).toHaveLength(REJECTED_MESSAGES_KEPT);
  for (const rejected of state.rejectedMessages) {
    expect(rejected.error.length).toBeLessThanOrEqual(REJECTED_ERROR_CHARS);
    expect(rejected.field.length).toBeLessThanOrEqual(41);
  }
  expect(JSON.stringify(state).length).toBeLessThan(10_000);
  expect(state.rejectedMessages.map((rejected) => rejected.field)).toEqual(expect.arrayContaining(['decision', 'featureId', 'subject']));
  expect(state.rejectedMessages[state.rejectedMessages.length - 1]).toEqual({
    signal: 'emailDecision',
    field: 'decision',
    error: 'decision: must be one of approve, edit, reject, got an object',
  });

  await handle.signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' });
  const result = await world().result(workflowId);
  expect(result.status).toBe('completed');
  const { rows } = await world().database.db.query<{ status: string }>(`SELECT status FROM email_drafts WHERE workflow_id = $1`, [workflowId]);
  expect(rows).toEqual([{ status: 'sent' }]);
});
