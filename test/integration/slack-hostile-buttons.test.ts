import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { slackSignature } from '../../web/slack/signature';
import { seedStalledSignal } from '../support/seed';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Alert buttons on real Postgres through the signed interactivity route: a payload Slack would never send (an object
 * as the user id, a NUL in the button's value) is answered with a refusal naming the field, not an error; the
 * training-call task is once per click of each run's alert, so two runs' clicks at the same instant both make one.
 */
const SECRET = 'slack-signing-secret-for-hostile-tests';
const CSM_SLACK = 'U0CSM0001';
const NOW = new Date('2026-11-27T20:00:00Z');

let test: TestDatabase;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  test = await createTestDatabase();
  app = buildApiServer({ db: test.db, now: () => NOW, slackSigningSecret: SECRET, slackResponseUrls: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await test?.dispose();
});

async function newRun(): Promise<{ customerId: string; workflowId: string }> {
  const seeded = await seedStalledSignal(test.db, ['advanced_analytics']);
  const workflowId = `adoption-stalled/${seeded.customerId}/${seeded.signalId}`;
  await test.db.query(`UPDATE risk_signals SET workflow_id = $1 WHERE id = $2`, [workflowId, seeded.signalId]);
  return { customerId: seeded.customerId, workflowId };
}

/** Posts the payload as Slack does (form-encoded, signed); the raw JSON lets a test send what JSON.stringify would not. */
async function post(payloadJson: string): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ payload: payloadJson }).toString();
  const timestamp = String(Math.floor(NOW.getTime() / 1000));
  const response = await fetch(`${base}/slack/interactivity`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(SECRET, timestamp, body),
    },
    body,
  });
  const answer = (await response.json()) as { text?: string };
  return { status: response.status, text: answer.text ?? '' };
}

const click = (actionId: string, value: unknown, user: unknown = { id: CSM_SLACK, username: 'dana' }, actionTs = '1767225900.000300') =>
  post(
    JSON.stringify({
      type: 'block_actions',
      user,
      actions: [{ type: 'button', action_id: actionId, block_id: 'adoption_actions', value, action_ts: actionTs }],
    }),
  );

const tasksOf = async (workflowId: string) =>
  (
    await test.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM tasks WHERE workflow_id = $1 AND step_id = 'slack:schedule_training_call'`, [
      workflowId,
    ])
  ).rows[0].n;

describe('hostile Slack payloads', () => {
  it('answers a user id that is an object, or a NUL in the button value, with a refusal naming the field', async () => {
    const { workflowId } = await newRun();
    const cases: Array<[string, RegExp]> = [
      [
        JSON.stringify({
          type: 'block_actions',
          user: { id: { toString: 'x' } },
          actions: [{ action_id: 'schedule_training_call', value: workflowId }],
        }),
        /user\.id/,
      ],
      [
        JSON.stringify({ type: 'block_actions', user: { id: {} }, actions: [{ action_id: 'schedule_training_call', value: workflowId }] }),
        /user\.id/,
      ],
      [
        JSON.stringify({
          type: 'block_actions',
          user: { id: CSM_SLACK },
          actions: [{ action_id: 'schedule_training_call', value: `${workflowId}\u0000` }],
        }),
        /actions\[0\]\.value/,
      ],
      [
        JSON.stringify({ type: 'block_actions', user: { id: CSM_SLACK }, actions: [{ action_id: 'share_resources', value: 'x\u0000y' }] }),
        /actions\[0\]\.value/,
      ],
      [
        JSON.stringify({ type: 'block_actions', user: { id: CSM_SLACK }, actions: [{ action_id: { toString: 1 }, value: workflowId }] }),
        /actions\[0\]\.action_id/,
      ],
      [JSON.stringify({ type: 'block_actions', user: { id: CSM_SLACK }, actions: 'schedule_training_call' }), /actions/],
    ];
    for (const [payload, field] of cases) {
      const answer = await post(payload);
      expect([payload, answer.status]).toEqual([payload, 200]);
      expect(answer.text).toMatch(field);
      expect(answer.text).toContain('nothing was done');
      // A handler that threw is answered with this generic apology (and logged as an error).
      expect(answer.text).not.toContain('Sorry');
    }
    expect(await tasksOf(workflowId)).toBe(0);
  });
});

describe('hostile modal submissions', () => {
  it("answers a NUL in the dialog's run id inside the modal, not with an error", async () => {
    const { workflowId } = await newRun();
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'view_submission',
        user: { id: CSM_SLACK },
        view: { callback_id: 'edit_enablement_email', private_metadata: `${workflowId}\u0000`, state: { values: {} } },
      }),
    }).toString();
    const timestamp = String(Math.floor(NOW.getTime() / 1000));
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
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { subject: 'This dialog names no enablement run; nothing was done.' },
    });
  });
});

describe('Schedule Training Call', () => {
  it("creates one task per click of each run's alert: the same action_ts on two runs makes two tasks, a retry none", async () => {
    const first = await newRun();
    const second = await newRun();
    for (const run of [first, second, first]) {
      const answer = await click('schedule_training_call', run.workflowId);
      expect(answer.text).toMatch(/^Task created: Schedule a training call with /);
    }
    expect([await tasksOf(first.workflowId), await tasksOf(second.workflowId)]).toEqual([1, 1]);
  });
});
