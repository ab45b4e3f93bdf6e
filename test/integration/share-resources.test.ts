import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { slackSignature } from '../../web/slack/signature';
import { recordShareDelivered } from '../../adoption/resource-share';
import { relayOutbox } from '../../channels/delivery-relay';
import { deliveryHooks } from '../../adoption/delivery-hooks';
import { seedStalledSignal } from '../support/seed';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * US-3 over HTTP on real Postgres and a real SMTP server: the share API, the adoption page's "Send Resources" and
 * Slack's "Share Resources" email the ranked resources to the champion once per click (counted at the SMTP server),
 * through tracked links, and record the resource_share interventions when delivered; hostile input sends nothing.
 */
const KEY = 'share-test-key-0123456789';
const SLACK_SECRET = 'slack-signing-secret-for-share-tests';
const LINK_SECRET = 'link-secret-for-share-tests-000';
const NOW = new Date('2026-11-27T20:00:00Z');
const CSM_SLACK = 'U0CSM0001';

let test: TestDatabase;
let smtp: SmtpTestServer;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  test = await createTestDatabase();
  smtp = await startSmtpServer();
  app = buildApiServer({
    db: test.db,
    now: () => NOW,
    apiKeys: KEY,
    slackSigningSecret: SLACK_SECRET,
    slackResponseUrls: false,
    links: { secret: LINK_SECRET, baseUrl: 'http://adoption.example' },
    email: { smtpUrl: smtp.url, from: 'Customer Success <cs@vendor.example>' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
  await test?.dispose();
});

async function newCustomer(features = ['advanced_analytics', 'workflow_automation']) {
  const seeded = await seedStalledSignal(test.db, features);
  const workflowId = `adoption-stalled/${seeded.customerId}/${seeded.signalId}`;
  await test.db.query(`UPDATE risk_signals SET workflow_id = $1 WHERE id = $2`, [workflowId, seeded.signalId]);
  return { ...seeded, workflowId };
}

const mailsTo = (customerEmail: string, since: number) => smtp.messages.slice(since).filter((mail) => mail.to.includes(customerEmail));
const count = async (sql: string, params: unknown[]) => (await test.db.query<{ n: number }>(sql, params)).rows[0].n;

async function share(
  customerId: string,
  key: string | null,
  body: unknown = {},
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are whatever the route answers
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}/api/customers/${customerId}/resource-shares`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('POST /api/customers/:id/resource-shares', () => {
  it('emails the ranked resources to the champion once per key, through tracked links, and records the interventions', async () => {
    const { customerId } = await newCustomer();
    const before = smtp.messages.length;
    const first = await share(customerId, 'click-1', { requestedBy: 'dana@vendor.example' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ delivery: 'delivered', repeated: false, to: { email: 'priya@techcorp.example' } });
    // Started features want beginner material, a guide first; the webinar's only session (Feb 15) is past: never offered.
    expect(first.body.resources).toEqual([
      { featureId: 'advanced_analytics', url: 'https://docs.example.com/analytics', title: 'Quick Start Guide' },
      { featureId: 'advanced_analytics', url: 'https://training.example.com/analytics', title: 'Analytics Dashboard Overview' },
      { featureId: 'workflow_automation', url: 'https://training.example.com/automation', title: 'Automation in 10 minutes' },
    ]);

    const again = await share(customerId, 'click-1', { requestedBy: 'dana@vendor.example' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, repeated: true });

    const mails = mailsTo('priya@techcorp.example', before);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Resources for Advanced Analytics Dashboard and Workflow Automation');
    expect(mails[0].text).toContain('it helps you spot trends across your accounts before they become problems.');
    expect(mails[0].text).toContain('it helps you automate routine hand-offs.');
    expect(mails[0].text).not.toContain('Advanced Analytics Live');
    expect(mails[0].text).not.toContain('https://docs.example.com/analytics');
    expect(mails[0].text.match(/http:\/\/adoption\.example\/r\/[\w-]+\.[\w-]+\.[\w-]+/g)).toHaveLength(3);
    expect(mails[0].text).toMatch(/http:\/\/adoption\.example\/book\/[\w-]+/);

    const interventions = await test.db.query<{ feature_id: string; intervention_type: string; resources_shared: string[] }>(
      `SELECT feature_id, intervention_type, resources_shared FROM interventions WHERE customer_id = $1 ORDER BY feature_id`,
      [customerId],
    );
    expect(interventions.rows).toEqual([
      {
        feature_id: 'advanced_analytics',
        intervention_type: 'resource_share',
        resources_shared: ['https://docs.example.com/analytics', 'https://training.example.com/analytics'],
      },
      { feature_id: 'workflow_automation', intervention_type: 'resource_share', resources_shared: ['https://training.example.com/automation'] },
    ]);
    expect(await count(`SELECT COUNT(*)::int AS n FROM resource_engagement WHERE customer_id = $1 AND event = 'sent'`, [customerId])).toBe(3);

    // Everything was received now: a new click has nothing new to send.
    const nothing = await share(customerId, 'click-2');
    expect(nothing.status).toBe(422);
    expect(nothing.body.error).toContain('nothing to share');
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(1);
  });

  it('sends once when the same click arrives many times at once', async () => {
    const { customerId } = await newCustomer();
    const before = smtp.messages.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => share(customerId, 'racing-click')));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(1);
    expect(await count(`SELECT COUNT(*)::int AS n FROM resource_shares WHERE customer_id = $1`, [customerId])).toBe(1);
  });

  it('queues the share when SMTP refuses it: not reported as sent, no intervention until the relay delivers it', async () => {
    const { customerId } = await newCustomer(['workflow_automation']);
    const before = smtp.messages.length;
    smtp.rejectNext(1, 451);
    const queued = await share(customerId, 'smtp-down');
    expect(queued.status).toBe(201);
    expect(queued.body).toMatchObject({ delivery: 'queued', deliveredAt: null });
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(0);
    expect(await count(`SELECT COUNT(*)::int AS n FROM interventions WHERE customer_id = $1`, [customerId])).toBe(0);
    const outbox = await test.db.query<{ delivered: boolean; channel: string; payload: { kind: string; shareId: string; message: { to: unknown } } }>(
      `SELECT delivered, channel, payload FROM outbox WHERE idempotency_key = $1`,
      [`resource-share/${queued.body.id}`],
    );
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0]).toMatchObject({ delivered: false, channel: 'email', payload: { kind: 'resource_share', shareId: queued.body.id } });

    // The outbox relay delivers it once SMTP answers: one email at the SMTP server, the interventions once, however
    // often the relay passes.
    const relay = { db: test.db, email: { smtpUrl: smtp.url, from: 'Customer Success <cs@vendor.example>' }, onDelivered: deliveryHooks };
    expect(await relayOutbox(relay, { minAgeSeconds: 0 })).toMatchObject({ delivered: 1, failed: 0 });
    expect(await relayOutbox(relay, { minAgeSeconds: 0 })).toMatchObject({ delivered: 0, failed: 0 });
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(1);
    expect(await recordShareDelivered(test.db, queued.body.id, NOW)).toHaveLength(0);
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM resource_shares WHERE id = $1 AND delivery = 'smtp' AND delivered_at IS NOT NULL`, [
        queued.body.id,
      ]),
    ).toBe(1);
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM interventions WHERE customer_id = $1 AND intervention_type = 'resource_share'`, [customerId]),
    ).toBe(1);
  });

  it('refuses hostile and malformed requests with the field named, and sends nothing', async () => {
    const { customerId } = await newCustomer();
    const before = smtp.messages.length;
    const cases: Array<[string | null, unknown, number, RegExp]> = [
      [null, {}, 400, /idempotency-key/],
      ['x'.repeat(201), {}, 400, /idempotency-key/],
      ['nul-body', { requestedBy: 'dana\u0000' }, 400, /requestedBy/],
      ['huge-list', { featureIds: Array.from({ length: 51 }, (_, index) => `f${index}`) }, 400, /featureIds/],
      ['huge-text', { requestedBy: 'x'.repeat(100_000) }, 400, /requestedBy|too large|body/],
      ['unknown-field', { to: 'mallory@example.com' }, 400, /to/],
      ['deep', { featureIds: [[[[[[['x']]]]]]] }, 400, /featureIds|deep|nest/],
    ];
    for (const [key, body, status, message] of cases) {
      const answer = await share(customerId, key, body);
      expect([key, answer.status]).toEqual([key, status]);
      expect(JSON.stringify(answer.body)).toMatch(message);
    }
    const notJson = await share(customerId, 'form', 'payload=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(415);
    const noKey = await fetch(`${base}/api/customers/${customerId}/resource-shares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'no-api-key' },
      body: '{}',
    });
    expect(noKey.status).toBe(401);
    expect((await share('not-a-uuid', 'bad-id')).status).toBe(400);
    expect((await share('00000000-0000-4000-8000-000000000000', 'unknown')).status).toBe(404);
    await test.db.query(`UPDATE customers SET champion_email = NULL WHERE id = $1`, [customerId]);
    const noChampion = await share(customerId, 'no-champion');
    expect(noChampion.status).toBe(422);
    expect(noChampion.body.error).toContain('no champion email');
    expect(smtp.messages.length).toBe(before);
    expect(await count(`SELECT COUNT(*)::int AS n FROM resource_shares WHERE customer_id = $1`, [customerId])).toBe(0);
  });
});

