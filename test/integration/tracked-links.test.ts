import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { signLink, signResourceLink, trackedResourceUrl } from '../../channels/signed-links';
import { engagementByFeature, untrackedUrl } from '../../adoption/engagement';
import { seedStalledSignal } from '../support/seed';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * FR-3.4 tracked links on real Postgres: a link from a received email records the click and redirects to the resource;
 * a forged, altered, expired or foreign token records nothing and redirects nowhere (no open redirect).
 */
const SECRET = 'tracked-link-secret-for-tests';
const KEY = 'tracked-test-key-0123456789';
const NOW = new Date('2026-11-27T20:00:00Z');
const RESOURCE = 'https://training.example.com/automation';

let test: TestDatabase;
let smtp: SmtpTestServer;
let app: FastifyInstance;
let base: string;
let customerId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  smtp = await startSmtpServer();
  customerId = (await seedStalledSignal(test.db, ['workflow_automation'])).customerId;
  app = buildApiServer({
    db: test.db,
    now: () => NOW,
    apiKeys: KEY,
    links: { secret: SECRET, baseUrl: 'http://placeholder.invalid' },
    email: { smtpUrl: smtp.url, from: 'cs@vendor.example' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
  await test?.dispose();
});

const clicks = async () =>
  (await test.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM resource_engagement WHERE customer_id = $1 AND event = 'click'`, [customerId]))
    .rows[0].n;

const open = (path: string) => fetch(`${base}${path}`, { redirect: 'manual' });

describe('GET /r/:token', () => {
  it('follows the link from a received share email: records the click and redirects to the resource', async () => {
    const shared = await fetch(`${base}/api/customers/${customerId}/resource-shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': 'tracked-1' },
      body: '{}',
    });
    expect(shared.status).toBe(201);
    const link = /http:\/\/placeholder\.invalid(\/r\/[\w.-]+)/.exec(smtp.messages.at(-1)!.text)?.[1];
    expect(link).toBeDefined();
    const before = await clicks();
    const response = await open(link!);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(RESOURCE);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await clicks()).toBe(before + 1);
    await open(link!);
    const engagement = (await engagementByFeature(test.db, customerId)).get('workflow_automation');
    expect(engagement).toMatchObject({ sent: 1, clicks: before + 2, completions: 0 });
  });

  it('refuses forged, altered, expired, foreign-purpose and malformed tokens: nothing recorded, no redirect', async () => {
    const good = await signResourceLink(SECRET, { customerId, featureId: 'workflow_automation', url: RESOURCE, workflowId: null }, NOW);
    const [header, payload, signature] = good.split('.');
    // The payload re-encoded to point elsewhere, keeping the old signature.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const redirected = Buffer.from(JSON.stringify({ ...claims, u: 'https://evil.example/phish' })).toString('base64url');
    const cases: Array<[string, number]> = [
      [await signResourceLink('another-secret-of-16+chars', { customerId, featureId: 'x', url: 'https://evil.example', workflowId: null }, NOW), 403],
      [`${header}.${redirected}.${signature}`, 403],
      [`${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`, 403],
      [
        await signResourceLink(
          SECRET,
          { customerId, featureId: 'workflow_automation', url: RESOURCE, workflowId: null },
          new Date(NOW.getTime() - 181 * 86_400_000),
        ),
        410,
      ],
      [await signLink(SECRET, { purpose: 'book-training', customerId, workflowId: null }, { now: NOW, validForSeconds: 3600 }), 403],
      ['not-a-token', 403],
      [encodeURIComponent('a.b.c\u0000'), 400],
      ['a'.repeat(5000), 414],
    ];
    const before = await clicks();
    for (const [token, status] of cases) {
      const response = await open(`/r/${token}`);
      expect([token.slice(0, 40), response.status]).toEqual([token.slice(0, 40), status]);
      expect(response.headers.get('location')).toBeNull();
    }
    expect(await clicks()).toBe(before);
  });

  it('sends an extremely long resource URL untracked rather than as a link the API cannot route', async () => {
    const long = `https://docs.example.com/${'x'.repeat(1900)}`;
    expect(await trackedResourceUrl({ secret: SECRET, baseUrl: base }, { customerId, featureId: 'f', url: long, workflowId: null }, NOW)).toBe(long);
  });

  it('reads the resource back out of a tracked link for the record of what an email shared', async () => {
    const tracked = await trackedResourceUrl(
      { secret: SECRET, baseUrl: 'https://cs.example' },
      { customerId, featureId: 'workflow_automation', url: RESOURCE, workflowId: null },
      NOW,
    );
    expect(tracked).toMatch(/^https:\/\/cs\.example\/r\//);
    expect(untrackedUrl(tracked)).toBe(RESOURCE);
    const booking = `https://cs.example/book/${await signLink(SECRET, { purpose: 'book-training', customerId, workflowId: null }, { now: NOW, validForSeconds: 60 })}`;
    expect(untrackedUrl(booking)).toBe(booking);
    for (const other of [RESOURCE, 'https://cs.example/r/a.b.c', 'https://cs.example/r/a.%%%.c']) expect(untrackedUrl(other)).toBe(other);
  });

  it('never signs a destination that is not a plain http(s) URL', async () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,hi',
      'https://user:pass@evil.example',
      'https://example.com/\u0000',
      'ftp://example.com/x',
    ]) {
      await expect(signResourceLink(SECRET, { customerId, featureId: 'f', url, workflowId: null }, NOW)).rejects.toThrow(/not a trackable/);
      expect(await trackedResourceUrl({ secret: SECRET, baseUrl: base }, { customerId, featureId: 'f', url, workflowId: null }, NOW)).toBe(url);
    }
  });
});
