import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../web/server';
import { routesOf, type RouteEntry } from '../../web/auth';
import { SCOPES, type Scope } from '../../web/api-keys';
import type { Db } from '../../db/database';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { seedCatalog, seedCustomer } from '../support/seed';

/**
 * Authentication and authorization of every HTTP route (docs/security.md), on a real socket over a real Postgres.
 * The routes are not listed here: they come from the server itself (`routesOf`, collected as fastify declares them),
 * so a route added later without thought is tested too, and the OpenAPI document must list every one of them.
 */
const FULL = 'full-access-key-0123456789abcdef';
const READER = 'reader-key-0123456789abcdef';
const OTHER_FULL = 'another-full-key-0123456789abcdef';
/** For each scope, a key that has every other scope but that one. */
const LACKING: Record<Scope, string> = {
  read: 'lacks-read-key-0123456789abcdef',
  write: 'lacks-write-key-0123456789abcdef',
  workflows: 'lacks-workflows-key-0123456789abcdef',
};
const API_KEYS = [
  FULL,
  `platform:*:${OTHER_FULL}`,
  `reader:read:${READER}`,
  ...SCOPES.map((scope) => `no-${scope}:${SCOPES.filter((other) => other !== scope).join('+')}:${LACKING[scope]}`),
].join(',');

let database: TestDatabase;
let db: Db;
let app: FastifyInstance;
let base: string;
let customerId: string;
let adoptionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await seedCatalog(db);
  customerId = await seedCustomer(db, { name: 'SecureCo' });
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, usage_score, stage)
     VALUES ($1, 'advanced_analytics', 'Advanced Analytics Dashboard', NOW() - INTERVAL '30 days', 15, 'started') RETURNING id`,
    [customerId],
  );
  adoptionId = rows[0].id;
  app = buildApiServer({ db, apiKeys: API_KEYS, slackSigningSecret: 'slack-secret-for-tests' });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await database?.dispose();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function send(
  method: string,
  path: string,
  options: { key?: string; basic?: string; body?: string; type?: string; server?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.basic) headers.authorization = `Basic ${Buffer.from(`dana:${options.basic}`).toString('base64')}`;
  if (options.type) headers['content-type'] = options.type;
  const response = await fetch(`${options.server ?? base}${path}`, { method, headers, body: options.body, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A concrete path for a route pattern: every `:param` becomes a fresh UUID (valid for every param of ours). */
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, () => randomUUID());

const keyRoutes = () => routesOf(app).filter((route): route is RouteEntry & { access: { kind: 'key' } } => route.access.kind === 'key');

async function interventionCount(): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM interventions`);
  return rows[0].n;
}

