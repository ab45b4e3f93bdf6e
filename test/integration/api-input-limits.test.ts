import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { INPUT_LIMITS } from '../../web/input-limits';
import { routesOf } from '../../web/auth';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer } from '../support/seed';

/**
 * Issue 8: input is validated before anything else is consulted, and nothing from input reaches a 500. Every route
 * of the API, on a real socket over a real Postgres, with Temporal *down* (its client cannot connect): a NUL in the
 * path, the query or the body, JSON nested 5,000 deep, impossible dates and unknown fields are 400s naming the field,
 * echoing at most a short prefix of the bad value; the same request made valid reaches the handler (503 for the
 * workflow routes, because Temporal is down). The route table is read from the server, so a route added later
 * without a probe here fails the completeness test.
 */
let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let customerId: string;
let adoptionId: string;

const API_KEY = 'input-limits-test-key';
const WORKFLOW_ID = encodeURIComponent(`adoption-stalled/${randomUUID()}/${randomUUID()}`);
const DEEP = '['.repeat(5000) + ']'.repeat(5000);
const DEEP_OBJECT = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
  customerId = await seedCustomer(database.db);
  adoptionId = (
    await database.db.query<{ id: string }>(
      `INSERT INTO feature_adoption (customer_id, feature_id, feature_name) VALUES ($1, 'advanced_analytics', 'Advanced Analytics') RETURNING id`,
      [customerId],
    )
  ).rows[0].id;
  app = buildApiServer({
    db: database.db,
    // Temporal is down: connecting fails. Bad input must still be a 400, never this 503.
    temporal: { client: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')), taskQueue: 'nowhere' },
    slackSigningSecret: 'secret',
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the route answers
  body: any;
  text: string;
}

async function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text };
}

/** One probe per route: a valid request, and how to make each part of it bad. */
interface RouteProbe {
  method: 'GET' | 'POST' | 'PUT';
  /** The route as fastify lists it. */
  route: string;
  /** A valid path (the handler runs). */
  path: (value?: string) => string;
  /** Path parameter probes: NUL inside it. */
  param?: string;
  /** A valid JSON body. */
  body?: Record<string, unknown>;
  /** Status of the valid request (Temporal down: 503); routes of other features are probed on their URL only. */
  validStatus?: number;
  /** A declared query with dates: impossible dates must be refused. */
  dates?: (from: string, to: string) => string;
}