describe('a share naming a run', () => {
  it("refuses another customer's run, or no run at all, as body/workflowId, and sends nothing", async () => {
    const victim = await newCustomer();
    const attacker = await newCustomer();
    const before = smtp.messages.length;
    for (const workflowId of [victim.workflowId, 'adoption-stalled/no-such-run']) {
      const refused = await share(attacker.customerId, `foreign-${workflowId}`, { workflowId });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toContain('body/workflowId');
    }
    expect(smtp.messages.length).toBe(before);
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM resource_shares WHERE workflow_id = $1 OR customer_id = $2`, [
        victim.workflowId,
        attacker.customerId,
      ]),
    ).toBe(0);
    // The customer's own run is linked.
    const own = await share(attacker.customerId, 'own-run', { workflowId: attacker.workflowId });
    expect(own.status).toBe(201);
    expect(own.body.workflowId).toBe(attacker.workflowId);
  });
});

describe("the adoption page's Send Resources button", () => {
  async function pageToken(customerId: string): Promise<{ token: string; adoptionId: string }> {
    const page = await fetch(`${base}/customers/${customerId}/adoption`, { headers: { authorization: `Bearer ${KEY}` } });
    const text = await page.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    const adoptionId = /name="featureAdoptionId" value="([^"]+)"/.exec(text)?.[1];
    if (!token || !adoptionId) throw new Error('the adoption page carries no Send Resources form');
    return { token, adoptionId };
  }

  const submit = (customerId: string, fields: Array<[string, string]>) =>
    fetch(`${base}/customers/${customerId}/adoption/interventions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });

  it('emails the feature resources once for a form submitted twice, and a forged token sends nothing', async () => {
    const { customerId } = await newCustomer(['advanced_analytics']);
    const { token, adoptionId } = await pageToken(customerId);
    const before = smtp.messages.length;
    const fields: Array<[string, string]> = [
      ['_csrf', token],
      ['featureAdoptionId', adoptionId],
      ['interventionType', 'resource_share'],
      ['details', 'Shared from the page'],
      ['resourcesShared', 'https://training.example.com/analytics'],
    ];
    const first = await submit(customerId, fields);
    const second = await submit(customerId, fields);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get('location')).toBe(`/customers/${customerId}/adoption?sent=advanced_analytics`);
    const mails = mailsTo('priya@techcorp.example', before);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Resources for Advanced Analytics Dashboard');
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM interventions WHERE customer_id = $1 AND intervention_type = 'resource_share'`, [customerId]),
    ).toBe(1);

    const forged = await submit(customerId, [['_csrf', `${token.split('.')[0]}.${'A'.repeat(43)}`], ...fields.slice(1), ['nonce', 'other-click']]);
    expect(forged.status).toBe(403);
    const nul = await submit(customerId, [...fields, ['nonce', 'click\u0000']]);
    expect(nul.status).toBe(400);
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(1);
  });
});

describe("Slack's Share Resources button", () => {
  async function click(workflowId: string, options: { actionTs?: string | null; secret?: string; user?: string } = {}) {
    const action: Record<string, unknown> = { type: 'button', action_id: 'share_resources', block_id: 'adoption_actions', value: workflowId };
    if (options.actionTs !== null) action.action_ts = options.actionTs ?? '1767225700.000200';
    const payload = { type: 'block_actions', user: { id: options.user ?? CSM_SLACK, username: 'dana' }, actions: [action] };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(Math.floor(NOW.getTime() / 1000));
    const response = await fetch(`${base}/slack/interactivity`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slackSignature(options.secret ?? SLACK_SECRET, timestamp, body),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as { text: string; blocks?: Array<{ text: { text: string } }> } };
  }

  it("emails the run's resources once per click, with tracked links in the reply; a forged signature or another user sends nothing", async () => {
    const { workflowId } = await newCustomer();
    const before = smtp.messages.length;

    const forged = await click(workflowId, { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    const stranger = await click(workflowId, { user: 'U0SOMEONE' });
    expect(stranger.body.text).toContain("Only this customer's CSM");
    const noTs = await click(workflowId, { actionTs: null });
    expect(noTs.body.text).toContain('cannot be sent exactly once');
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(0);

    const shared = await click(workflowId);
    expect(shared.status).toBe(200);
    expect(shared.body.text).toMatch(/^Sent by dana \(Slack U0CSM0001\): 3 resources emailed to Priya Shah &lt;priya@techcorp\.example&gt;/);
    expect(shared.body.blocks?.[0].text.text).toContain('<http://adoption.example/r/');
    const retried = await click(workflowId); // Slack delivered the same click again
    expect(retried.body.text).toMatch(/^Already sent for this click/);
    expect(mailsTo('priya@techcorp.example', before)).toHaveLength(1);
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM interventions WHERE workflow_id = $1 AND intervention_type = 'resource_share'`, [workflowId]),
    ).toBe(2);
  });
});
