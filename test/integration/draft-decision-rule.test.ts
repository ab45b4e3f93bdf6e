import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { parseApiKeys, principalOf } from '../../web/api-keys';
import { issueCsrfToken } from '../../web/csrf';
import { slackSignature } from '../../web/slack/signature';
import { DECIDABLE_STATUSES, storeDraft, type DraftStatus } from '../../adoption/drafts';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedStalledSignal } from '../support/seed';

/**
 * One rule for which drafts a CSM may decide on (adoption/drafts.ts), followed by both doors on real Postgres: the
 * Slack buttons and the workspace form. Each draft's run is a real execution on the dev server that no worker polls,
 * so the signals it receives are counted in its history: a decidable draft's decision reaches it, any other status is
 * refused and nothing does.
 */
const SECRET = 'slack-signing-secret-for-the-decision-rule';
const KEY = 'csm-workspace-key-for-the-decision-rule';
const KEYS = `dana:read+write+workflows:${KEY}`;
const CSM = { id: 'U0CSM0001', username: 'dana', name: 'dana' };
const NOW = new Date('2026-03-31T15:00:00Z');
const STATUSES: DraftStatus[] = ['draft', 'pending_approval', 'rejected', 'expired', 'sent'];

const TASK_QUEUE = 'draft-decision-rule-nobody-polls';
let connection: Connection;
let temporalClient: Client;

let database: TestDatabase;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS });
  temporalClient = new Client({ connection });
  database = await createTestDatabase();
  app = buildApiServer({
    db: database.db,
    temporal: { client: temporalClient, taskQueue: 'draft-decision-rule' },
    apiKeys: KEYS,
    slackSigningSecret: SECRET,
    slackResponseUrls: false,
    now: () => NOW,
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
  await connection?.close();
});

/** The signals a run's history holds, by name. */
async function signalsReceived(workflowId: string): Promise<string[]> {
  const history = await temporalClient.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
    .map((event) => event.workflowExecutionSignaledEventAttributes?.signalName ?? '');
}

/** A run of its own with one draft in `status`. */
async function runWithDraft(status: DraftStatus): Promise<{ workflowId: string; draftId: string }> {
  const db = database.db;
  const seeded = await seedStalledSignal(db, ['advanced_analytics']);
  const workflowId = `adoption-stalled/${seeded.customerId}/${seeded.signalId}`;
  await db.query(`UPDATE risk_signals SET workflow_id = $2 WHERE id = $1`, [seeded.signalId, workflowId]);
  await temporalClient.workflow.start('enablementWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [] });
  const draft = await storeDraft(db, {
    idempotencyKey: `${workflowId}/draft_enablement_email`,
    workflowId,
    stepId: 'draft_enablement_email',
    customerId: seeded.customerId,
    featureIds: seeded.featureIds,
    toEmail: 'priya@techcorp.example',
    toName: 'Priya Shah',
    fromEmail: 'dana@vendor.example',
    subject: 'Getting more from Advanced Analytics',
    body: 'Hi Priya,\n',
    status: status === 'draft' ? 'draft' : 'pending_approval',
  });
  await db.query(`UPDATE email_drafts SET status = $2 WHERE id = $1`, [draft.id, status]);
  return { workflowId, draftId: draft.id };
}

async function clickInSlack(actionId: string, workflowId: string): Promise<{ status: number; text: string; blocks?: unknown[] }> {
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: CSM,
      actions: [{ type: 'button', action_id: actionId, value: workflowId, action_ts: '1774969200.000100' }],
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
  return { status: response.status, ...((await response.json()) as { text: string; blocks?: unknown[] }) };
}

async function decideInWorkspace(draftId: string): Promise<{ status: number; text: string }> {
  const token = issueCsrfToken(principalOf(parseApiKeys(KEYS)[0]), NOW);
  const response = await fetch(`${base}/workspace/drafts/${draftId}/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { authorization: `Basic ${Buffer.from(`dana:${KEY}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, decision: 'approve' }).toString(),
  });
  return { status: response.status, text: await response.text() };
}

it('only a pending_approval draft may be decided on', () => {
  expect(DECIDABLE_STATUSES).toEqual(['pending_approval']);
});

describe.each(STATUSES)('a draft in %s', (status) => {
  const decidable = DECIDABLE_STATUSES.includes(status);

  it(decidable ? 'is decided on from Slack and from the workspace' : 'is refused by Slack and by the workspace', async () => {
    const { workflowId, draftId } = await runWithDraft(status);

    const shown = await clickInSlack('draft_enablement_email', workflowId);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.blocks)).toContain(decidable ? '"action_id":"approve_email"' : 'nothing to decide');

    const slack = await clickInSlack('approve_email', workflowId);
    expect(slack.status).toBe(200);
    expect(slack.text).toMatch(decidable ? /^Approved by dana/ : /nothing to decide/);

    const workspace = await decideInWorkspace(draftId);
    expect(workspace.status).toBe(decidable ? 303 : 409);
    if (!decidable) expect(workspace.text).toMatch(/nothing to decide/);
    expect(await signalsReceived(workflowId)).toEqual(decidable ? ['emailDecision', 'emailDecision'] : []);

    await temporalClient.workflow.getHandle(workflowId).terminate('test done');
    const listed = await fetch(`${base}/workspace`, { headers: { authorization: `Basic ${Buffer.from(`dana:${KEY}`).toString('base64')}` } });
    expect((await listed.text()).includes(draftId)).toBe(decidable);
  });
});
