import type { EmailDraftResult } from '../delegate_to_agent/agents/contracts';
import type { SendEmailArgs } from './activity';
import type { StepContext } from '../../adoption/model/run-facts';
import { createActivities as createDelegateToAgentActivity } from '../delegate_to_agent/activity';
import { createActivities as createSendEmailActivity } from './activity';
import type { ActivityDeps } from '../activity-deps';
import { PRD_RESOURCES, runFacts, seedAdoption, seedCatalog, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { startSmtpServer, type SmtpTestServer } from '../../test/support/smtp-server';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('send_email activity', () => {
  let test: TestDatabase;
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    test = await createTestDatabase();
    smtp = await startSmtpServer();
    await seedCatalog(test.db, {
      featureId: 'advanced_analytics',
      featureName: 'Advanced Analytics Dashboard',
      category: 'analytics',
      importance: 85,
      resources: PRD_RESOURCES,
    });
  });
  afterAll(async () => {
    await smtp.close();
    await test.dispose();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
  });

  const deps = (overrides: Partial<ActivityDeps> = {}): ActivityDeps => ({
    db: test.db,
    email: { smtpUrl: smtp.url, from: 'Enablement <enablement@vendor.example>' },
    now: () => NOW,
    ...overrides,
  });

  /** A customer with a stalled feature and a draft written by the built-in communicator, as a run would have them. */
  async function runWithDraft(requiresApproval = true): Promise<{ customerId: string; context: StepContext; draft: EmailDraftResult }> {
    const customerId = await seedCustomer(test.db);
    await seedAdoption(test.db, customerId, 'advanced_analytics', {
      featureName: 'Advanced Analytics Dashboard',
      activatedAt: new Date('2026-01-01T00:00:00Z'),
      usageScore: 15,
    });
    const context = stepContext(customerId, { stepId: 'draft_enablement_email' });
    const draft = (await createDelegateToAgentActivity(deps()).delegateToAgent(context, {
      agent: 'communicator',
      action: 'draft_email',
      params: { template: 'feature_enablement', resources: PRD_RESOURCES as never, requires_approval: requiresApproval },
      input: runFacts(customerId),
    })) as unknown as EmailDraftResult;
    return { customerId, context: { ...context, stepId: 'send_enablement_email' }, draft };
  }

  const draftRow = async (id: string) =>
    (
      await test.db.query<Record<string, unknown>>(
        `SELECT status, subject, body, decided_by, decided_at, decision_reason, sent_at FROM email_drafts WHERE id = $1`,
        [id],
      )
    ).rows[0];

  const interventionsOf = async (workflowId: string) =>
    (
      await test.db.query<{ delivery: string; performed_by: string | null }>(
        `SELECT delivery, performed_by FROM interventions WHERE workflow_id = $1`,
        [workflowId],
      )
    ).rows;

  it('approve: sends the stored draft over SMTP and records the intervention per feature (FR-4.2)', async () => {
    const { customerId, context, draft } = await runWithDraft();
    const args: SendEmailArgs = { draftId: draft.draftId, decision: { decision: 'approve', by: 'casey@vendor.example' } };
    const result = await createSendEmailActivity(deps()).sendEmail(context, args);

    expect(result).toEqual({
      sent: true,
      status: 'sent',
      delivered: 'smtp',
      messageId: `<draft-${draft.draftId}@vendor.example>`,
      subject: draft.subject,
    });
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail.to).toEqual(['dana@techcorp.example']);
    expect(mail.from).toBe('enablement@vendor.example');
    expect(mail.subject).toBe('Getting more value from Advanced Analytics Dashboard');
    expect(mail.headers['reply-to']).toContain('casey@vendor.example');
    expect(mail.messageId).toBe(result.messageId);
    expect(mail.text).toContain('Hi Dana Champion,');
    expect(mail.text).toContain('- Quick Start Guide: https://docs.example.com/analytics/quick-start');

    expect(await draftRow(draft.draftId)).toMatchObject({ status: 'sent', decided_by: 'casey@vendor.example', sent_at: NOW });
    const interventions = await test.db.query<Record<string, unknown>>(
      `SELECT idempotency_key, feature_id, intervention_type, adoption_before, resources_shared, workflow_id, occurred_at, feature_adoption_id IS NOT NULL AS linked
         FROM interventions WHERE customer_id = $1`,
      [customerId],
    );
    expect(interventions.rows).toEqual([
      {
        idempotency_key: `${context.workflowId}/send_enablement_email/advanced_analytics`,
        feature_id: 'advanced_analytics',
        intervention_type: 'email',
        adoption_before: 15,
        // Ranked for a started feature (a beginner guide first) and without the webinar whose session (Feb 15) is past.
        resources_shared: ['https://docs.example.com/analytics/quick-start', 'https://training.example.com/analytics-overview'],
        workflow_id: context.workflowId,
        occurred_at: NOW,
        linked: true,
      },
    ]);
    const adoption = await test.db.query(`SELECT intervention_sent_at, intervention_type FROM feature_adoption WHERE customer_id = $1`, [customerId]);
    expect(adoption.rows).toEqual([{ intervention_sent_at: NOW, intervention_type: 'email' }]);
  });

  it('is idempotent: a repeated call returns the earlier result without sending again', async () => {
    const { customerId, context, draft } = await runWithDraft();
    const activity = createSendEmailActivity(deps());
    const args: SendEmailArgs = { draftId: draft.draftId, decision: { decision: 'approve', by: 'casey' } };
    // Two attempts at once (a timed-out attempt still running while its retry starts), then a late retry.
    const [first, second] = await Promise.all([activity.sendEmail(context, args), activity.sendEmail(context, args)]);
    const third = await activity.sendEmail(context, args);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(first).toMatchObject({ sent: true, delivered: 'smtp' });
    expect(smtp.messages).toHaveLength(1);
    const count = await test.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM interventions WHERE customer_id = $1`, [customerId]);
    expect(count.rows[0].n).toBe(1);
  });

  it("edit: stores and sends the CSM's subject and body", async () => {
    const { context, draft } = await runWithDraft();
    const decision = {
      decision: 'edit' as const,
      by: 'casey',
      subject: 'A quick idea for your dashboards',
      body: 'Hi Dana,\n\nShort version: https://docs.example.com/short\n\nCasey\n',
    };
    const result = await createSendEmailActivity(deps()).sendEmail(context, { draftId: draft.draftId, decision });
    expect(result).toMatchObject({ sent: true, status: 'sent', subject: 'A quick idea for your dashboards' });
    expect(smtp.messages[0].subject).toBe('A quick idea for your dashboards');
    expect(smtp.messages[0].text).toContain('Short version: https://docs.example.com/short');
    expect(await draftRow(draft.draftId)).toMatchObject({ status: 'sent', subject: decision.subject, body: decision.body });
    const shared = await test.db.query<{ resources_shared: string[] }>(`SELECT resources_shared FROM interventions WHERE workflow_id = $1`, [
      context.workflowId,
    ]);
    expect(shared.rows[0].resources_shared).toEqual(['https://docs.example.com/short']);
  });

  it('reject: records who and why, sends nothing, records no intervention', async () => {
    const { customerId, context, draft } = await runWithDraft();
    const activity = createSendEmailActivity(deps());
    const args: SendEmailArgs = { draftId: draft.draftId, decision: { decision: 'reject', by: 'casey', reason: 'customer is on holiday' } };
    const result = await activity.sendEmail(context, args);
    expect(result).toEqual({ sent: false, status: 'rejected', delivered: null, messageId: null, subject: draft.subject });
    expect(await activity.sendEmail(context, args)).toEqual(result);
    expect(smtp.messages).toHaveLength(0);
    expect(await draftRow(draft.draftId)).toMatchObject({
      status: 'rejected',
      decided_by: 'casey',
      decision_reason: 'customer is on holiday',
      decided_at: NOW,
      sent_at: null,
    });
    const count = await test.db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM interventions WHERE customer_id = $1`, [customerId]);
    expect(count.rows[0].n).toBe(0);
  });

  it('no decision on a draft awaiting approval: the draft expires unsent', async () => {
    const { context, draft } = await runWithDraft(true);
    const result = await createSendEmailActivity(deps()).sendEmail(context, { draftId: draft.draftId, decision: null });
    expect(result).toEqual({ sent: false, status: 'expired', delivered: null, messageId: null, subject: draft.subject });
    expect(smtp.messages).toHaveLength(0);
    expect(await draftRow(draft.draftId)).toMatchObject({ status: 'expired', decision_reason: 'approval timed out' });
  });

  it('no decision on a draft that needed no approval: it is sent', async () => {
    const { context, draft } = await runWithDraft(false);
    const result = await createSendEmailActivity(deps()).sendEmail(context, { draftId: draft.draftId });
    expect(result).toMatchObject({ sent: true, status: 'sent', delivered: 'smtp' });
    expect(smtp.messages).toHaveLength(1);
    // Sent without anyone's decision: an intervention nobody performed, delivered.
    expect(await interventionsOf(context.workflowId)).toEqual([{ delivery: 'delivered', performed_by: null }]);
  });

  it('without SMTP the approved email goes to the outbox, once', async () => {
    const { context, draft } = await runWithDraft();
    const activity = createSendEmailActivity(deps({ email: undefined }));
    const args: SendEmailArgs = { draftId: draft.draftId, decision: { decision: 'approve', by: 'casey' }, to: 'ops@techcorp.example' };
    const result = await activity.sendEmail(context, args);
    expect(result).toEqual({ sent: true, status: 'sent', delivered: 'outbox', messageId: null, subject: draft.subject });
    expect(await activity.sendEmail(context, args)).toEqual(result);
    const outbox = await test.db.query<{
      channel: string;
      recipient: string;
      delivered: boolean;
      payload: { subject: string; body: string; draftId: string };
    }>(`SELECT channel, recipient, delivered, payload FROM outbox WHERE idempotency_key = $1`, [`${context.workflowId}/send_enablement_email`]);
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0]).toMatchObject({
      channel: 'email',
      recipient: 'ops@techcorp.example',
      delivered: false,
      payload: { subject: draft.subject, body: draft.body, draftId: draft.draftId },
    });
    expect(smtp.messages).toHaveLength(0);
    // Waiting in the outbox: queued (the reports do not count it yet), performed by whoever approved it.
    expect(await interventionsOf(context.workflowId)).toEqual([{ delivery: 'queued', performed_by: 'casey' }]);
  });

  it('a transient SMTP refusal is retryable and leaves the draft unsent; a permanent one is final', async () => {
    const { context, draft } = await runWithDraft();
    const activity = createSendEmailActivity(deps());
    const args: SendEmailArgs = { draftId: draft.draftId, decision: { decision: 'approve', by: 'casey' } };
    smtp.rejectNext(1, 451);
    await expect(activity.sendEmail(context, args)).rejects.toMatchObject({ type: 'EmailUnavailable', nonRetryable: false });
    expect(await draftRow(draft.draftId)).toMatchObject({ status: 'pending_approval', sent_at: null });
    await expect(activity.sendEmail(context, args)).resolves.toMatchObject({ sent: true });

    const other = await runWithDraft();
    smtp.rejectNext(1, 550);
    await expect(
      createSendEmailActivity(deps()).sendEmail(other.context, { draftId: other.draft.draftId, decision: { decision: 'approve', by: 'casey' } }),
    ).rejects.toMatchObject({
      type: 'EmailRejected',
      nonRetryable: true,
    });
  });

  it('refuses a draft that does not exist without retrying', async () => {
    const customerId = await seedCustomer(test.db);
    await expect(
      createSendEmailActivity(deps()).sendEmail(stepContext(customerId), { draftId: '00000000-0000-4000-8000-00000000dead', decision: null }),
    ).rejects.toMatchObject({ type: 'EmailDraftNotFound', nonRetryable: true });
  });
});
