import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApiServer, type ApiServerOptions } from '../../web/server';
import { slackSignature } from '../../web/slack/signature';
import type { EnablementState } from '../../workflows/messages';
import { connectDevServer } from '../support/temporal';
import { createEnablementHarness, type EnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';

/**
 * The workflow endpoints and Slack interactivity against real enablement runs on the Temporal dev server (worker with
 * the real activities, real Postgres): a run waiting for the CSM's approval is moved on by the HTTP API and by the
 * Slack buttons, and bad input (a malformed decision, a forged Slack signature) leaves it waiting with nothing sent.
 */
const SECRET = 'slack-signing-secret-for-tests';
const SLACK_USER = { id: 'U0CSM0001', username: 'dana', name: 'dana' };
const LEAD = { id: 'U0LEAD0001', username: 'lee', name: 'lee' };

let env: TestWorkflowEnvironment;
let harness: EnablementHarness;
let app: FastifyInstance;
let base: string;
let responseUrlServer: http.Server;
let responseUrl: string;
const responseUrlPosts: Array<{ path: string; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  env = await connectDevServer();
  harness = await createEnablementHarness(env);
  // Stands in for Slack's response_url: records what the API posts there.
  responseUrlServer = http.createServer((request, response) => {
    let data = '';
    request.on('data', (chunk) => (data += chunk));
    request.on('end', () => {
      responseUrlPosts.push({ path: request.url ?? '', body: JSON.parse(data) });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => responseUrlServer.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(responseUrlServer.address() as AddressInfo).port}/actions`;
  app = buildApiServer({
    db: harness.database.db,
    temporal: { client: env.client, taskQueue: harness.taskQueue },
    slackSigningSecret: SECRET,
    // Only Slack's hooks host in production; here the stand-in's origin instead (docs/security.md).
    slackResponseUrlOrigins: [new URL(responseUrl).origin],
    slackLeadUserIds: [LEAD.id],
    // Share Resources emails the champion through the harness's SMTP server (issue 9).
    email: { smtpUrl: harness.smtp.url, from: 'Dana Reyes <dana@vendor.example>' },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => responseUrlServer?.close(resolve));
  await harness?.close();
  await env?.teardown();
});

const encoded = (workflowId: string) => encodeURIComponent(workflowId);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever the route answers
async function send(server: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A new run of the shipped definition, waiting at `await_approval`. */
async function waitingRun(): Promise<{ workflowId: string; customerId: string }> {
  const seeded = await seedStalledSignal(harness.database.db, ['advanced_analytics', 'custom_reports']);
  const { workflowId } = await harness.start(seeded.signalId);
  await harness.waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
  return { workflowId, customerId: seeded.customerId };
}

async function signalsReceived(workflowId: string): Promise<string[]> {
  const history = await harness.handle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.workflowExecutionSignaledEventAttributes)
    .map((event) => event.workflowExecutionSignaledEventAttributes!.signalName!);
}

async function draftOf(workflowId: string) {
  const { rows } = await harness.database.db.query<{ status: string; decided_by: string | null; subject: string }>(
    `SELECT status, decided_by, subject FROM email_drafts WHERE workflow_id = $1`,
    [workflowId],
  );
  return rows[0];
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
}

interface SlackCall {
  actionId: string;
  workflowId: string;
  /** The block the button sits in: `adoption_actions`, or `not_needed/<featureId>` for a feature's own button. */
  blockId?: string;
  actionTs?: string;
  secret?: string;
  timestamp?: number;
  user?: { id: string; username?: string; name?: string };
  responseUrl?: string;
}

/** A Slack block_actions request as Slack sends it: form-encoded payload=<json>, signed over the raw body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever the route answers
async function slack(call: SlackCall): Promise<{ status: number; body: any }> {
  const payload = {
    type: 'block_actions',
    user: call.user ?? SLACK_USER,
    team: { id: 'T0TEAM', domain: 'vendor' },
    container: { type: 'message', message_ts: '1767225600.000100', channel_id: 'D0DM' },
    response_url: call.responseUrl ?? responseUrl,
    actions: [
      {
        type: 'button',
        action_id: call.actionId,
        block_id: call.blockId ?? 'adoption_actions',
        value: call.workflowId,
        action_ts: call.actionTs ?? `${Date.now() / 1000}`,
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(call.timestamp ?? Math.floor(Date.now() / 1000));
  const response = await fetch(`${base}/slack/interactivity`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(call.secret ?? SECRET, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describe('HTTP workflow endpoints', () => {
  it('reads the state, refuses a malformed decision without sending it, then an approval moves the run past approval', async () => {
    const { workflowId } = await waitingRun();
    const path = `/api/workflows/${encoded(workflowId)}`;

    const state = await send(base, 'GET', `${path}/state`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'waiting', step: { id: 'await_approval' }, waitingFor: 'CSM approval of the enablement email' });
    expect(state.body.features.map((f: { featureId: string }) => f.featureId)).toEqual(['advanced_analytics', 'custom_reports']);

    const bad: Array<[unknown, string, string]> = [
      [{ decision: 'maybe', by: 'dana@vendor.example' }, 'body/decision must be one of approve, edit, reject, got "maybe"', 'body/decision'],
      [{ decision: 'approve' }, 'body/by must name who decided (non-empty string)', 'body/by'],
      [{ decision: 'edit', by: 'dana@vendor.example' }, 'body/subject "edit" needs the edited subject and/or body', 'body/subject'],
      [{ decision: 'approve', by: 'dana@vendor.example', cc: 'boss@vendor.example' }, 'body/cc is not part of the emailDecision contract', 'body/cc'],
      [['approve'], 'body payload must be a JSON object', 'body'],
    ];
    for (const [body, error, field] of bad) {
      expect(await send(base, 'POST', `${path}/email-decision`, body)).toEqual({ status: 400, body: { error, field } });
    }
    // Nothing reached the run: no signal in its history, nothing rejected by it, still waiting, draft undecided.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await signalsReceived(workflowId)).toEqual([]);
    const still = (await send(base, 'GET', `${path}/state`)).body as EnablementState;
    expect(still).toMatchObject({ status: 'waiting', step: { id: 'await_approval' }, rejectedMessages: [] });
    expect((await draftOf(workflowId)).status).toBe('pending_approval');

    const approved = await send(base, 'POST', `${path}/email-decision`, { decision: 'approve', by: 'dana@vendor.example' });
    expect(approved).toEqual({ status: 202, body: { workflowId, signal: 'emailDecision', accepted: true } });
    const moved = await eventually(
      async () => (await send(base, 'GET', `${path}/state`)).body as EnablementState,
      (current) => current.step.id !== 'await_approval',
    );
    expect(['send_enablement_email', 'wait_for_adoption']).toContain(moved.step.id);
    const draft = await eventually(
      () => draftOf(workflowId),
      (row) => row.status === 'sent',
    );
    expect(draft.decided_by).toBe('dana@vendor.example');
    expect(await signalsReceived(workflowId)).toEqual(['emailDecision']);

    // The recovered signal: validated the same way, then delivered.
    expect(await send(base, 'POST', `${path}/recovered`, { featureId: 'advanced_analytics', detectedAt: 'yesterday' })).toEqual({
      status: 400,
      body: {
        error: 'body/detectedAt must be an ISO-8601 timestamp that exists: "yesterday" is not an ISO-8601 timestamp',
        field: 'body/detectedAt',
      },
    });
    expect(await send(base, 'POST', `${path}/recovered`, { featureId: 'advanced_analytics', detectedAt: new Date().toISOString() })).toEqual({
      status: 202,
      body: { workflowId, signal: 'recovered', accepted: true },
    });
    // A signal that arrives while a workflow task is in flight enters the history when that task completes.
    expect(
      await eventually(
        () => signalsReceived(workflowId),
        (names) => names.length >= 2,
      ),
    ).toEqual(['emailDecision', 'recovered']);

    // A finished run is a 409, not a silent success.
    await harness.handle(workflowId).terminate('test done');
    const late = await send(base, 'POST', `${path}/email-decision`, { decision: 'reject', by: 'dana@vendor.example' });
    expect(late).toEqual({ status: 409, body: { error: `workflow ${workflowId} has already finished (TERMINATED)` } });
  });

  it("records an API decision as the key's: the key's name, with what the body claims labelled as such", async () => {
    const keyed = buildApiServer({
      db: harness.database.db,
      temporal: { client: env.client, taskQueue: harness.taskQueue },
      apiKeys: `platform:read+workflows:platform-key-0123456789abcdef,reader:read:reader-key-0123456789abcdef`,
    });
    try {
      const url = await keyed.listen({ port: 0, host: '127.0.0.1' });
      const first = await waitingRun();
      const decide = async (key: string, body: unknown) => {
        const response = await fetch(`${url}/api/workflows/${encoded(first.workflowId)}/email-decision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        });
        return response.status;
      };
      expect(await decide('reader-key-0123456789abcdef', { decision: 'approve', by: 'dana@vendor.example' })).toBe(403);
      expect(await decide('platform-key-0123456789abcdef', { decision: 'approve', by: 'dana@vendor.example' })).toBe(202);
      const sent = await eventually(
        () => draftOf(first.workflowId),
        (row) => row.status === 'sent',
      );
      expect(sent.decided_by).toBe('dana@vendor.example (API key platform)');
      await harness.handle(first.workflowId).terminate('test done');
    } finally {
      await keyed.close();
    }
  });

  it('answers 404 for a run that does not exist', async () => {
    const workflowId = 'adoption-stalled/00000000-0000-4000-8000-000000000000/00000000-0000-4000-8000-000000000001';
    const expected = { status: 404, body: { error: `workflow ${workflowId} not found` } };
    expect(await send(base, 'POST', `/api/workflows/${encoded(workflowId)}/email-decision`, { decision: 'approve', by: 'dana' })).toEqual(expected);
    expect(await send(base, 'GET', `/api/workflows/${encoded(workflowId)}/state`)).toEqual(expected);
  });

  it('answers 503 with the reason when Temporal is not configured or cannot be reached, after validating the body', async () => {
    const servers: Array<[ApiServerOptions['temporal'], string]> = [
      [undefined, 'Temporal is not configured for this API server, so workflow runs cannot be signalled or queried'],
      [
        { client: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')), taskQueue: 'q' },
        'Temporal is unavailable: connect ECONNREFUSED 127.0.0.1:1',
      ],
    ];
    for (const [temporal, error] of servers) {
      const server = buildApiServer({ db: harness.database.db, temporal });
      try {
        const url = await server.listen({ port: 0, host: '127.0.0.1' });
        expect(await send(url, 'GET', `/api/workflows/x/state`)).toEqual({ status: 503, body: { error } });
        expect(await send(url, 'POST', `/api/workflows/x/email-decision`, { decision: 'approve', by: 'dana' })).toEqual({
          status: 503,
          body: { error },
        });
        expect((await send(url, 'POST', `/api/workflows/x/email-decision`, { decision: 'nope', by: 'dana' })).status).toBe(400);
      } finally {
        await server.close();
      }
    }
  });

  it('connects lazily: a client function is called on the first workflow request', async () => {
    let connects = 0;
    const server = buildApiServer({
      db: harness.database.db,
      temporal: { client: async () => ((connects += 1), env.client), taskQueue: harness.taskQueue },
    });
    try {
      const url = await server.listen({ port: 0, host: '127.0.0.1' });
      expect(connects).toBe(0);
      expect((await send(url, 'GET', `/api/workflows/${encoded('adoption-stalled/none/none')}/state`)).status).toBe(404);
      expect((await send(url, 'GET', `/api/workflows/${encoded('adoption-stalled/none/none2')}/state`)).status).toBe(404);
      expect(connects).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('POST /slack/interactivity', () => {
  it('refuses a wrong signature and a stale timestamp with 401, and the run keeps waiting', async () => {
    const { workflowId } = await waitingRun();
    const forged = await slack({ actionId: 'approve_email', workflowId, secret: 'not-the-signing-secret' });
    expect(forged).toEqual({ status: 401, body: { error: 'invalid Slack request: X-Slack-Signature does not match the request body' } });
    const stale = await slack({ actionId: 'approve_email', workflowId, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale).toEqual({
      status: 401,
      body: { error: 'invalid Slack request: X-Slack-Request-Timestamp is more than 5 minutes away from now (replayed request?)' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await signalsReceived(workflowId)).toEqual([]);
    expect((await draftOf(workflowId)).status).toBe('pending_approval');
    const state = await harness.handle(workflowId).query<EnablementState>('state');
    expect(state.step.id).toBe('await_approval');
    await harness.handle(workflowId).terminate('test done');
  });

  it('drafts, shares resources, schedules a training call and approves from the buttons', async () => {
    const { workflowId, customerId } = await waitingRun();
    const db = harness.database.db;

    // Draft Enablement Email: the stored draft with Approve / Reject buttons for this run.
    const drafted = await slack({ actionId: 'draft_enablement_email', workflowId });
    expect(drafted.status).toBe(200);
    const draft = await draftOf(workflowId);
    expect(drafted.body.text).toContain(draft.subject);
    expect(drafted.body.response_type).toBe('ephemeral');
    const buttons = drafted.body.blocks.find((block: { type: string }) => block.type === 'actions').elements;
    expect(buttons.map((button: { action_id: string; value: string }) => [button.action_id, button.value])).toEqual([
      ['approve_email', workflowId],
      ['edit_email', workflowId],
      ['reject_email', workflowId],
    ]);
    // The same reply went to Slack's response_url.
    const posted = await eventually(
      async () => responseUrlPosts.filter((post) => post.body.text === drafted.body.text),
      (posts) => posts.length > 0,
    );
    expect(posted[0]).toEqual({ path: '/actions', body: drafted.body });

    // Share Resources: the ranked resources emailed to the champion once per click, then an intervention per feature.
    const shared = await slack({ actionId: 'share_resources', workflowId, actionTs: '1767225700.000200' });
    expect(shared.status).toBe(200);
    expect(shared.body.text).toMatch(/^Sent by dana \(Slack U0CSM0001\): 3 resources emailed to Priya Shah &lt;priya@techcorp\.example&gt;/);
    await slack({ actionId: 'share_resources', workflowId, actionTs: '1767225700.000200' }); // Slack retried the same click
    expect(harness.smtp.messages.filter((mail) => mail.subject === 'Resources for Advanced Analytics Dashboard and Custom Reports')).toHaveLength(1);
    const interventions = await db.query<{
      feature_id: string;
      intervention_type: string;
      workflow_id: string;
      resources_shared: string[];
      adoption_before: number;
    }>(
      `SELECT feature_id, intervention_type, workflow_id, resources_shared, adoption_before FROM interventions WHERE customer_id = $1 ORDER BY feature_id`,
      [customerId],
    );
    expect(interventions.rows).toEqual([
      {
        feature_id: 'advanced_analytics',
        intervention_type: 'resource_share',
        workflow_id: workflowId,
        // A started feature gets beginner material, the guide first; the webinar's only session is past.
        resources_shared: ['https://docs.example.com/analytics', 'https://training.example.com/analytics'],
        adoption_before: 15,
      },
      {
        feature_id: 'custom_reports',
        intervention_type: 'resource_share',
        workflow_id: workflowId,
        resources_shared: ['https://docs.example.com/reports'],
        adoption_before: 15,
      },
    ]);

    // Schedule Training Call: one task per click (idempotency key slack/<run>/<action ts>).
    const scheduled = await slack({ actionId: 'schedule_training_call', workflowId, actionTs: '1767225800.000300' });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.text).toMatch(/^Task created: Schedule a training call with TechCorp \(due .+, owner Dana Reyes\)\.$/);
    await slack({ actionId: 'schedule_training_call', workflowId, actionTs: '1767225800.000300' });
    const tasks = await db.query<{ title: string; idempotency_key: string; workflow_id: string; feature_ids: string[] }>(
      `SELECT title, idempotency_key, workflow_id, feature_ids FROM tasks WHERE customer_id = $1 AND idempotency_key LIKE 'slack/%'`,
      [customerId],
    );
    expect(tasks.rows).toEqual([
      {
        title: 'Schedule a training call with TechCorp',
        idempotency_key: `slack/${workflowId}/1767225800.000300`,
        workflow_id: workflowId,
        feature_ids: ['advanced_analytics', 'custom_reports'],
      },
    ]);

    // Approve: the run moves past approval and the email is sent, decided by the Slack user.
    const approved = await slack({ actionId: 'approve_email', workflowId });
    expect(approved).toEqual({
      status: 200,
      body: {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Approved by dana (Slack U0CSM0001): the enablement email to Priya Shah will be sent.',
      },
    });
    await harness.waitForState(workflowId, (state) => state.step.id !== 'await_approval');
    const sent = await eventually(
      () => draftOf(workflowId),
      (row) => row.status === 'sent',
    );
    expect(sent.decided_by).toBe('dana (Slack U0CSM0001)');

    // A second click finds the draft decided and sends nothing.
    const again = await slack({ actionId: 'approve_email', workflowId });
    expect(again.body.text).toBe('This enablement email is already sent by dana (Slack U0CSM0001); nothing to decide.');
    expect(await signalsReceived(workflowId)).toEqual(['emailDecision']);
    await harness.handle(workflowId).terminate('test done');
  });

  it('rejects from the Reject button: nothing is sent', async () => {
    const { workflowId } = await waitingRun();
    const mailsBefore = harness.smtp.messages.length;
    const rejected = await slack({ actionId: 'reject_email', workflowId });
    expect(rejected.body.text).toBe('Rejected by dana (Slack U0CSM0001): the enablement email will not be sent.');
    // Past the send step (which records the rejection) and on to the follow-up wait, with no mail sent.
    await harness.waitForState(workflowId, (state) => state.step.id === 'wait_for_adoption');
    const draft = await draftOf(workflowId);
    expect(draft).toMatchObject({ status: 'rejected', decided_by: 'dana (Slack U0CSM0001)' });
    expect(harness.smtp.messages.length).toBe(mailsBefore);
    await harness.handle(workflowId).terminate('test done');
  });

  it('marks a feature not needed from its own Not Needed button: audited, flagged on feature_adoption (what detection honours), and the run stops once every feature is', async () => {
    const { workflowId, customerId } = await waitingRun();
    const db = harness.database.db;
    const marks = async () =>
      (
        await db.query<{ feature_id: string; not_needed: boolean; reason: string; marked_by: string; source: string; runs_told: string[] }>(
          `SELECT feature_id, not_needed, reason, marked_by, source, runs_told FROM not_needed_marks WHERE customer_id = $1 ORDER BY id`,
          [customerId],
        )
      ).rows;

    // A button naming a feature that is not the run's marks nothing.
    const stranger = await slack({ actionId: 'mark_not_needed', workflowId, blockId: 'not_needed/sso' });
    expect(stranger.body.text).toBe(
      'This button names no feature of this run; nothing was marked. Use the button of the feature that is not needed.',
    );
    expect(await marks()).toEqual([]);

    const first = await slack({ actionId: 'mark_not_needed', workflowId, blockId: 'not_needed/advanced_analytics' });
    expect(first.body.text).toContain('is marked not needed for');
    expect(first.body.text).toContain('The run was told');
    expect(await marks()).toEqual([
      {
        feature_id: 'advanced_analytics',
        not_needed: true,
        reason: 'marked not needed from the Slack alert',
        marked_by: 'dana (Slack U0CSM0001)',
        source: 'slack',
        runs_told: [workflowId],
      },
    ]);
    const flag = await db.query<{ not_needed: boolean }>(
      `SELECT not_needed FROM feature_adoption WHERE customer_id = $1 AND feature_id = 'advanced_analytics'`,
      [customerId],
    );
    expect(flag.rows).toEqual([{ not_needed: true }]);
    // One of two features: the run records it and still waits for the approval.
    const state = await harness.waitForState(workflowId, (current) => (current.notNeeded ?? []).length === 1);
    expect(state).toMatchObject({ status: 'waiting', step: { id: 'await_approval' } });

    await slack({ actionId: 'mark_not_needed', workflowId, blockId: 'not_needed/custom_reports' });
    const result = await harness.handle(workflowId).result();
    expect(result).toMatchObject({ status: 'completed', outcome: 'not_needed' });
    expect((await marks()).map((mark) => mark.feature_id)).toEqual(['advanced_analytics', 'custom_reports']);
    expect(await signalsReceived(workflowId)).toEqual(['featureNotNeeded', 'featureNotNeeded']);
    expect((await draftOf(workflowId)).status).toBe('pending_approval');
  });

  it("moves nothing for a click from someone who is not the customer's CSM or a lead, and shows them no draft", async () => {
    const { workflowId, customerId } = await waitingRun();
    const db = harness.database.db;
    const draft = await draftOf(workflowId);
    const mallory = { id: 'U0MALLORY1', username: 'mallory', name: 'mallory' };
    const refusal =
      "Only this customer's CSM or a customer-success lead can view, approve, edit or reject its enablement email or act on this run; nothing was done.";
    for (const actionId of [
      'draft_enablement_email',
      'approve_email',
      'reject_email',
      'share_resources',
      'schedule_training_call',
      'mark_not_needed',
    ]) {
      const answer = await slack({ actionId, workflowId, user: mallory, actionTs: `${actionId}-1` });
      expect([actionId, answer]).toEqual([actionId, { status: 200, body: { response_type: 'ephemeral', replace_original: false, text: refusal } }]);
      expect(JSON.stringify(answer.body)).not.toContain(draft.subject);
    }
    // A run named loosely (another prefix, the same signal id) is not this run: looked up by exact id only.
    const loose = `adoption-stalled/${randomUUID()}/${workflowId.split('/').pop()}`;
    const looseAnswer = await slack({ actionId: 'approve_email', workflowId: loose });
    expect(looseAnswer.body.text).toBe('This enablement run is not in the database, so nobody can act on it from Slack; nothing was done.');

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await signalsReceived(workflowId)).toEqual([]);
    expect((await draftOf(workflowId)).status).toBe('pending_approval');
    const rows = await db.query<{ n: number }>(
      `SELECT (SELECT COUNT(*) FROM interventions WHERE customer_id = $1) + (SELECT COUNT(*) FROM tasks WHERE customer_id = $1 AND idempotency_key LIKE 'slack/%')
            + (SELECT COUNT(*) FROM not_needed_marks WHERE customer_id = $1) AS n`,
      [customerId],
    );
    expect(Number(rows.rows[0].n)).toBe(0);

    // A configured lead may decide: the run moves on, decided by the lead.
    const approved = await slack({ actionId: 'approve_email', workflowId, user: LEAD });
    expect(approved.body.text).toBe('Approved by lee (Slack U0LEAD0001): the enablement email to Priya Shah will be sent.');
    const sent = await eventually(
      () => draftOf(workflowId),
      (row) => row.status === 'sent',
    );
    expect(sent.decided_by).toBe('lee (Slack U0LEAD0001)');
    await harness.handle(workflowId).terminate('test done');
  });

  it("posts replies to a response_url on the allowed host only (Slack's hooks host in production)", async () => {
    const { workflowId } = await waitingRun();
    const elsewhere: string[] = [];
    const other = http.createServer((request, response) => {
      elsewhere.push(request.url ?? '');
      response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/steal`;
      for (const target of [otherUrl, `https://hooks.slack.com.evil.example/x`, `${new URL(responseUrl).origin}@evil.example/x`]) {
        const answer = await slack({ actionId: 'draft_enablement_email', workflowId, responseUrl: target });
        expect(answer.status).toBe(200); // the clicking CSM still sees the answer
      }
      const drafted = await slack({ actionId: 'draft_enablement_email', workflowId, responseUrl: `${responseUrl}?ok=1` });
      await eventually(
        async () => responseUrlPosts.filter((post) => post.path === '/actions?ok=1'),
        (posts) => posts.length === 1 && posts[0].body.text === drafted.body.text,
      );
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
      await harness.handle(workflowId).terminate('test done');
    }
  });

  it('answers 503 without a signing secret and acknowledges payload types it does not handle', async () => {
    const server = buildApiServer({ db: harness.database.db });
    try {
      const url = await server.listen({ port: 0, host: '127.0.0.1' });
      const response = await fetch(`${url}/slack/interactivity`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payload=%7B%7D',
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'SLACK_SIGNING_SECRET is not set, so Slack requests cannot be verified and none are accepted' });
    } finally {
      await server.close();
    }
    const body = new URLSearchParams({ payload: JSON.stringify({ type: 'view_closed', user: SLACK_USER }) }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${base}/slack/interactivity`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slackSignature(SECRET, timestamp, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, ignored: 'view_closed' });
  });
});
