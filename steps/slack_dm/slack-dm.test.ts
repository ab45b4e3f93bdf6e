import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { SlackDmArgs } from './activity';
import { createActivities as createSlackDmActivity } from './activity';
import { runFacts, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { startSlackServer, type SlackTestServer } from '../../test/support/slack-server';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

const PRD_LINES = [
  ':chart_with_downwards_trend: Feature Adoption Stalled: TechCorp',
  'Feature: Advanced Analytics Dashboard',
  'Status: Started → Stalled (Day 45)',
  'Usage Score: 15/100 (Expected: 60+ by Day 30)',
  'Customer Context:',
  '- ARR: $75,000',
  '- Overall Adoption: 65%',
  '- This feature importance: High',
  'Why it matters:',
  'Low adoption may indicate:',
  'Recommended Resources:',
  '1. :video_camera: "Analytics Dashboard Overview" (12 min)',
  '2. :page_facing_up: "Quick Start Guide"',
  '3. :calendar: Next live training: Feb 15, 2026',
  '[Share Resources] [Draft Enablement Email] [Schedule Training Call]',
];

describe('slack_dm activity', () => {
  let test: TestDatabase;
  let slack: SlackTestServer;
  let customerId: string;
  const logged: string[] = [];

  beforeAll(async () => {
    test = await createTestDatabase();
    slack = await startSlackServer();
    customerId = await seedCustomer(test.db);
  });
  afterAll(async () => {
    await slack.close();
    await test.dispose();
  });
  beforeEach(() => {
    slack.requests.length = 0;
    logged.length = 0;
  });

  const withToken = () => createSlackDmActivity({ db: test.db, slack: { token: 'xoxb-test', apiUrl: slack.apiUrl }, log: (m) => logged.push(m) });
  const alertArgs = (overrides: Partial<SlackDmArgs> = {}): SlackDmArgs => ({
    template: 'adoption_stalled_alert',
    includeResources: true,
    params: {},
    scope: { steps: {} },
    input: runFacts(customerId),
    ...overrides,
  });

  it('opens a DM with the CSM and posts the PRD 5.1 alert, recording the delivery', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const result = await withToken().slackDm(context, alertArgs());

    expect(result).toMatchObject({ delivered: 'slack', channel: 'D123' });
    expect(result.ts).toMatch(/^\d+\.\d+$/);
    expect(slack.requests.map((r) => r.apiMethod)).toEqual(['conversations.open', 'chat.postMessage']);
    const [open, post] = slack.requests;
    expect(open.headers.authorization).toBe('Bearer xoxb-test');
    expect(open.body.users).toBe('U0CSM');
    expect(post.body.channel).toBe('D123');
    const text = String(post.body.text);
    for (const line of PRD_LINES) expect(text.split('\n')).toContain(line);
    const blocks = post.body.blocks as Array<{ type: string; elements?: Array<{ value: string }> }>;
    expect(blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.value)).toEqual([
      context.workflowId,
      context.workflowId,
      context.workflowId,
      context.workflowId,
    ]);

    const outbox = await test.db.query<{ channel: string; recipient: string; delivered: boolean; delivery_ref: string }>(
      `SELECT channel, recipient, delivered, delivery_ref FROM outbox WHERE idempotency_key = $1`,
      [`${context.workflowId}/notify_csm`],
    );
    expect(outbox.rows).toEqual([{ channel: 'slack', recipient: 'U0CSM', delivered: true, delivery_ref: result.ts }]);
  });

  it('posts once when the same workflow step runs again (a retried activity)', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const activity = withToken();
    const first = await activity.slackDm(context, alertArgs());
    const second = await activity.slackDm(context, alertArgs());
    expect(second).toEqual(first);
    expect(slack.calls('chat.postMessage')).toHaveLength(1);

    // Another step of the same run is another message.
    await activity.slackDm({ ...context, stepId: 'report_outcome_test' }, alertArgs());
    expect(slack.calls('chat.postMessage')).toHaveLength(2);
  });

  it('turns a 429 into an ApplicationFailure that asks Temporal to retry after Retry-After, then delivers', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const activity = withToken();
    slack.rateLimitNext(1, 7);
    const failure = await new MockActivityEnvironment().run(activity.slackDm, context, alertArgs()).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBeFalsy();
    expect((failure as ApplicationFailure).type).toBe('SlackRateLimited');
    expect((failure as ApplicationFailure).nextRetryDelay).toBe('7s');
    // The client did not retry on its own: one request, the 429.
    expect(slack.requests.map((r) => r.status)).toEqual([429]);

    const retried = await activity.slackDm(context, alertArgs());
    expect(retried.delivered).toBe('slack');
    expect(slack.calls('chat.postMessage').filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('fails without retry on a permanent Slack error', async () => {
    slack.failNext('conversations.open', 'user_not_found');
    await expect(withToken().slackDm(stepContext(customerId), alertArgs())).rejects.toMatchObject({
      type: 'SlackPlatformError',
      nonRetryable: true,
      message: expect.stringContaining('user_not_found'),
    });
  });

  it('writes to the outbox and the log when there is no token', async () => {
    const context = stepContext(customerId, { stepId: 'notify_csm' });
    const activity = createSlackDmActivity({ db: test.db, log: (m) => logged.push(m) });
    const result = await activity.slackDm(context, alertArgs());
    expect(result).toMatchObject({ delivered: 'outbox', channel: null, ts: null });
    expect(result.text).toContain('Feature Adoption Stalled: TechCorp');
    expect(slack.requests).toHaveLength(0);
    expect(logged.join('\n')).toContain('no Slack token configured');

    await activity.slackDm(context, alertArgs());
    const rows = await test.db.query<{ delivered: boolean; recipient: string; payload: { text: string; blocks: unknown[] } }>(
      `SELECT delivered, recipient, payload FROM outbox WHERE idempotency_key = $1`,
      [`${context.workflowId}/notify_csm`],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ delivered: false, recipient: 'U0CSM' });
    expect(rows.rows[0].payload.text).toBe(result.text);
    expect(rows.rows[0].payload.blocks.length).toBeGreaterThan(3);
  });

  it('falls back to the outbox when the customer has no CSM Slack user, and honours `to`', async () => {
    const input = runFacts(customerId, {}, { csmSlackUserId: null });
    const noRecipient = await withToken().slackDm(stepContext(customerId), alertArgs({ input }));
    expect(noRecipient.delivered).toBe('outbox');
    expect(slack.requests).toHaveLength(0);

    const explicit = await withToken().slackDm(stepContext(customerId), alertArgs({ input, to: 'U0OTHER' }));
    expect(explicit.delivered).toBe('slack');
    expect(slack.calls('conversations.open')[0].body.users).toBe('U0OTHER');
  });

  it('sends the follow-up outcome from the measurement in scope', async () => {
    const scope = {
      steps: {
        measure_impact: {
          features: [{ featureId: 'advanced_analytics', before: 15, after: 64, stage: 'adopted', outcome: 'recovered', effectivenessScore: 90 }],
          outcome: 'recovered',
        },
      },
    };
    const result = await withToken().slackDm(
      stepContext(customerId, { stepId: 'report_outcome' }),
      alertArgs({ template: 'adoption_outcome', scope }),
    );
    expect(result.delivered).toBe('slack');
    const text = String(slack.calls('chat.postMessage')[0].body.text);
    expect(text).toContain('Usage Score: 15 → 64/100 (+49)');
    expect(text).toContain('Outcome: Recovered');
  });

  it('refuses an unknown template without retrying', async () => {
    await expect(withToken().slackDm(stepContext(customerId), alertArgs({ template: 'nope' }))).rejects.toMatchObject({
      type: 'SlackTemplateError',
      nonRetryable: true,
    });
    expect(slack.requests).toHaveLength(0);
  });
});