const probes = (): RouteProbe[] => [
  { method: 'GET', route: '/healthz', path: () => '/healthz', validStatus: 200 },
  {
    method: 'GET',
    route: '/api/customers/:customerId/feature-adoption',
    path: (value = customerId) => `/api/customers/${value}/feature-adoption`,
    param: customerId,
    validStatus: 200,
  },
  {
    method: 'GET',
    route: '/api/features/:featureId/resources',
    path: (value = 'advanced_analytics') => `/api/features/${value}/resources`,
    param: 'advanced_analytics',
    validStatus: 200,
  },
  {
    method: 'POST',
    route: '/api/feature-adoption/:id/intervention',
    path: (value = adoptionId) => `/api/feature-adoption/${value}/intervention`,
    param: adoptionId,
    body: { interventionType: 'email', details: 'sent the guide' },
    validStatus: 201,
  },
  { method: 'POST', route: '/api/feature-adoption/sync', path: () => '/api/feature-adoption/sync', body: { customerId }, validStatus: 200 },
  {
    method: 'POST',
    route: '/api/workflows/:workflowId/email-decision',
    path: (value = WORKFLOW_ID) => `/api/workflows/${value}/email-decision`,
    param: WORKFLOW_ID,
    body: { decision: 'approve', by: 'dana@vendor.example' },
    validStatus: 503,
  },
  {
    method: 'POST',
    route: '/api/workflows/:workflowId/recovered',
    path: (value = WORKFLOW_ID) => `/api/workflows/${value}/recovered`,
    param: WORKFLOW_ID,
    body: { featureId: 'advanced_analytics', detectedAt: '2026-03-01T10:00:00Z' },
    validStatus: 503,
  },
  {
    method: 'GET',
    route: '/api/workflows/:workflowId/state',
    path: (value = WORKFLOW_ID) => `/api/workflows/${value}/state`,
    param: WORKFLOW_ID,
    validStatus: 503,
  },
  { method: 'GET', route: '/api/reports/stalled-features', path: () => '/api/reports/stalled-features', validStatus: 200 },
  { method: 'GET', route: '/api/reports/interventions', path: () => '/api/reports/interventions', validStatus: 200 },
  // Slack's signed form body is checked (signature first) by its route: only the URL is probed here.
  { method: 'POST', route: '/slack/interactivity', path: () => '/slack/interactivity', validStatus: 415 },
  // Signed on its raw bytes and checked before parsing (its own tests: training-completion-webhook.test.ts); no secret here.
  { method: 'POST', route: '/webhooks/training-completion', path: () => '/webhooks/training-completion', validStatus: 503 },
  { method: 'GET', route: '/openapi.json', path: () => '/openapi.json', validStatus: 200 },
  {
    method: 'POST',
    route: '/api/customers/:customerId/training-link',
    path: (value = customerId) => `/api/customers/${value}/training-link`,
    param: customerId,
  },
  ...['/api/reports/success-metrics', '/api/reports/impact', '/api/reports/lift', '/reports'].map((route): RouteProbe => ({
    method: 'GET',
    route,
    path: () => route,
    dates: (from, to) => `${route}?from=${from}&to=${to}`,
  })),
  {
    method: 'POST',
    route: '/customers/:customerId/adoption/interventions',
    path: (value = customerId) => `/customers/${value}/adoption/interventions`,
    param: customerId,
  },
  { method: 'GET', route: '/book/:token', path: (value = 'abcdefghijklmnop') => `/book/${value}`, param: 'abcdefghijklmnop' },
  { method: 'POST', route: '/book/:token', path: (value = 'abcdefghijklmnop') => `/book/${value}`, param: 'abcdefghijklmnop' },
  // Issue 9's share and tracked-link routes (their own hostile tests: share-resources.test.ts, tracked-links.test.ts).
  {
    method: 'POST',
    route: '/api/customers/:customerId/resource-shares',
    path: (value = customerId) => `/api/customers/${value}/resource-shares`,
    param: customerId,
  },
  { method: 'GET', route: '/r/:token', path: (value = 'abcdefghijklmnop') => `/r/${value}`, param: 'abcdefghijklmnop' },
  {
    method: 'GET',
    route: '/customers/:customerId/adoption',
    path: (value = customerId) => `/customers/${value}/adoption`,
    param: customerId,
    validStatus: 200,
  },
  {
    method: 'PUT',
    route: '/api/customers/:customerId/features/:featureId/not-needed',
    path: (value = customerId) => `/api/customers/${value}/features/advanced_analytics/not-needed`,
    param: customerId,
    body: { reason: 'they report from their own BI tool' },
    validStatus: 200,
  },
  {
    method: 'GET',
    route: '/api/customers/:customerId/features/:featureId/not-needed',
    path: (value = customerId) => `/api/customers/${value}/features/advanced_analytics/not-needed`,
    param: customerId,
    validStatus: 200,
  },
  {
    method: 'POST',
    route: '/customers/:customerId/features/:featureId/not-needed',
    path: (value = customerId) => `/customers/${value}/features/advanced_analytics/not-needed`,
    param: customerId,
  },
  { method: 'GET', route: '/', path: () => '/', validStatus: 200 },
  { method: 'GET', route: '/workspace', path: () => '/workspace', validStatus: 200 },
  {
    method: 'GET',
    route: '/workspace/customers/:customerId',
    path: (value = customerId) => `/workspace/customers/${value}`,
    param: customerId,
    validStatus: 200,
  },
  ...['tasks/:taskId/done', 'drafts/:draftId/decision'].map((tail): RouteProbe => ({
    method: 'POST',
    route: `/workspace/${tail}`,
    path: (value = '5b0e9a44-7c1d-4e8f-9a2b-3c4d5e6f7a8b') => `/workspace/${tail.replace(/:[a-zA-Z]+/, value)}`,
    param: '5b0e9a44-7c1d-4e8f-9a2b-3c4d5e6f7a8b',
  })),
];

