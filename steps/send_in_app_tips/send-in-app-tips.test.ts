import { ApplicationFailure } from '@temporalio/common';
import { webhookSignatureProblem } from '../../channels/webhook-signature';
import { seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver';
import { createActivities, tipsOf, type InAppTipsMessage, type SendInAppTipsArgs } from './activity';

const SECRET = 'in-app-test-secret';
const NOW = new Date('2026-11-30T10:00:00Z');

describe('send_in_app_tips activity', () => {
  let test: TestDatabase;
  let receiver: WebhookReceiver;
  let customerId: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    receiver = await startWebhookReceiver();
    customerId = await seedCustomer(test.db);
  });
  afterAll(async () => {
    await receiver.close();
    await test.dispose();
  });

  const args = (): SendInAppTipsArgs => ({
    customer: { id: customerId, name: 'TechCorp' },
    features: [
      {
        featureId: 'advanced_analytics',
        featureName: 'Advanced Analytics Dashboard',
        tips: '- Pin a dashboard to your home page\n\n- Schedule the weekly digest',
        resource: { type: 'video', title: 'Analytics Dashboard Overview', url: 'https://training.example.com/analytics' },
      },
      { featureId: 'custom_reports', featureName: 'Custom Reports', tips: null, resource: null },
    ],
  });
  const activity = (inApp?: { webhookUrl?: string; secret?: string }) => createActivities({ db: test.db, inApp, now: () => NOW });
  const outboxOf = async (key: string) =>
    (
      await test.db.query<{ channel: string; delivered: boolean; recipient: string | null }>(
        `SELECT channel, delivered, recipient FROM outbox WHERE idempotency_key = $1`,
        [key],
      )
    ).rows;

  it('posts one signed message with every tip of every feature, once even when the attempt is repeated', async () => {
    const context = stepContext(customerId, { stepId: 'send_tips' });
    const send = activity({ webhookUrl: receiver.url, secret: SECRET });
    const before = receiver.requests.length;
    const first = await send.sendInAppTips(context, args());
    const again = await send.sendInAppTips(context, args());
    expect(first).toEqual({ delivered: 'webhook', tips: 2 });
    expect(again).toEqual(first);

    const received = receiver.requests.slice(before);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.headers['idempotency-key']).toBe(`${context.workflowId}/send_tips`);
    expect(webhookSignatureProblem(SECRET, request.rawBody, request.headers, NOW)).toBeNull();
    expect(webhookSignatureProblem('another-secret', request.rawBody, request.headers, NOW)).toBe('signature does not match');
    const resource = { title: 'Analytics Dashboard Overview', url: 'https://training.example.com/analytics' };
    expect(request.json).toEqual({
      type: 'adoption.in_app_tips',
      id: `${context.workflowId}/send_tips`,
      customer: { id: customerId, name: 'TechCorp' },
      tips: [
        { featureId: 'advanced_analytics', featureName: 'Advanced Analytics Dashboard', tip: 'Pin a dashboard to your home page', resource },
        { featureId: 'advanced_analytics', featureName: 'Advanced Analytics Dashboard', tip: 'Schedule the weekly digest', resource },
      ],
      sentAt: NOW.toISOString(),
    } satisfies InAppTipsMessage);
    expect(await outboxOf(`${context.workflowId}/send_tips`)).toEqual([{ channel: 'in_app', delivered: true, recipient: receiver.url }]);
  });

  it('a 503 is retryable and leaves the message undelivered in the outbox; the retry delivers; a 400 is final', async () => {
    const context = stepContext(customerId, { stepId: 'send_tips' });
    const send = activity({ webhookUrl: receiver.url, secret: SECRET });
    receiver.answerNext(503);
    const unavailable = await send.sendInAppTips(context, args()).catch((error: unknown) => error);
    expect(unavailable).toBeInstanceOf(ApplicationFailure);
    expect((unavailable as ApplicationFailure).nonRetryable).toBe(false);
    // Written before the post (docs/delivery.md), not delivered: the retry (or the relay) sends it.
    expect(await outboxOf(`${context.workflowId}/send_tips`)).toEqual([{ channel: 'in_app', delivered: false, recipient: receiver.url }]);
    expect(await send.sendInAppTips(context, args())).toEqual({ delivered: 'webhook', tips: 2 });

    receiver.answerNext(400);
    const refused = await send.sendInAppTips(stepContext(customerId, { stepId: 'send_tips' }), args()).catch((error: unknown) => error);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('without a webhook URL the message waits in the outbox, undelivered', async () => {
    const context = stepContext(customerId, { stepId: 'send_tips' });
    expect(await activity().sendInAppTips(context, args())).toEqual({ delivered: 'outbox', tips: 2 });
    expect(await outboxOf(`${context.workflowId}/send_tips`)).toEqual([{ channel: 'in_app', delivered: false, recipient: null }]);
  });

  it('sends nothing when no feature has tips, and refuses an unsigned webhook', async () => {
    const noTips = { ...args(), features: args().features.map((feature) => ({ ...feature, tips: null })) };
    const before = receiver.requests.length;
    expect(await activity({ webhookUrl: receiver.url, secret: SECRET }).sendInAppTips(stepContext(customerId), noTips)).toEqual({
      delivered: 'none',
      tips: 0,
    });
    const unsigned = await activity({ webhookUrl: receiver.url })
      .sendInAppTips(stepContext(customerId), args())
      .catch((error: unknown) => error);
    expect((unsigned as ApplicationFailure).type).toBe('InAppWebhookNotConfigured');
    expect(receiver.requests.length).toBe(before);
  });
});

describe('tipsOf', () => {
  it('reads one tip per line, without list markers or blank lines', () => {
    expect(tipsOf('1. First\n2) Second\n* Third\n\n  • Fourth  ')).toEqual(['First', 'Second', 'Third', 'Fourth']);
    expect(tipsOf(null)).toEqual([]);
  });
});