describe('every route', () => {
  it('is known to the server, and only /healthz, Slack, the signed booking links and the signed completion webhook go without an API key', () => {
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect(
      routes
        .filter((route) => route.access.kind !== 'key')
        .map((route) => [route.method, route.url, route.access.kind])
        .sort(),
    ).toEqual(
      [
        ['GET', '/healthz', 'none'],
        ['POST', '/slack/interactivity', 'slack-signature'],
        ['GET', '/book/:token', 'signed-link'],
        ['POST', '/book/:token', 'signed-link'],
        ['GET', '/r/:token', 'signed-link'],
        ['POST', '/webhooks/training-completion', 'webhook-signature'],
      ].sort(),
    );
    // The routes this test must not miss are among them (and it walks whatever else exists).
    const listed = routes.map((route) => `${route.method} ${route.url}`);
    for (const expected of [
      'GET /api/customers/:customerId/feature-adoption',
      'POST /api/feature-adoption/:id/intervention',
      'POST /api/workflows/:workflowId/email-decision',
      'GET /customers/:customerId/adoption',
      'POST /customers/:customerId/adoption/interventions',
      'GET /openapi.json',
    ]) {
      expect(listed).toContain(expected);
    }
  });

  it('answers 401 without a key or with a wrong one, 403 with a key lacking its scope, and only then looks at the body', async () => {
    const before = await interventionCount();
    for (const route of keyRoutes()) {
      const path = concrete(route.url);
      const name = `${route.method} ${route.url}`;
      const body = route.access.bodyType === 'json' ? '{}' : route.access.bodyType === 'form' ? '_csrf=x' : undefined;
      const type =
        route.access.bodyType === 'json' ? 'application/json' : route.access.bodyType === 'form' ? 'application/x-www-form-urlencoded' : undefined;

      const none = await send(route.method, path, { body, type });
      expect([name, none.status]).toEqual([name, 401]);
      expect(none.headers.get('www-authenticate')).toMatch(
        route.access.page ? /^Basic realm="adoption-enablement"/ : /^Bearer realm="adoption-enablement"/,
      );

      const wrong = await send(route.method, path, { key: 'not-a-configured-key-0123456789', body, type });
      expect([name, wrong.status]).toEqual([name, 401]);
      expect(wrong.text).not.toContain('not-a-configured-key'); // a presented key is never echoed

      const lacking = await send(route.method, path, { key: LACKING[route.access.scope], body, type });
      expect([name, lacking.status]).toEqual([name, 403]);
      expect(lacking.text).toContain(`does not have the ${route.access.scope} scope`);

      // The right key gets past authentication (to validation, a 404, or a page form's anti-forgery check).
      const allowed = await send(route.method, path, { key: FULL, body, type });
      expect([name, [401, 415].includes(allowed.status)]).toEqual([name, false]);
      if (allowed.status === 403) expect([name, allowed.text]).toEqual([name, expect.stringContaining('anti-forgery token')]);
    }
    expect(await interventionCount()).toBe(before);
  });

  it('answers 415 to a form (or any non-JSON body) on every JSON route, and to JSON on a page form', async () => {
    const before = await interventionCount();
    const bodyRoutes = keyRoutes().filter((route) => route.access.bodyType !== null);
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(4);
    for (const route of bodyRoutes) {
      const name = `${route.method} ${route.url}`;
      const path = concrete(route.url);
      if (route.access.bodyType === 'json') {
        // What a plain HTML form on another site can send: urlencoded, multipart, text/plain.
        const forms: Array<[string, string]> = [
          ['application/x-www-form-urlencoded', 'decision=approve&by=mallory&interventionType=email&details=x'],
          ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'],
          ['text/plain', '{"decision":"approve","by":"mallory"}'],
        ];
        for (const [type, body] of forms) {
          const answer = await send(route.method, path, { key: FULL, type, body });
          expect([name, type, answer.status]).toEqual([name, type, 415]);
          expect(JSON.parse(answer.text)).toEqual({ error: `this route takes application/json only, not ${type.split(';')[0]}` });
        }
      } else {
        const answer = await send(route.method, path, { key: FULL, type: 'application/json', body: '{}' });
        expect([name, answer.status]).toEqual([name, 415]);
      }
    }
    expect(await interventionCount()).toBe(before);
  });
});