/** `GET /a/:b` lines from printRoutes (HEAD routes fastify adds for GETs left out). */
function listedRoutes(): string[] {
  const routes: string[] = [];
  let prefix: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[└├]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    prefix = [...prefix.slice(0, depth), match[2]];
    for (const method of match[3].split(', ')) if (method !== 'HEAD') routes.push(`${method} ${prefix.join('')}`);
  }
  return routes;
}

/** The error message: `error` of a JSON answer, the `<p>` of an HTML error page. */
const messageOf = (answer: Answer): string =>
  typeof answer.body?.error === 'string' ? answer.body.error : (/<p class="empty">([\s\S]*?)<\/p>/.exec(answer.text)?.[1] ?? answer.text);

const expect400 = (answer: Answer, field: RegExp) => {
  const message = messageOf(answer);
  expect({ status: answer.status, message }).toEqual({ status: 400, message: expect.stringMatching(field) });
  // A short message: no echo of a long bad value.
  expect(message.length).toBeLessThan(400);
};

it('every route of the server has a probe here (a new route needs one)', () => {
  const listed = listedRoutes();
  expect(listed.length).toBeGreaterThan(5);
  const probed = probes().map((probe) => `${probe.method} ${probe.route}`);
  expect(listed.filter((route) => !probed.includes(route))).toEqual([]);
});

it('the valid request of each probe reaches its handler (Temporal down: 503 on the workflow routes)', async () => {
  for (const probe of probes().filter((candidate) => candidate.validStatus !== undefined)) {
    const answer = await send(probe.method, probe.path(), probe.body === undefined ? undefined : JSON.stringify(probe.body));
    expect({ route: probe.route, status: answer.status }).toEqual({ route: probe.route, status: probe.validStatus });
  }
});

