import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { slackSignature } from '../../web/slack/signature';
import { connectDevServer } from '../support/temporal';
import { createEnablementHarness, type EnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';

/**
 * Edit before send from Slack, against a real enablement run on the Temporal dev server: the draft's Edit button opens
 * a modal through `views.open` (recorded by the Slack-protocol server), and submitting it sends the run the
 * `emailDecision` edit, so the SMTP server receives the edited email once. A forged signature, another user or a
 * hostile submission changes nothing and sends nothing.
 */
const SECRET = 'slack-signing-secret-for-modal-tests';
const CSM = { id: 'U0CSM0001', username: 'dana', name: 'dana' };

let env: TestWorkflowEnvironment;
let harness: EnablementHarness;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  env = await connectDevServer();
  harness = await createEnablementHarness(env);
  app = buildApiServer({
    db: harness.database.db,
    temporal: { client: env.client, taskQueue: harness.taskQueue },
    slackSigningSecret: SECRET,
    slackResponseUrls: false,
    slack: { token: 'xoxb-api-token', apiUrl: harness.slack.apiUrl },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await harness?.close();
  await env?.teardown();
});

async function waitingRun(): Promise<string> {
  const seeded = await seedStalledSignal(harness.database.db, ['advanced_analytics', 'custom_reports']);
  const { workflowId } = await harness.start(seeded.signalId);
  await harness.waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
  return workflowId;
}

async function post(payload: unknown, secret = SECRET): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${base}/slack/interactivity`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const clickEdit = (workflowId: string, triggerId = '1234.5678.abcdef', user = CSM) =>
  post({
    type: 'block_actions',
    user,
    trigger_id: triggerId,
    actions: [{ type: 'button', action_id: 'edit_email', block_id: 'email_decision', value: workflowId, action_ts: '1767225800.000100' }],
  });

const submission = (workflowId: string, subject: unknown, body: unknown, user: object = CSM, callbackId = 'edit_enablement_email') => ({
  type: 'view_submission',
  user,
  view: {
    id: 'V1',
    callback_id: callbackId,
    private_metadata: workflowId,
    state: {
      values: { subject: { value: { type: 'plain_text_input', value: subject } }, body: { value: { type: 'plain_text_input', value: body } } },
    },
  },
});

async function signals(workflowId: string): Promise<string[]> {
  const history = await harness.handle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.workflowExecutionSignaledEventAttributes)
    .map((event) => event.workflowExecutionSignaledEventAttributes!.signalName!);
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
}

describe('the Edit modal', () => {
  it('opens with the draft and sends the edited email once when submitted', async () => {
    const workflowId = await waitingRun();
    const draft = (
      await harness.database.db.query<{ subject: string; body: string }>(`SELECT subject, body FROM email_drafts WHERE workflow_id = $1`, [
        workflowId,
      ])
    ).rows[0];

    // The draft covers every stalled feature of the signal, each with its own benefit (issue 9 item 6).
    expect(draft.body).toContain('Advanced Analytics Dashboard: your team has started exploring it');
    expect(draft.body).toContain('It can help you spot trends across your accounts before they become problems.');
    expect(draft.body).toContain('Custom Reports: your team has started exploring it');

    const opened = await clickEdit(workflowId);
    expect(opened.status).toBe(200);
    const calls = harness.slack.calls('views.open');
    expect(calls).toHaveLength(1);
    expect(calls[0].headers.authorization).toBe('Bearer xoxb-api-token');
    expect(calls[0].body.trigger_id).toBe('1234.5678.abcdef');
    const view = calls[0].body.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id: string; element: { initial_value: string } }>;
    };
    expect(view.callback_id).toBe('edit_enablement_email');
    expect(view.private_metadata).toBe(workflowId);
    expect(view.blocks.map((block) => [block.block_id, block.element.initial_value])).toEqual([
      ['subject', draft.subject],
      ['body', draft.body],
    ]);

    const before = harness.smtp.messages.length;
    const submitted = await post(submission(workflowId, 'Your dashboards, in 12 minutes', 'Hi Priya,\n\nHere is the short version.\n\nDana'));
    expect(submitted).toEqual({ status: 200, text: '' });
    // The run goes on to its 14-day follow-up after sending: wait for the mail, not for the run's end.
    await eventually(
      async () => harness.smtp.messages.slice(before).filter((mail) => mail.to.includes('priya@techcorp.example')).length,
      (n) => n > 0,
    );
    expect(await signals(workflowId)).toEqual(['emailDecision']);
    const sent = harness.smtp.messages.slice(before).filter((mail) => mail.to.includes('priya@techcorp.example'));
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe('Your dashboards, in 12 minutes');
    expect(sent[0].text).toContain('Here is the short version.');
    const stored = await harness.database.db.query<{ status: string; decided_by: string }>(
      `SELECT status, decided_by FROM email_drafts WHERE workflow_id = $1`,
      [workflowId],
    );
    expect(stored.rows).toEqual([{ status: 'sent', decided_by: 'dana (Slack U0CSM0001)' }]);

    // Submitted again after the run sent it: answered inside the modal, nothing more is signalled.
    const late = await post(submission(workflowId, 'Another subject', 'Another body'));
    expect(JSON.parse(late.text)).toMatchObject({ response_action: 'errors' });
    expect(await signals(workflowId)).toEqual(['emailDecision']);
    await harness.handle(workflowId).terminate('test done');
  });

  it('a draft too long for the editor: the preview is cut before the link and says so, Edit names the real route', async () => {
    const workflowId = await waitingRun();
    const link = 'https://cs.example/book?token=abc&slot=1';
    // The link starts near the section's 3,000 (the emoji counts two): the cut falls inside it.
    const long = `${'Grüße 🎉 '.repeat(322)}\n\nBook here: ${link}\n\n${'Thanks. '.repeat(50)}`;
    await harness.database.db.query(`UPDATE email_drafts SET body = $1 WHERE workflow_id = $2`, [long, workflowId]);

    const shown = await post({
      type: 'block_actions',
      user: CSM,
      actions: [
        { type: 'button', action_id: 'draft_enablement_email', block_id: 'adoption_actions', value: workflowId, action_ts: '1767225801.000100' },
      ],
    });
    const preview = (JSON.parse(shown.text) as { blocks: Array<{ text?: { text: string } }> }).blocks[1].text!.text;
    expect(preview.length).toBeLessThanOrEqual(3000);
    expect(preview).not.toContain('https://cs.example');
    expect(preview).toContain('Book here:');
    expect(preview).toContain("_Preview cut at Slack's 3,000 characters");

    const opensBefore = harness.slack.calls('views.open').length;
    const edit = await clickEdit(workflowId);
    const answer = JSON.parse(edit.text) as { text: string };
    const route = `/api/workflows/${encodeURIComponent(workflowId)}/email-decision`;
    expect(answer.text).toContain(`POST ${route}`);
    expect(harness.slack.calls('views.open')).toHaveLength(opensBefore);

    // The route the reply names takes the edit: the edited email is sent.
    const before = harness.smtp.messages.length;
    const response = await fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'edit', by: 'dana', subject: 'The short version', body: 'Hi Priya,\n\nShorter.\n\nDana' }),
    });
    expect([response.status, await response.text()]).toEqual([202, expect.any(String)]);
    const sent = await eventually(
      async () => harness.smtp.messages.slice(before).filter((mail) => mail.to.includes('priya@techcorp.example')),
      (mails) => mails.length > 0,
    );
    expect(sent[0].subject).toBe('The short version');
    await harness.handle(workflowId).terminate('test done');
  });

  it('refuses a forged signature, another user, a foreign dialog and hostile values; the run keeps waiting', async () => {
    const workflowId = await waitingRun();
    const opens = harness.slack.calls('views.open').length;

    expect((await post(submission(workflowId, 'Subject', 'Body'), 'forged-secret')).status).toBe(401);
    const strangerClick = await clickEdit(workflowId, '1.2.3', { id: 'U0STRANGER', username: 'eve', name: 'eve' });
    expect(strangerClick.text).toContain("Only this customer's CSM");
    expect(harness.slack.calls('views.open')).toHaveLength(opens);

    const refusals: Array<[object, string]> = [
      [submission(workflowId, 'Subject', 'Body', { id: 'U0STRANGER' }), 'subject'],
      [submission(workflowId, 'Subject', 'Body', CSM, 'someone_elses_dialog'), 'subject'],
      [submission(workflowId, 'Sub\u0000ject', 'Body'), 'subject'],
      [submission(workflowId, 'x'.repeat(501), 'Body'), 'subject'],
      [submission(workflowId, 'Subject', 'y'.repeat(20_001)), 'body'],
      [submission(workflowId, '   ', 'Body'), 'subject'],
      [submission(workflowId, 'Subject', { nested: { deeper: ['x'] } }), 'body'],
      [submission('adoption-stalled/unknown/run', 'Subject', 'Body'), 'subject'],
    ];
    for (const [payload, block] of refusals) {
      const answer = await post(payload);
      expect(answer.status).toBe(200);
      const parsed = JSON.parse(answer.text) as { response_action: string; errors: Record<string, string> };
      expect(parsed.response_action).toBe('errors');
      expect(Object.keys(parsed.errors)).toEqual([block]);
    }
    expect(await signals(workflowId)).toEqual([]);
    const state = await harness.handle(workflowId).query<{ step: { id: string } }>('state');
    expect(state.step.id).toBe('await_approval');
    await harness.handle(workflowId).terminate('test done');
  });
});