describe('API keys', () => {
  it('pass with their scope (Bearer); a read-only key reads but cannot write', async () => {
    const read = await send('GET', `/api/customers/${customerId}/feature-adoption`, { key: READER });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text).customer.name).toBe('SecureCo');
    const write = await send('POST', `/api/feature-adoption/${adoptionId}/intervention`, {
      key: READER,
      type: 'application/json',
      body: JSON.stringify({ interventionType: 'call', details: 'x' }),
    });
    expect(write.status).toBe(403);
    expect(JSON.parse(write.text)).toEqual({ error: 'the API key reader does not have the write scope this route needs' });
    const decide = await send('POST', `/api/workflows/${encodeURIComponent('adoption-stalled/a/b')}/email-decision`, {
      key: READER,
      type: 'application/json',
      body: JSON.stringify({ decision: 'approve', by: 'mallory' }),
    });
    expect(decide.status).toBe(403);
  });

  it('never reach the log, even at trace level', async () => {
    const lines: string[] = [];
    const logged = buildApiServer({ db, apiKeys: API_KEYS, logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } } });
    try {
      const url = await logged.listen({ port: 0, host: '127.0.0.1' });
      await send('GET', `/api/customers/${customerId}/feature-adoption`, { server: url, key: FULL });
      await send('GET', `/customers/${customerId}/adoption`, { server: url, basic: READER });
      await send('GET', `/api/customers/${customerId}/feature-adoption`, { server: url, key: 'not-a-configured-key-0123456789' });
    } finally {
      await logged.close();
    }
    expect(lines.length).toBeGreaterThan(3);
    const log = lines.join('\n');
    for (const secret of [FULL, READER, Buffer.from(`dana:${READER}`).toString('base64'), 'not-a-configured-key']) expect(log).not.toContain(secret);
  });

  it('leave /healthz open and take Slack by its signature, not by key', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
    const slack = await send('POST', '/slack/interactivity', { type: 'application/x-www-form-urlencoded', body: 'payload=%7B%7D' });
    expect(slack.status).toBe(401);
    expect(JSON.parse(slack.text).error).toMatch(/^invalid Slack request: /);
  });

  it('accept HTTP Basic (any user, the key as password) on pages only', async () => {
    const page = await send('GET', `/customers/${customerId}/adoption`, { basic: READER });
    expect(page.status).toBe(200);
    expect(page.text).toContain('SecureCo');
    const api = await send('GET', `/api/customers/${customerId}/feature-adoption`, { basic: READER });
    expect(api.status).toBe(401);
    const noKey = await send('GET', `/customers/${customerId}/adoption`);
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(noKey.headers.get('www-authenticate')).toBe('Basic realm="adoption-enablement", charset="UTF-8"');
  });
});

