import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer, seedStalledSignal } from '../support/seed';

/**
 * A refused Send Resources (the customer has no champion email) answers the problem page with the reason and a link
 * back to the customer's adoption page, not a bare status. Over HTTP with fetch, as a browser's form post.
 */
const KEY = 'send-resources-key-0123456789abcdef';
let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let customerId: string;
const basic = { authorization: `Basic ${Buffer.from(`csm:${KEY}`).toString('base64')}` };

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
  customerId = await seedCustomer(database.db, { name: 'Nobody To Mail' });
  await seedStalledSignal(database.db, ['advanced_analytics'], customerId);
  await database.db.query(`UPDATE customers SET champion_email = NULL WHERE id = $1`, [customerId]);
  app = buildApiServer({ db: database.db, apiKeys: KEY, email: { from: 'cs@vendor.example' } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

it('shows why Send Resources was refused and links back to the customer', async () => {
  const page = await (await fetch(`${base}/customers/${customerId}/adoption`, { headers: basic })).text();
  const form = /<form method="post" action="(\/customers\/[^"]+\/adoption\/interventions)">([\s\S]*?)<\/form>/.exec(page);
  expect(form).not.toBeNull();
  const fields = new URLSearchParams();
  for (const input of form![2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields.append(
      input[1],
      input[2]
        .replace(/&amp;/g, '&')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"'),
    );
  }
  const answer = await fetch(`${base}${form![1]}`, {
    method: 'POST',
    headers: { ...basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  const problem = await answer.text();
  expect(answer.status).toBe(422);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  expect(problem).toContain('Nobody To Mail has no champion email on file');
  expect(problem).toContain(`<a href="/customers/${customerId}/adoption">Back to the customer&#39;s adoption page</a>`);
});
