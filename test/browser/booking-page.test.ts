import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { emailDecisionSignal } from '../../workflows/messages';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { startTimeSkippingServer } from '../support/temporal';

/**
 * FR-3.3 in a real browser: the champion follows "Schedule a session" from the enablement email the run sent (as
 * received by the SMTP server on 127.0.0.1), picks a time and books it; a second booking of the same time, from a tab
 * opened before, is refused; a tampered link is refused. Screenshots go to test/artifacts/ (git-ignored).
 */
const LINKS = { secret: 'browser-booking-link-secret', baseUrl: 'http://booking.invalid' };
const world = useEnablementHarness(startTimeSkippingServer, undefined, () => ({ links: LINKS }));
let browser: Browser;
let app: FastifyInstance;
let origin: string;

beforeAll(async () => {
  app = buildApiServer({
    db: world().database.db,
    temporal: { client: world().env.client, taskQueue: world().taskQueue },
    links: LINKS,
    email: { smtpUrl: world().smtp.url, from: 'Customer Success <cs@vendor.example>' },
  });
  origin = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function bookingLinkFromEmail(to: string): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const mail = world().smtp.messages.find((message) => message.to.includes(to) && /Schedule a session: /.test(message.text));
    if (mail) {
      const url = /Schedule a session: (\S+)/.exec(mail.text)![1];
      // The email names the public address; this test's API listens on 127.0.0.1 at a port of its own.
      return `${origin}${new URL(url).pathname}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no enablement email with a booking link reached ${to}`);
}

it('books from the link in the email; the same link again and a tampered link are refused', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['advanced_analytics']);
  const { workflowId } = await world().start(seeded.signalId);
  await world().waitForState(workflowId, (state) => state.step.id === 'await_approval' && state.status === 'waiting');
  await world().handle(workflowId).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' });
  const link = await bookingLinkFromEmail('priya@techcorp.example');

  const first = await browser.newPage({ javaScriptEnabled: false });
  const second = await browser.newPage({ javaScriptEnabled: false });
  await first.goto(link);
  await second.goto(link);
  const offered = await first.locator('input[name="slot"]').first().getAttribute('value');
  expect(await second.locator('input[name="slot"]').first().getAttribute('value')).toBe(offered);
  await first.screenshot({ path: path.join(ARTIFACTS, 'booking-page.png'), fullPage: true });

  await first.getByLabel('Your name').fill('Priya Shah');
  await first.getByLabel('Your email (for the invitation)').fill('priya@techcorp.example');
  const booked = await Promise.all([first.waitForNavigation(), first.getByRole('button', { name: 'Book this time' }).click()]);
  expect(booked[0]?.status()).toBe(200);
  await first.screenshot({ path: path.join(ARTIFACTS, 'booking-booked.png'), fullPage: true });
  expect(await first.getByRole('status').textContent()).toContain('Your session is booked');

  await second.getByLabel('Your email (for the invitation)').fill('someone@techcorp.example');
  const refused = await Promise.all([second.waitForNavigation(), second.getByRole('button', { name: 'Book this time' }).click()]);
  expect(refused[0]?.status()).toBe(409);
  // One booking per link: the second tab, open on the same link, is told the link has booked its session.
  expect(await second.getByRole('alert').textContent()).toMatch(/already booked with this link/);
  expect(await second.locator(`input[name="slot"][value="${offered}"]`).count()).toBe(0);

  const tampered = await browser.newPage({ javaScriptEnabled: false });
  const answer = await tampered.goto(withTamperedSignature(link));
  expect(answer?.status()).toBe(403);
  expect(await tampered.locator('h1').textContent()).toBe('This link cannot be used');
  await tampered.screenshot({ path: path.join(ARTIFACTS, 'booking-tampered.png') });

  // Counted at the peers: one booking, one invitation (besides the enablement email itself).
  const bookings = await world().database.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE workflow_id = $1`, [
    workflowId,
  ]);
  expect(bookings.rows).toEqual([{ n: 1 }]);
  expect(world().smtp.messages.filter((message) => message.subject?.startsWith('Training session booked'))).toHaveLength(1);
  // The run was told (the trainingBooked signal of the message contract).
  const state = await world().waitForState(workflowId, (current) => (current.trainingBooked ?? []).length > 0);
  expect(state.trainingBooked).toEqual([{ bookingId: expect.any(String), slotStart: offered }]);
});

/** Changes one character well inside the token's signature, always to a different one, so the link must fail to verify (the last characters of base64url can carry padding bits a decoder ignores). */
function withTamperedSignature(link: string): string {
  const at = link.lastIndexOf('.') + 5;
  const replacement = link[at] === 'A' ? 'B' : 'A';
  return link.slice(0, at) + replacement + link.slice(at + 1);
}