describe('the adoption page form (anti-forgery token)', () => {
  const tokenOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const formBody = (token: string | null) => {
    const form = new URLSearchParams({
      featureAdoptionId: adoptionId,
      interventionType: 'resource_share',
      details: 'Shared from the adoption page',
      resourcesShared: 'https://training.example.com/analytics',
    });
    if (token !== null) form.set('_csrf', token);
    return form.toString();
  };
  const post = (credential: string, body: string) =>
    send('POST', `/customers/${customerId}/adoption/interventions`, { basic: credential, type: 'application/x-www-form-urlencoded', body });

  it('refuses a forged post (no token, a token of another key, a tampered one) and records the real one', async () => {
    const page = await send('GET', `/customers/${customerId}/adoption`, { basic: FULL });
    const token = tokenOf(page.text);
    expect(token).toMatch(/^\d+\.[\w-]{43}$/);
    const otherToken = tokenOf((await send('GET', `/customers/${customerId}/adoption`, { basic: OTHER_FULL })).text);
    const before = await interventionCount();

    // What another site's form can do with the browser's Basic credentials: post without knowing the token.
    const forged = await post(FULL, formBody(null));
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('the form carries no anti-forgery token; nothing was changed');
    expect((await post(FULL, formBody(otherToken))).status).toBe(403);
    expect((await post(FULL, formBody(`${token.slice(0, -2)}${token.endsWith('xx') ? 'yy' : 'xx'}`))).status).toBe(403);
    expect((await post(FULL, formBody(`${Date.now() - 13 * 3_600_000}.${'a'.repeat(43)}`))).status).toBe(403);
    expect(await interventionCount()).toBe(before);

    const real = await post(FULL, formBody(token));
    expect(real.status).toBe(303);
    expect(real.headers.get('location')).toBe(`/customers/${customerId}/adoption?sent=advanced_analytics&queued=1`);
    // Send Resources now emails the champion (issue 9): one share, queued here (no SMTP), its intervention on delivery.
    const shares = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM resource_shares WHERE customer_id = $1 AND source = 'page'`, [
      customerId,
    ]);
    expect(shares.rows[0].n).toBe(1);
    expect(await interventionCount()).toBe(before);
  });
});

describe('security headers', () => {
  it("send frame-ancestors 'none', X-Frame-Options and nosniff on pages, nosniff and no-store on JSON", async () => {
    const page = await send('GET', `/customers/${customerId}/adoption`, { key: FULL });
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const refused = await send('GET', `/customers/${customerId}/adoption`);
    expect(refused.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const json = await send('GET', `/api/customers/${customerId}/feature-adoption`, { key: FULL });
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /openapi.json', () => {
  it('is generated from the routes, lists every one of them with its security, and needs a read key', async () => {
    expect((await send('GET', '/openapi.json')).status).toBe(401);
    const answer = await send('GET', '/openapi.json', { key: READER });
    expect(answer.status).toBe(200);
    const doc = JSON.parse(answer.text);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'pageBasic', 'slackSignature', 'webhookSignature']);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of routesOf(app)) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect([route.method, route.url, operation !== undefined]).toEqual([route.method, route.url, true]);
      if (route.access.kind === 'key') {
        expect(operation['x-required-scope']).toBe(route.access.scope);
        expect(operation.security).toContainEqual({ apiKey: [route.access.scope] });
      } else if (route.access.kind === 'none') {
        expect(operation.security).toEqual([]);
      } else if (route.access.kind === 'webhook-signature') {
        expect(operation.security).toEqual([{ webhookSignature: [] }]);
      } else if (route.access.kind === 'signed-link') {
        expect(operation.security).toEqual([]);
        expect(operation['x-credential']).toContain('signed, expiring link token');
      } else {
        expect(operation.security).toEqual([{ slackSignature: [] }]);
      }
    }
    // From the routes' own JSON Schemas: the intervention body, with its enum, and the UUID path parameter.
    const intervention = doc.paths['/api/feature-adoption/{id}/intervention'].post;
    expect(intervention.requestBody.content['application/json'].schema.properties.interventionType.enum).toEqual([
      'email',
      'call',
      'training',
      'resource_share',
    ]);
    expect(intervention.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: 'id', required: true }));
    const pageForm = doc.paths['/customers/{customerId}/adoption/interventions'].post;
    expect(Object.keys(pageForm.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
  });
});

describe('without API keys', () => {
  it('refuses to listen beyond loopback, saying so, and serves loopback without a key', async () => {
    const open = buildApiServer({ db });
    try {
      await expect(open.listen({ port: 0, host: '0.0.0.0' })).rejects.toThrow(
        /^refusing to listen on 0\.0\.0\.0: ADOPTION_API_KEYS is not set, and without API keys the API is open/,
      );
      const url = await open.listen({ port: 0, host: '127.0.0.1' });
      expect((await send('GET', `/api/customers/${customerId}/feature-adoption`, { server: url })).status).toBe(200);
      // A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host says so, and it is refused.
      const port = new URL(url).port;
      const rebound = await new Promise<number>((resolve, reject) => {
        http
          .get(
            { host: '127.0.0.1', port, path: `/api/customers/${customerId}/feature-adoption`, headers: { host: `evil.example:${port}` } },
            (response) => {
              response.resume();
              resolve(response.statusCode ?? 0);
            },
          )
          .on('error', reject);
      });
      expect(rebound).toBe(403);
      // Forms still need the page's token, and JSON routes still take JSON only.
      const form = await send('POST', `/api/feature-adoption/${adoptionId}/intervention`, {
        server: url,
        type: 'application/x-www-form-urlencoded',
        body: 'interventionType=email&details=x',
      });
      expect(form.status).toBe(415);
    } finally {
      await open.close();
    }
  });

  it('listens on every interface once keys are set', async () => {
    const keyed = buildApiServer({ db, apiKeys: API_KEYS });
    try {
      const url = await keyed.listen({ port: 0, host: '0.0.0.0' });
      expect(url).toMatch(/^http:\/\//);
    } finally {
      await keyed.close();
    }
  });

  it('refuses a malformed ADOPTION_API_KEYS at start without echoing any key', () => {
    expect(() => buildApiServer({ db, apiKeys: 'short' })).toThrow(
      "ADOPTION_API_KEYS: entry 1: a key must be at least 16 characters without whitespace, ',' or ':' (docs/security.md)",
    );
    expect(() => buildApiServer({ db, apiKeys: `ops:admin:${FULL}` })).toThrow(/entry 1 \(ops\): unknown scope "admin"/);
    try {
      buildApiServer({ db, apiKeys: `ops:read:${FULL}:extra` });
    } catch (error) {
      expect((error as Error).message).not.toContain(FULL);
    }
  });
});