it('a NUL character in a path parameter is a 400 on every route with one, never a 500', async () => {
  for (const probe of probes().filter((candidate) => candidate.param)) {
    const bad = probe.path(`${probe.param!.slice(0, 8)}%00${probe.param!.slice(8)}`);
    const answer = await send(probe.method, bad, probe.body === undefined ? undefined : JSON.stringify(probe.body));
    expect400(answer, /params\//);
  }
});

it('an unknown query parameter, or a NUL in one, is a 400 on every route', async () => {
  for (const probe of probes()) {
    const body = probe.body === undefined ? undefined : JSON.stringify(probe.body);
    expect400(await send(probe.method, `${probe.path()}?colour=red`, body), /querystring\/colour is not allowed/);
    expect400(await send(probe.method, `${probe.path()}?x=%00`, body), /querystring/);
  }
  expect400(await send('GET', `/customers/${customerId}/adoption?sent=a%00b`), /querystring\/sent/);
  expect400(await send('GET', `/workspace?decided=a%00b`), /querystring\/decided/);
  expect400(await send('GET', `/workspace/customers/${customerId}?decided=${'f'.repeat(5000)}`), /querystring\/decided/);
});

it('JSON nested 5,000 deep is a 400 on every POST route that takes JSON', async () => {
  // Routes that check a signature over the raw bytes before any parsing (their access says so) take no parsed JSON.
  const rawBody = new Set(
    routesOf(app)
      .filter((route) => route.access.kind.endsWith('-signature'))
      .map((route) => route.url),
  );
  for (const probe of probes().filter((candidate) => candidate.method === 'POST' && !rawBody.has(candidate.route))) {
    const deep = await send(probe.method, probe.path(), DEEP);
    // The page forms take form bodies only: JSON there is a 415 before anything is parsed.
    if (deep.status === 415) continue;
    expect400(deep, new RegExp(`nested deeper than ${INPUT_LIMITS.maxDepth} levels`));
    expect400(await send(probe.method, probe.path(), DEEP_OBJECT), /body\/a\/a\/.*nested deeper/);
  }
});

it('impossible dates in a query are a 400 on every route that takes dates', async () => {
  for (const probe of probes().filter((candidate) => candidate.dates)) {
    for (const [from, to] of [
      ['2026-02-30', '2026-03-01'],
      ['9999-99-99', '2026-03-01'],
      ['2026-01-01', '2026-01-01%00'],
    ]) {
      expect400(await send('GET', probe.dates!(from, to)), /querystring\/(from|to)/);
    }
  }
});

it('a NUL, an unknown field or a 200,000-character value in a body is a 400 on every JSON route', async () => {
  for (const probe of probes().filter((candidate) => candidate.body)) {
    const [field] = Object.keys(probe.body!);
    const value = String(probe.body![field]);
    expect400(await send(probe.method, probe.path(), JSON.stringify({ ...probe.body, [field]: `${value}\u0000` })), /NUL/);
    expect400(await send(probe.method, probe.path(), JSON.stringify({ ...probe.body, colour: 'red' })), /colour/);
    const huge = await send(probe.method, probe.path(), JSON.stringify({ ...probe.body, [field]: 'x'.repeat(200_000) }));
    expect400(huge, new RegExp(`body/${field}`));
    expect(huge.text).not.toContain('x'.repeat(50));
  }
});

it('a NUL in a form body is a 400 (the adoption page form)', async () => {
  const form = new URLSearchParams({ interventionType: 'resource_share', details: 'guide\u0000', resourcesShared: 'https://x.example/a' });
  expect400(await send('POST', `/customers/${customerId}/adoption/interventions`, form.toString(), 'application/x-www-form-urlencoded'), /NUL/);
});

it('recovered refuses dates that do not exist, and text without a zone, naming detectedAt (Temporal down: still 400)', async () => {
  const path = `/api/workflows/${WORKFLOW_ID}/recovered`;
  for (const detectedAt of [
    '2026-02-30T10:00:00Z',
    '9999-99-99T99:99Z',
    '2026-03-01T24:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-03-01T10:00:00',
    '2026-03-01T10:00:00+25:00',
  ]) {
    const answer = await send('POST', path, JSON.stringify({ featureId: 'advanced_analytics', detectedAt }));
    expect400(answer, /body\/detectedAt/);
  }
  const unknown = await send('POST', path, JSON.stringify({ featureId: 'advanced_analytics', detectedAt: '2026-03-01T10:00:00Z', by: 'x' }));
  expect400(unknown, /body\/by is not part of the recovered contract/);
});

it('email-decision refuses over-long and NUL text and unknown fields, echoing a short prefix at most (Temporal down: still 400)', async () => {
  const path = `/api/workflows/${WORKFLOW_ID}/email-decision`;
  const long = await send('POST', path, JSON.stringify({ decision: 'edit', by: 'dana', subject: 's'.repeat(10_000) }));
  expect400(long, /body\/subject must be at most 500 characters/);
  const decision = await send('POST', path, JSON.stringify({ decision: 'y'.repeat(100_000), by: 'dana' }));
  expect400(decision, /body\/decision must be one of approve, edit, reject, got "y{40}"… \(100000 characters\)/);
  expect400(await send('POST', path, JSON.stringify({ decision: 'approve', by: 'dana\u0000' })), /NUL/);
  expect400(await send('POST', path, JSON.stringify({ decision: 'approve', by: 'dana', ['k'.repeat(5000)]: 1 })), /body\/k{40}… is not part/);
});
