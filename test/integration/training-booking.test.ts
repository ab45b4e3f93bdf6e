import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import ical, { type VEvent } from 'node-ical';
import ICAL from 'ical.js';
import { signLink } from '../../channels/signed-links';
import { buildApiServer } from '../../web/server';
import { seedStalledSignal } from '../support/seed';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * FR-3.3 and open question 3 over HTTP on real Postgres and a real SMTP server: the champion's booking link, the
 * slots in the CSM's time zone, one booking per slot, the .ics invitation (parsed back with libraries), the task
 * and the training interventions; forged and expired links book nothing; a self-serve link minted with an API key.
 */
const SECRET = 'booking-link-secret-for-tests';
const KEY = 'booking-test-key-0123456789';
const NOW = new Date('2026-11-27T20:00:00Z'); // a Friday, 15:00 in New York

let test: TestDatabase;
let smtp: SmtpTestServer;
let app: FastifyInstance;
let base: string;
let customerId: string;
const workflowId = 'adoption-stalled/booking-test/run-1';

beforeAll(async () => {
  test = await createTestDatabase();
  smtp = await startSmtpServer();
  const seeded = await seedStalledSignal(test.db, ['advanced_analytics', 'workflow_automation']);
  customerId = seeded.customerId;
  await test.db.query(`UPDATE customers SET csm_time_zone = 'America/New_York' WHERE id = $1`, [customerId]);
  await test.db.query(`UPDATE risk_signals SET workflow_id = $1 WHERE id = $2`, [workflowId, seeded.signalId]);
  app = buildApiServer({
    db: test.db,
    now: () => NOW,
    apiKeys: KEY,
    links: { secret: SECRET, baseUrl: 'http://booking.example' },
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

const linkFor = (now = NOW, run: string | null = workflowId) =>
  signLink(SECRET, { purpose: 'book-training', customerId, workflowId: run }, { now, validForSeconds: 14 * 86_400 });

async function page(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, text: await response.text() };
}

async function post(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, text: await response.text() };
}

const count = async (sql: string, params: unknown[] = []) => (await test.db.query<{ n: number }>(sql, params)).rows[0].n;

describe('the booking link from the enablement email', () => {
  it('shows the next three business days of the CSM in New York, hourly, in their time zone', async () => {
    const { status, text } = await page(`/book/${await linkFor()}`);
    expect(status).toBe(200);
    expect(text).toContain('Advanced Analytics Dashboard, Workflow Automation');
    expect(text).toContain('value="2026-11-30T14:00:00.000Z"');
    expect(text).toContain('Mon 30 Nov, 09:00 EST');
    expect(text.match(/type="radio"/g)).toHaveLength(24);
  });

  it('books a slot once: invitation to champion and CSM, the CSM task, training interventions; the same slot again is refused', async () => {
    const token = await linkFor();
    const booked = await post(`/book/${token}`, {
      slot: '2026-11-30T14:00:00.000Z',
      name: 'Zoë Müller',
      email: 'priya@techcorp.example',
      note: 'dashboards',
    });
    expect(booked.status).toBe(200);
    expect(booked.text).toContain('Mon 30 Nov, 09:00 EST');

    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail.to.sort()).toEqual(['dana@vendor.example', 'priya@techcorp.example']);
    const parsed = await simpleParser(mail.raw);
    const calendar = parsed.attachments.find((attachment) => attachment.contentType.startsWith('text/calendar'));
    expect(calendar).toBeDefined();
    // RFC 5545 3.1: lines of at most 75 octets, folded between UTF-8 sequences; ical.js reads the name back.
    const icsText = calendar!.content.toString('utf8');
    for (const line of icsText.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    const vevent = new ICAL.Component(ICAL.parse(icsText)).getFirstSubcomponent('vevent')!;
    const names = vevent.getAllProperties('attendee').map((attendee) => attendee.getParameter('cn'));
    expect(names).toContain('Zoë Müller');
    const events = Object.values(ical.sync.parseICS(calendar!.content.toString('utf8'))).filter((entry) => entry?.type === 'VEVENT') as VEvent[];
    expect(events).toHaveLength(1);
    expect(new Date(events[0].start).toISOString()).toBe('2026-11-30T14:00:00.000Z');
    const attendees = ([] as unknown[]).concat(events[0].attendee).map((attendee) => JSON.stringify(attendee).toLowerCase());
    expect(attendees.filter((line) => line.includes('mailto:priya@techcorp.example') || line.includes('mailto:dana@vendor.example'))).toHaveLength(2);
    expect(JSON.stringify(events[0].organizer).toLowerCase()).toContain('mailto:dana@vendor.example');

    expect(await count(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE customer_id = $1`, [customerId])).toBe(1);
    expect(
      await count(
        `SELECT COUNT(*)::int AS n FROM tasks WHERE customer_id = $1 AND step_id = 'training_booking' AND due_at = '2026-11-30T14:00:00Z'`,
        [customerId],
      ),
    ).toBe(1);
    const interventions = await test.db.query<{ feature_id: string; intervention_type: string; workflow_id: string }>(
      `SELECT feature_id, intervention_type, workflow_id FROM interventions WHERE customer_id = $1 ORDER BY feature_id`,
      [customerId],
    );
    expect(interventions.rows).toEqual([
      { feature_id: 'advanced_analytics', intervention_type: 'training', workflow_id: workflowId },
      { feature_id: 'workflow_automation', intervention_type: 'training', workflow_id: workflowId },
    ]);

    // Another link (minted a second earlier) for the same slot: the slot is no longer offered.
    const other = await linkFor(new Date(NOW.getTime() - 1000));
    const again = await post(`/book/${other}`, { slot: '2026-11-30T14:00:00.000Z', name: 'Someone Else', email: 'else@techcorp.example' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('That time is not offered');
    expect(again.text).not.toContain('value="2026-11-30T14:00:00.000Z"');
    expect(smtp.messages).toHaveLength(1);
    expect(await count(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE customer_id = $1`, [customerId])).toBe(1);
  });

  it('refuses a tampered, forged or expired link with a page that says so, and books nothing', async () => {
    const token = await linkFor();
    const [header, payload, signature] = token.split('.');
    const forged = await signLink(
      'someone-elses-secret-value',
      { purpose: 'book-training', customerId, workflowId },
      { now: NOW, validForSeconds: 3600 },
    );
    const expired = await linkFor(new Date(NOW.getTime() - 15 * 86_400_000));
    for (const bad of [`${header}.${payload}x.${signature}`, forged, expired]) {
      const shown = await page(`/book/${bad}`);
      expect(shown.status).toBe(403);
      expect(shown.text).toContain('This link cannot be used');
      const tried = await post(`/book/${bad}`, { slot: '2026-11-30T15:00:00.000Z', email: 'mallory@example.com' });
      expect(tried.status).toBe(403);
    }
    expect((await page(`/book/${expired}`)).text).toContain('has expired');
    expect(await count(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE booked_by_email = 'mallory@example.com'`)).toBe(0);
  });
});

describe('one booking per link', () => {
  it('a link that booked a session books no other, however many slots and names are posted at once; its page says so', async () => {
    const minted = await fetch(`${base}/api/customers/${customerId}/training-link`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    const path = new URL(((await minted.json()) as { url: string }).url).pathname;
    const before = smtp.messages.length;
    const slots = ['2026-12-01T16:00:00.000Z', '2026-12-01T17:00:00.000Z', '2026-12-01T18:00:00.000Z', '2026-12-01T19:00:00.000Z'];
    const answers = await Promise.all(
      slots.map((slot, index) => post(path, { slot, name: `Attacker ${index}`, email: `mallory${index}@example.com` })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
    for (const refused of answers.filter((answer) => answer.status === 409)) expect(refused.text).toContain('This link was already used');
    expect(await count(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE booked_by_email LIKE 'mallory%'`)).toBe(1);
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM tasks WHERE customer_id = $1 AND title LIKE '%Dec%' AND step_id = 'training_booking'`, [
        customerId,
      ]),
    ).toBe(1);
    expect(smtp.messages.length - before).toBe(1);

    const shown = await page(path);
    expect(shown.status).toBe(409);
    expect(shown.text).toContain('each link books one');
    expect(shown.text).not.toContain('type="radio"');
    const later = await post(path, { slot: '2026-12-02T15:00:00.000Z', email: 'mallory9@example.com' });
    expect(later.status).toBe(409);
    expect(await count(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE booked_by_email LIKE 'mallory%'`)).toBe(1);
  });
});

describe('self-serve', () => {
  it('a CSM mints a link with an API key; the customer books from it without any email from us', async () => {
    const refused = await fetch(`${base}/api/customers/${customerId}/training-link`, { method: 'POST' });
    expect(refused.status).toBe(401);
    const minted = await fetch(`${base}/api/customers/${customerId}/training-link`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(minted.status).toBe(201);
    const { url } = (await minted.json()) as { url: string };
    expect(url).toMatch(/^http:\/\/booking\.example\/book\//);
    const path = new URL(url).pathname;
    const booked = await post(path, { slot: '2026-12-01T15:00:00.000Z', email: 'ops@techcorp.example' });
    expect(booked.status).toBe(200);
    const row = await test.db.query<{ workflow_id: string | null }>(
      `SELECT workflow_id FROM training_bookings WHERE booked_by_email = 'ops@techcorp.example'`,
    );
    expect(row.rows).toEqual([{ workflow_id: null }]);
  });
});
