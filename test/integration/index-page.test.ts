import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer, seedStalledSignal } from '../support/seed';
import { pageAddresses } from '../../web/pages/navigation';

/**
 * `/` is the index page, behind the same keys as the other pages (docs/security.md), and every CSM page carries the
 * shared navigation to it, the workspace and the reports. Over HTTP with fetch (fastify's inject cannot load here).
 */
const KEY = 'index-page-key-0123456789abcdef';
let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let customerId: string;
const basic = { authorization: `Basic ${Buffer.from(`csm:${KEY}`).toString('base64')}` };

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
  customerId = await seedCustomer(database.db, { name: 'Index & <Co>' });
  await seedStalledSignal(database.db, ['advanced_analytics'], customerId);
  app = buildApiServer({ db: database.db, apiKeys: KEY });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

it('asks for a key like the other pages, then lists each customer with links to its adoption and workspace pages', async () => {
  const anonymous = await fetch(`${base}/`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);

  const answer = await fetch(`${base}/`, { headers: basic });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await answer.text();
  expect(page).toContain(`href="/customers/${customerId}/adoption">Index &amp; &lt;Co&gt;</a>`);
  expect(page).toContain(`href="/workspace/customers/${customerId}"`);
  expect(page).toContain('<a href="/" aria-current="page">Home</a>');
});

it('puts the same navigation on the adoption page, the workspace, the reports and a page problem; none on the booking problem page', async () => {
  for (const path of [
    `/customers/${customerId}/adoption`,
    '/workspace',
    `/workspace/customers/${customerId}`,
    '/reports',
    '/customers/not-a-uuid/adoption',
  ]) {
    const page = await (await fetch(`${base}${path}`, { headers: basic })).text();
    const nav = /<nav class="site-nav" aria-label="Pages">(.*?)<\/nav>/s.exec(page)?.[1] ?? '';
    expect([path, [...nav.matchAll(/href="([^"]+)"/g)].map((match) => match[1])]).toEqual([path, ['/', '/workspace', '/reports']]);
  }
  // The champion's booking link pages are not the CSM's: no navigation to pages they have no key for.
  const booking = await (await fetch(`${base}/book/not.a.token`)).text();
  expect(booking).toContain('This link cannot be used');
  expect(booking).not.toContain('class="site-nav"');
});

it('names every page in the start log line', () => {
  expect(pageAddresses('http://127.0.0.1:3000')).toEqual([
    'home http://127.0.0.1:3000/',
    'workspace http://127.0.0.1:3000/workspace',
    'reports http://127.0.0.1:3000/reports',
    "a customer's adoption page http://127.0.0.1:3000/customers/<customerId>/adoption",
  ]);
});
