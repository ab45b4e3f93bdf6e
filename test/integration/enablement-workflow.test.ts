import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { startTimeSkippingServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { insertUsage } from '../support/activity-fixtures';
import { refreshRollups } from '../../adoption/ingest/usage-rollups';
import { utcDay } from '../../adoption/dates';
import { emailDecisionSignal } from '../../workflows/messages';
import { AdoptionOutcome, AdoptionStage } from '../../workflows/search-attributes';

/**
 * The shipped definition end to end on the time-skipping server: real activities, real Postgres, a real Slack-protocol
 * server and a real SMTP server on 127.0.0.1. The 72-hour approval timeout and the 14-day follow-up timer elapse in
 * skipped time, so every scenario runs to completion.
 */

const world = useEnablementHarness(startTimeSkippingServer);
const waitingForApproval = (workflowId: string) =>
  world().waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');

async function draftOf(workflowId: string) {
  const { rows } = await world().database.db.query<{ status: string; subject: string; decided_by: string | null; decision_reason: string | null }>(
    `SELECT status, subject, decided_by, decision_reason FROM email_drafts WHERE workflow_id = $1`,
    [workflowId],
  );
  return rows;
}

async function tasksOf(workflowId: string) {
  const { rows } = await world().database.db.query<{ title: string; priority: string; due_at: Date; created_at: Date; owner_email: string }>(
    `SELECT title, priority, due_at, created_at, owner_email FROM tasks WHERE workflow_id = $1 ORDER BY due_at`,
    [workflowId],
  );
  return rows;
}

const mailsTo = (address: string) => world().smtp.messages.filter((mail) => mail.to.includes(address));
const postsFor = (workflowId: string) =>
  world()
    .slack.calls('chat.postMessage')
    .filter((call) => JSON.stringify(call.body).includes(workflowId));

describe('enablement workflow (shipped definition, time-skipping server)', () => {
  it('happy path: alert, draft, tasks, approval, email sent, 14-day follow-up measured and reported', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const { workflowId, started } = await world().start(seeded.signalId);
    expect(started).toBe(true);
    expect(workflowId).toBe(`adoption-stalled/${seeded.customerId}/${seeded.signalId}`);

    const waiting = await waitingForApproval(workflowId);
    expect(waiting).toMatchObject({
      definition: { name: 'feature_adoption_enablement', version: '1.2' },
      step: { index: 8, total: 12, id: 'await_approval' },
      waitingFor: 'CSM approval of the enablement email',
      features: [{ featureId: 'advanced_analytics', stage: 'started', usageScore: 15 }],
    });
    // Before approval: the CSM has the Slack alert, a pending draft and both tasks; no email went out.
    const [alert] = postsFor(workflowId);
    expect(String(alert.body.text)).toContain('Feature Adoption Stalled: TechCorp');
    expect(String(alert.body.text)).toContain('Advanced Analytics Dashboard');
    expect(await draftOf(workflowId)).toEqual([expect.objectContaining({ status: 'pending_approval' })]);
    expect(mailsTo('priya@techcorp.example')).toHaveLength(0);

    // Usage resumes: 10 of the 40 seats on 7 of the last 14 days, so the follow-up measures round(100 * 7/14 * (0.5 +
    // 0.5 * 10/40)) = 31, engaged, past the low_usage_14d threshold of 20 that flagged it (docs/scoring.md).
    const touched = [];
    for (let day = 1; day <= 7; day += 1) {
      const at = new Date(Date.now() - day * 86_400_000);
      for (let user = 1; user <= 10; user += 1) {
        await insertUsage(world().database.db, { customerId: seeded.customerId, featureId: 'advanced_analytics', at, userId: `u${user}` });
      }
      touched.push({ customer_id: seeded.customerId, feature_id: 'advanced_analytics', day: utcDay(at) });
    }
    await refreshRollups(world().database.db, touched);

    await world().handle(workflowId).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' });
    const result = await world().result(workflowId);

    expect(result.status).toBe('completed');
    expect(result.outcome).toBe('recovered');
    expect(result.steps.measure_impact).toEqual({
      features: [{ featureId: 'advanced_analytics', before: 15, after: 31, stage: 'engaged', outcome: 'recovered', effectivenessScore: 100 }],
      outcome: 'recovered',
    });
    // The search attributes keep one meaning each: the stage is the measured one, the outcome has its own.
    const { typedSearchAttributes } = await world().handle(workflowId).describe();
    expect(typedSearchAttributes.get(AdoptionStage)).toBe('engaged');
    expect(typedSearchAttributes.get(AdoptionOutcome)).toBe('recovered');
    const [mail] = mailsTo('priya@techcorp.example');
    expect(mail.subject).toBe('Getting more value from Advanced Analytics Dashboard');
    expect(mail.text).toContain('Hi Priya Shah');
    expect(mail.text).toContain('https://training.example.com/analytics');
    expect(await draftOf(workflowId)).toEqual([expect.objectContaining({ status: 'sent', decided_by: 'dana@vendor.example' })]);

    const tasks = await tasksOf(workflowId);
    expect(tasks.map((task) => [task.title, task.priority, task.owner_email])).toEqual([
      ['Enable TechCorp on Advanced Analytics Dashboard', 'medium', 'dana@vendor.example'],
      ['Check Advanced Analytics Dashboard adoption for TechCorp', 'low', 'dana@vendor.example'],
    ]);
    // Each due date is its step's workflow time plus the offset; the two steps run milliseconds apart.
    const dueGapHours = (tasks[1].due_at.getTime() - tasks[0].due_at.getTime()) / 3_600_000;
    expect(dueGapHours).toBeCloseTo(14 * 24 - 72, 2);

    // The intervention is recorded with the adoption measured after the 14-day wait (FR-4.1, FR-4.2).
    const interventions = await world().database.db.query<{ intervention_type: string; adoption_after: number | null; outcome: string | null }>(
      `SELECT intervention_type, adoption_after, outcome FROM interventions WHERE workflow_id = $1`,
      [workflowId],
    );
    expect(interventions.rows).toEqual([{ intervention_type: 'email', adoption_after: 31, outcome: 'recovered' }]);
    expect(result.steps.wait_for_adoption).toMatchObject({ endedEarly: false, endedBy: 'timer' });
    // Two Slack messages to the CSM: the alert and the outcome of the follow-up.
    expect(postsFor(workflowId)).toHaveLength(2);
    expect(String(postsFor(workflowId)[1].body.text)).toContain('Advanced Analytics Dashboard');
  });

  it('approve with edits sends the CSM-edited subject and body', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['workflow_automation']);
    const { workflowId } = await world().start(seeded.signalId);
    await waitingForApproval(workflowId);
    await world().handle(workflowId).signal('emailDecision', {
      decision: 'edit',
      by: 'dana@vendor.example',
      subject: 'Quick idea for your hand-offs',
      body: 'Hi Priya, a 20-minute walkthrough of Workflow Automation? Dana',
    });
    await world().result(workflowId);
    const sent = world().smtp.messages.filter((mail) => mail.subject === 'Quick idea for your hand-offs');
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toContain('a 20-minute walkthrough of Workflow Automation?');
    expect(await draftOf(workflowId)).toEqual([expect.objectContaining({ status: 'sent', subject: 'Quick idea for your hand-offs' })]);
  });

  it('reject: nothing is sent and the rejection is recorded with its reason', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['custom_reports']);
    const mailsBefore = world().smtp.messages.length;
    const { workflowId } = await world().start(seeded.signalId);
    await waitingForApproval(workflowId);
    await world().handle(workflowId).signal('emailDecision', { decision: 'reject', by: 'dana@vendor.example', reason: 'calling them instead' });
    const result = await world().result(workflowId);
    expect(result.status).toBe('completed');
    expect(result.steps.send_enablement_email).toMatchObject({ sent: false, status: 'rejected' });
    expect(world().smtp.messages.length).toBe(mailsBefore);
    expect(await draftOf(workflowId)).toEqual([
      expect.objectContaining({ status: 'rejected', decided_by: 'dana@vendor.example', decision_reason: 'calling them instead' }),
    ]);
  });

  it('approval timeout: after 72 hours the draft expires unsent and the follow-up still runs', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const mailsBefore = world().smtp.messages.length;
    const { workflowId } = await world().start(seeded.signalId);
    const result = await world().result(workflowId);
    expect(result.steps.await_approval).toEqual({ received: false, timedOut: true, payload: null });
    expect(result.steps.send_enablement_email).toMatchObject({ sent: false, status: 'expired' });
    expect(world().smtp.messages.length).toBe(mailsBefore);
    expect(await draftOf(workflowId)).toEqual([expect.objectContaining({ status: 'expired' })]);
    expect(result.steps.measure_impact).toMatchObject({ features: [expect.objectContaining({ featureId: 'advanced_analytics' })] });
  });

  it('recovered early: the recovered signal ends the 14-day wait; without usage to show it the outcome is not_confirmed', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const { workflowId } = await world().start(seeded.signalId);
    await waitingForApproval(workflowId);
    await world().handle(workflowId).signal('emailDecision', { decision: 'approve', by: 'dana@vendor.example' });
    await world().waitForState(workflowId, (state) => state.step.id === 'wait_for_adoption' && state.status === 'waiting');
    await world().handle(workflowId).signal('recovered', { featureId: 'advanced_analytics', detectedAt: '2026-11-30T09:00:00Z' });
    const result = await world().result(workflowId);
    expect(result.steps.wait_for_adoption).toMatchObject({ endedEarly: true, endedBy: 'recovered' });
    // The signal ends the wait early, but the outcome is what the measurement finds (docs/impact.md): no usage was
    // seeded, so the reported recovery is recorded as not confirmed, never as "recovered, effectiveness 100".
    expect(result.outcome).toBe('not_confirmed');
    expect(result.steps.measure_impact).toMatchObject({
      features: [expect.objectContaining({ featureId: 'advanced_analytics', outcome: 'not_confirmed', effectivenessScore: 0 })],
    });
    const adoption = await world().database.db.query<{ intervention_outcome: string }>(
      `SELECT intervention_outcome FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'advanced_analytics'`,
      [seeded.customerId],
    );
    expect(adoption.rows).toEqual([{ intervention_outcome: 'not_confirmed' }]);
  });

  it('a malformed signal changes nothing and is listed in the state', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['workflow_automation']);
    const { workflowId } = await world().start(seeded.signalId);
    await waitingForApproval(workflowId);
    await world()
      .handle(workflowId)
      .signal('emailDecision', { decision: 'maybe', by: 'dana@vendor.example' } as never);
    const state = await world().waitForState(workflowId, (current) => current.rejectedMessages.length > 0);
    expect(state.rejectedMessages).toEqual([
      { signal: 'emailDecision', field: 'decision', error: expect.stringContaining('decision: must be one of approve, edit, reject') },
    ]);
    expect(state).toMatchObject({ status: 'waiting', step: { id: 'await_approval' } });
    await world().handle(workflowId).terminate('test done');
  });

  it('multiple stalls: three features in one signal make one run, one alert and one email naming all three', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['custom_reports', 'advanced_analytics', 'workflow_automation']);
    const { workflowId } = await world().start(seeded.signalId);
    await waitingForApproval(workflowId);
    const alerts = postsFor(workflowId);
    expect(alerts).toHaveLength(1);
    for (const name of ['Advanced Analytics Dashboard', 'Workflow Automation', 'Custom Reports']) {
      expect(String(alerts[0].body.text)).toContain(name);
    }
    await world().handle(workflowId).signal('emailDecision', { decision: 'approve', by: 'dana@vendor.example' });
    const result = await world().result(workflowId);
    // Most important feature first: it is the primary `{{feature_id}}` of the run.
    expect(result.features).toEqual(['advanced_analytics', 'workflow_automation', 'custom_reports']);
    const drafts = await draftOf(workflowId);
    expect(drafts).toHaveLength(1);
    expect(drafts[0].subject).toBe('Getting more value from Advanced Analytics Dashboard, Workflow Automation and Custom Reports');
    expect(await tasksOf(workflowId)).toHaveLength(2);
    expect(result.steps.measure_impact).toMatchObject({
      features: expect.arrayContaining([expect.objectContaining({ featureId: 'custom_reports' })]),
    });
  });

  it('already intervened: a feature with an intervention in the last 30 days is suppressed, no alert is sent', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    await world().database.db.query(
      `INSERT INTO interventions (customer_id, feature_id, intervention_type, workflow_id, occurred_at)
       VALUES ($1, 'advanced_analytics', 'call', 'an-earlier-run', NOW() - INTERVAL '10 days')`,
      [seeded.customerId],
    );
    const { workflowId } = await world().start(seeded.signalId);
    const result = await world().result(workflowId);
    expect(result).toMatchObject({ status: 'suppressed', outcome: 'suppressed', features: [] });
    expect(result.suppressed).toEqual([expect.objectContaining({ featureId: 'advanced_analytics' })]);
    expect(postsFor(workflowId)).toHaveLength(0);
    expect(await tasksOf(workflowId)).toHaveLength(0);
  });

  it("keeps the intervention cooldown of the rules it started under (adoption.config.yaml's, pinned in its input)", async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    await world().database.db.query(
      `INSERT INTO interventions (customer_id, feature_id, intervention_type, workflow_id, occurred_at)
       VALUES ($1, 'advanced_analytics', 'call', 'an-earlier-run', NOW() - INTERVAL '10 days')`,
      [seeded.customerId],
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cooldown-'));
    const file = path.join(dir, 'adoption.config.yaml');
    fs.writeFileSync(file, 'version: 1\ncooldowns:\n  intervention_days: 7\n');
    process.env.ADOPTION_CONFIG = file;
    let workflowId: string;
    try {
      ({ workflowId } = await world().start(seeded.signalId));
    } finally {
      delete process.env.ADOPTION_CONFIG;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Ten days ago is outside a 7-day cooldown: the run goes on to the CSM with the feature.
    const waiting = await waitingForApproval(workflowId);
    expect(waiting.features.map((feature) => feature.featureId)).toEqual(['advanced_analytics']);
    const described = await world().handle(workflowId).fetchHistory();
    const input = described.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(input!).toString()).cooldownDays).toBe(7);
    await world().handle(workflowId).terminate('test done');
  });

  it('already intervened on one of two features: the run goes on for the other alone', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics', 'custom_reports']);
    await world().database.db.query(
      `INSERT INTO interventions (customer_id, feature_id, intervention_type, workflow_id, occurred_at)
       VALUES ($1, 'advanced_analytics', 'call', 'an-earlier-run', NOW() - INTERVAL '3 days')`,
      [seeded.customerId],
    );
    const { workflowId } = await world().start(seeded.signalId);
    const waiting = await waitingForApproval(workflowId);
    expect(waiting.features.map((feature) => feature.featureId)).toEqual(['custom_reports']);
    const [alert] = postsFor(workflowId);
    expect(String(alert.body.text)).toContain('Custom Reports');
    expect(String(alert.body.text)).not.toContain('Advanced Analytics Dashboard');
    await world().handle(workflowId).signal('emailDecision', { decision: 'reject', by: 'dana@vendor.example' });
    const result = await world().result(workflowId);
    expect(result.features).toEqual(['custom_reports']);
    expect(result.suppressed).toEqual([expect.objectContaining({ featureId: 'advanced_analytics' })]);
  });

  it('a duplicate trigger finds the existing run instead of starting a second one', async () => {
    const seeded = await seedStalledSignal(world().database.db, ['workflow_automation']);
    const first = await world().start(seeded.signalId);
    const second = await world().start(seeded.signalId);
    expect(second).toMatchObject({ workflowId: first.workflowId, started: false });
    await waitingForApproval(first.workflowId);
    const description = await world().handle(first.workflowId).describe();
    expect(description.runId).toBe(first.runId);
    await world().handle(first.workflowId).terminate('test done');
    // Even once the run is closed, the same signal never starts a second run.
    const third = await world().start(seeded.signalId);
    expect(third.started).toBe(false);
    await expect(world().result(first.workflowId)).rejects.toBeInstanceOf(WorkflowFailedError);
  });
});
