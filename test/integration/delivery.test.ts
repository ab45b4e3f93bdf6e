import type { ActivityDeps } from '../../steps/activity-deps';
import { relayOutbox, startOutboxRelay } from '../../channels/delivery-relay';
import { deliveryHooks } from '../../adoption/delivery-hooks';
import type { EmailDraftResult } from '../../steps/delegate_to_agent/agents/contracts';
import { createActivities as createDelegateToAgentActivity } from '../../steps/delegate_to_agent/activity';
import { createActivities as createSendEmailActivity, type SendEmailArgs } from '../../steps/send_email/activity';
import { createActivities as createSlackDmActivity, type SlackDmArgs } from '../../steps/slack_dm/activity';
import { PRD_RESOURCES, runFacts, seedAdoption, seedCatalog, seedCustomer, stepContext } from '../support/activity-fixtures';
import { startSlackServer, type SlackTestServer } from '../support/slack-server';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Exactly-once delivery (docs/delivery.md), counted at the real peers: the window a SIGKILL hits in the reliability
 * suite (the peer accepted, our delivered mark never committed) is opened here by a real Postgres error: a trigger
 * refuses the mark. The next attempt finds the claim open (in doubt) and must not make a second message at the peer.
 */
describe('exactly-once delivery', () => {
  let test: TestDatabase;
  let slack: SlackTestServer;
  let smtp: SmtpTestServer;
  let customerId: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    slack = await startSlackServer();
    smtp = await startSmtpServer();
    customerId = await seedCustomer(test.db);
    await seedCatalog(test.db, {
      featureId: 'advanced_analytics',
      featureName: 'Advanced Analytics Dashboard',
      category: 'analytics',
      importance: 85,
      resources: PRD_RESOURCES,
    });
    await seedAdoption(test.db, customerId, 'advanced_analytics', {
      featureName: 'Advanced Analytics Dashboard',
      activatedAt: new Date('2026-01-01T00:00:00Z'),
      usageScore: 15,
    });
    // The worker "dies" after the peer's acceptance: the delivered mark fails with a real Postgres error.
    await test.db.exec(`
      CREATE FUNCTION refuse_delivered_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: the mark of % never commits', NEW.idempotency_key; END $$;`);
  });
  afterAll(async () => {
    await slack.close();
    await smtp.close();
    await test.dispose();
  });
  beforeEach(() => {
    slack.requests.length = 0;
    smtp.messages.length = 0;
  });

  const refuseMarks = () =>
    test.db.exec(`CREATE TRIGGER refuse_delivered_mark BEFORE UPDATE ON outbox FOR EACH ROW
                  WHEN (NEW.delivered AND NOT OLD.delivered) EXECUTE FUNCTION refuse_delivered_mark()`);
  const allowMarks = () => test.db.exec(`DROP TRIGGER IF EXISTS refuse_delivered_mark ON outbox`);
  afterEach(allowMarks);

  const channels = (overrides: Partial<ActivityDeps> = {}): ActivityDeps => ({
    db: test.db,
    slack: { token: 'xoxb-test', apiUrl: slack.apiUrl },
    email: { smtpUrl: smtp.url, from: 'Enablement <enablement@vendor.example>' },
    // What the worker wires in: the domain's meaning of "delivered", run with each delivered mark.
    onDelivered: deliveryHooks,
    log: () => undefined,
    ...overrides,
  });
  const alertArgs = (): SlackDmArgs => ({
    template: 'adoption_stalled_alert',
    includeResources: true,
    params: {},
    scope: { steps: {} },
    input: runFacts(customerId),
  });
  const outboxRow = async (key: string) =>
    (
      await test.db.query<{
        delivered: boolean;
        attempts: number;
        in_doubt_count: number;
        doubt_resolution: string | null;
        delivery_ref: string | null;
      }>(`SELECT delivered, attempts, in_doubt_count, doubt_resolution, delivery_ref FROM outbox WHERE idempotency_key = $1`, [key])
    ).rows[0];
  const okPosts = () => slack.calls('chat.postMessage').filter((r) => r.status === 200);

  async function approvedDraft(): Promise<{ context: ReturnType<typeof stepContext>; args: SendEmailArgs }> {
    const context = stepContext(customerId, { stepId: 'draft_enablement_email' });
    const draft = (await createDelegateToAgentActivity(channels()).delegateToAgent(context, {
      agent: 'communicator',
      action: 'draft_email',
      params: { template: 'feature_enablement', resources: PRD_RESOURCES as never, requires_approval: true },
      input: runFacts(customerId),
    })) as unknown as EmailDraftResult;
    return {
      context: { ...context, stepId: 'send_enablement_email' },
      args: { draftId: draft.draftId, decision: { decision: 'approve', by: 'casey' } },
    };
  }

  it('Slack: a DM posted but never marked is found at Slack by its metadata, not posted again', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const key = `${context.workflowId}/notify_csm`;
    const slackDm = createSlackDmActivity(channels()).slackDm;

    await refuseMarks();
    await expect(slackDm(context, alertArgs())).rejects.toThrow(/the mark of .* never commits/);
    expect(okPosts()).toHaveLength(1);
    expect(okPosts()[0].body.metadata).toEqual({ event_type: 'adoption_enablement_delivery', event_payload: { delivery_key: key } });
    expect(await outboxRow(key)).toMatchObject({ delivered: false, attempts: 1 });

    await allowMarks();
    const retried = await slackDm(context, alertArgs());
    expect(okPosts()).toHaveLength(1);
    expect(slack.calls('conversations.history')).toHaveLength(1);
    expect(slack.calls('conversations.history')[0].body).toMatchObject({ include_all_metadata: 'true' });
    expect(retried).toMatchObject({ delivered: 'slack', ts: slack.posted.find((m) => m.metadata?.event_payload.delivery_key === key)?.ts });
    expect(await outboxRow(key)).toMatchObject({
      delivered: true,
      attempts: 2,
      in_doubt_count: 1,
      doubt_resolution: 'found_at_peer',
      delivery_ref: retried.ts,
    });

    // A later retry reads the record: no Slack call at all.
    const requestsBefore = slack.requests.length;
    expect(await slackDm(context, alertArgs())).toEqual(retried);
    expect(slack.requests.length).toBe(requestsBefore);
  });

  it('Slack: a claim left open by an attempt that died before posting is looked up, then posted once', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const key = `${context.workflowId}/notify_csm`;
    const slackDm = createSlackDmActivity(channels({ slack: { apiUrl: slack.apiUrl } })).slackDm;
    // Without a token the message is prepared and waits; then a worker "claims it and dies" before chat.postMessage.
    expect(await slackDm(context, alertArgs())).toMatchObject({ delivered: 'outbox' });
    await test.db.query(`UPDATE outbox SET claimed_at = NOW(), attempts = attempts + 1 WHERE idempotency_key = $1`, [key]);

    const result = await createSlackDmActivity(channels()).slackDm(context, alertArgs());
    expect(slack.calls('conversations.history')).toHaveLength(1);
    expect(okPosts()).toHaveLength(1);
    expect(result).toMatchObject({ delivered: 'slack', ts: slack.posted.at(-1)?.ts });
    expect(await outboxRow(key)).toMatchObject({ delivered: true, in_doubt_count: 1, doubt_resolution: 'resent' });
  });

  it('email: a message accepted by SMTP but never marked is resent as the same message (one Message-ID), the intervention recorded once', async () => {
    const { context, args } = await approvedDraft();
    const key = `${context.workflowId}/send_enablement_email`;
    const sendEmail = createSendEmailActivity(channels()).sendEmail;

    await refuseMarks();
    await expect(sendEmail(context, args)).rejects.toThrow(/the mark of .* never commits/);
    expect(smtp.messages).toHaveLength(1);

    await allowMarks();
    const result = await sendEmail(context, args);
    // SMTP has no read-back: the in-doubt resend is a second transaction of the SAME message, which a mail store keeps once.
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.distinctMessageIds()).toEqual([smtp.messages[0].messageId]);
    expect(smtp.messages[1].raw.split('\r\n\r\n')[1]).toBe(smtp.messages[0].raw.split('\r\n\r\n')[1]);
    expect(result).toMatchObject({ sent: true, delivered: 'smtp', messageId: smtp.messages[0].messageId });
    expect(await outboxRow(key)).toMatchObject({ delivered: true, attempts: 2, in_doubt_count: 1, doubt_resolution: 'resent' });
    const interventions = await test.db.query<{ delivery: string }>(`SELECT delivery FROM interventions WHERE workflow_id = $1`, [
      context.workflowId,
    ]);
    expect(interventions.rows).toEqual([{ delivery: 'delivered' }]);

    // Once marked, nothing is sent again.
    expect(await sendEmail(context, args)).toEqual(result);
    expect(smtp.messages).toHaveLength(2);
  });

  it('relay: messages queued while Slack and SMTP were unset go out once when configured, and only then count', async () => {
    const unconfigured = channels({ slack: {}, email: { from: 'Enablement <enablement@vendor.example>' } });
    const dmContext = stepContext(customerId, { stepId: 'notify_csm' });
    expect(await createSlackDmActivity(unconfigured).slackDm(dmContext, alertArgs())).toMatchObject({ delivered: 'outbox' });
    const { context, args } = await approvedDraft();
    expect(await createSendEmailActivity(unconfigured).sendEmail(context, args)).toMatchObject({ sent: true, delivered: 'outbox' });
    const interventionOf = async () =>
      (
        await test.db.query<{ delivery: string; occurred_at: Date }>(`SELECT delivery, occurred_at FROM interventions WHERE workflow_id = $1`, [
          context.workflowId,
        ])
      ).rows;
    expect((await interventionOf()).map((row) => row.delivery)).toEqual(['queued']);

    // Still unset: the relay sends nothing and nothing changes.
    await relayOutbox(unconfigured, { minAgeSeconds: 0 });
    expect(slack.requests).toHaveLength(0);
    expect(smtp.messages).toHaveLength(0);

    // Configured, but the messages are younger than the relay's minimum age (their steps may still be sending them).
    expect(await relayOutbox(channels())).toEqual({ delivered: 0, failed: 0, busy: 0 });
    expect(slack.requests).toHaveLength(0);

    // Configured: two relays at once (two workers) deliver each message once.
    const [first, second] = await Promise.all([relayOutbox(channels(), { minAgeSeconds: 0 }), relayOutbox(channels(), { minAgeSeconds: 0 })]);
    expect(first.failed + second.failed).toBe(0);
    expect(
      okPosts().filter(
        (r) => (r.body.metadata as { event_payload: { delivery_key: string } }).event_payload.delivery_key === `${dmContext.workflowId}/notify_csm`,
      ),
    ).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.messageId === `<draft-${args.draftId}@vendor.example>`)).toHaveLength(1);
    const [intervention] = await interventionOf();
    expect(intervention.delivery).toBe('delivered');
    const delivered = (
      await test.db.query<{ delivered_at: Date }>(`SELECT delivered_at FROM outbox WHERE idempotency_key = $1`, [
        `${context.workflowId}/send_enablement_email`,
      ])
    ).rows[0];
    expect(intervention.occurred_at).toEqual(delivered.delivered_at);

    // A later pass has nothing left to send.
    const before = { posts: okPosts().length, mails: smtp.messages.length };
    expect(await relayOutbox(channels(), { minAgeSeconds: 0 })).toEqual({ delivered: 0, failed: 0, busy: 0 });
    expect({ posts: okPosts().length, mails: smtp.messages.length }).toEqual(before);
  });

  it('outcome DM: a queued email is reported as queued, and as sent once the relay delivered it', async () => {
    const { context, args } = await approvedDraft();
    const unconfigured = channels({ email: { from: 'Enablement <enablement@vendor.example>' } });
    const email = await createSendEmailActivity(unconfigured).sendEmail(context, args);
    expect(email).toMatchObject({ delivered: 'outbox' });
    const measured = {
      outcome: 'improved',
      features: [{ featureId: 'advanced_analytics', before: 15, after: 40, stage: 'engaged', outcome: 'improved' }],
    };
    const outcomeDm = (stepId: string) =>
      createSlackDmActivity(channels()).slackDm(
        { ...context, stepId },
        {
          ...alertArgs(),
          template: 'adoption_outcome',
          includeResources: false,
          scope: { steps: { send_enablement_email: email as never, measure: measured } },
        },
      );
    expect((await outcomeDm('report_outcome')).text).toContain('is queued: not delivered yet');

    await relayOutbox(channels(), { minAgeSeconds: 0 });
    const after = await outcomeDm('report_outcome_again');
    expect(after.text).toContain(`Enablement email "${email.subject}" was sent.`);
    expect(after.text).not.toContain('queued');
  });

  it("on-delivered hook: runs in the mark's transaction; a hook that fails leaves the message in doubt, not lost", async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm_hooked' });
    const key = `${context.workflowId}/notify_csm_hooked`;
    const seen: Array<{ key: string; channel: string; deliveredAt: Date }> = [];
    const failing = channels({ onDelivered: { slack: () => Promise.reject(new Error('test: the hook fails')) } });
    await expect(createSlackDmActivity(failing).slackDm(context, alertArgs())).rejects.toThrow(/the hook fails/);
    expect(okPosts()).toHaveLength(1);
    expect(await outboxRow(key)).toMatchObject({ delivered: false, attempts: 1 });

    const recording = channels({
      onDelivered: {
        slack: async (tx, message) => {
          // The hook sees the mark it belongs to: the same transaction.
          const row = await tx.query<{ delivered: boolean }>(`SELECT delivered FROM outbox WHERE idempotency_key = $1`, [message.key]);
          expect(row.rows[0].delivered).toBe(true);
          seen.push({ key: message.key, channel: message.channel, deliveredAt: message.deliveredAt });
        },
      },
    });
    const result = await createSlackDmActivity(recording).slackDm(context, alertArgs());
    expect(okPosts()).toHaveLength(1);
    expect(result).toMatchObject({ delivered: 'slack' });
    expect(await outboxRow(key)).toMatchObject({ delivered: true, doubt_resolution: 'found_at_peer' });
    expect(seen).toEqual([{ key, channel: 'slack', deliveredAt: expect.any(Date) }]);

    // Delivered on record: a later attempt neither calls Slack nor runs the hook again.
    await createSlackDmActivity(recording).slackDm(context, alertArgs());
    expect(seen).toHaveLength(1);
  });

  it('relay loop: runs a pass at once and stops when asked', async () => {
    const dmContext = stepContext(customerId, { stepId: 'notify_csm' });
    await createSlackDmActivity(channels({ slack: {} })).slackDm(dmContext, alertArgs());
    const logged: string[] = [];
    const relay = startOutboxRelay({ ...channels(), log: (m) => logged.push(m) }, 60_000, { minAgeSeconds: 0 });
    for (let tries = 0; tries < 200 && !(await outboxRow(`${dmContext.workflowId}/notify_csm`)).delivered; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await relay.stop();
    expect(await outboxRow(`${dmContext.workflowId}/notify_csm`)).toMatchObject({ delivered: true });
    expect(okPosts()).toHaveLength(1);
    expect(logged.some((m) => /delivered 1 queued message/.test(m))).toBe(true);
  });
});
