import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { matchApiKey, parseApiKeys, principalOf, SCOPES, type ApiKey, type Principal, type Scope } from './api-keys';
import { checkCsrfToken, CSRF_FIELD } from './csrf';
import { renderErrorPage } from './pages/problem-pages';

/**
 * Who may call which route (docs/security.md), as server-level hooks:
 * - a route says what it needs in its `config`: `scope` (an API key with that scope), `auth: 'none'` (`/healthz`) or
 *   `auth: 'slack-signature'` (the route checks Slack's signature itself); a route that says nothing needs `read`
 *   for GET/HEAD and `write` otherwise, so a new route is never open by accident;
 * - API routes take `Authorization: Bearer <key>`; pages (`config.page`, default: any path outside `/api/`) also take
 *   HTTP Basic with the key as the password, so a browser works without JavaScript;
 * - no key -> 401, a key without the scope -> 403, both before the body is read;
 * - JSON routes take `application/json` only (415 otherwise: no HTML form can reach them); a page's form post
 *   takes `application/x-www-form-urlencoded` only and must carry the anti-forgery token of the page (403 without);
 * - with no keys configured the server is open, but only on loopback: `listen` refuses any other interface, and
 *   requests must name a loopback host (a DNS-rebinding page's `Host: evil.example` gets 403).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API key scope the route needs (default: `read` for GET/HEAD, `write` otherwise). */
    scope?: Scope;
    /**
     * `none`: no credential (health check); `slack-signature`: the handler verifies Slack's request signature;
     * `signed-link`: the URL's signed, expiring token is the credential and the handler verifies it (booking links);
     * `webhook-signature`: the handler verifies our webhook HMAC over the raw body (training completions).
     */
    auth?: 'none' | 'slack-signature' | 'signed-link' | 'webhook-signature';
    /** A server-rendered page or its form post (default: paths outside `/api/` and `/openapi.json`). */
    page?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling (set for every key-authenticated route; null on `/healthz`, Slack and unknown routes). */
    principal: Principal | null;
  }
}

export type RouteAccess =
  | { kind: 'none' }
  | { kind: 'slack-signature' }
  | { kind: 'signed-link' }
  | { kind: 'webhook-signature' }
  | { kind: 'key'; scope: Scope; page: boolean; form: boolean; bodyType: 'json' | 'form' | null };

export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface SecurityOptions {
  /** `ADOPTION_API_KEYS` (raw value, or parsed keys). Unset or empty: open, loopback only. */
  apiKeys?: string | readonly ApiKey[];
  now: () => Date;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const REALM = 'adoption-enablement';

export function accessOf(
  method: string,
  url: string,
  config: { scope?: Scope; auth?: 'none' | 'slack-signature' | 'signed-link' | 'webhook-signature'; page?: boolean } = {},
): RouteAccess {
  if (config.auth === 'none') return { kind: 'none' };
  if (config.auth === 'slack-signature') return { kind: 'slack-signature' };
  if (config.auth === 'signed-link') return { kind: 'signed-link' };
  if (config.auth === 'webhook-signature') return { kind: 'webhook-signature' };
  const upper = method.toUpperCase();
  const scope = config.scope ?? (upper === 'GET' || upper === 'HEAD' ? 'read' : 'write');
  const page = config.page ?? !(url.startsWith('/api/') || url === '/openapi.json');
  const hasBody = BODY_METHODS.has(upper);
  return { kind: 'key', scope, page, form: page && hasBody, bodyType: hasBody ? (page ? 'form' : 'json') : null };
}

const routeLists = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route of a server built by `buildApiServer` with what it needs (HEAD twins left out); the tests walk it. */
export function routesOf(app: FastifyInstance): RouteEntry[] {
  return [...(routeLists.get(app) ?? [])];
}

/** `127.0.0.1`, `::1`, `localhost` and the rest of 127/8: the interfaces an unkeyed server may listen on. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

export class InsecureListenError extends Error {
  constructor(host: string) {
    super(
      `refusing to listen on ${host}: ADOPTION_API_KEYS is not set, and without API keys the API is open, so it listens on ` +
        `loopback (127.0.0.1, ::1, localhost) only. Set ADOPTION_API_KEYS (docs/security.md) to serve other interfaces.`,
    );
    this.name = 'InsecureListenError';
  }
}

function mediaType(request: FastifyRequest): string | null {
  const header = request.headers['content-type'];
  if (header === undefined || header === '') return null;
  return header.split(';')[0].trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0') || mediaType(request) !== null;
}

/** Installs the hooks on the root instance; call before any route is declared (routes are collected as declared). */
export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const keys = typeof options.apiKeys === 'string' || options.apiKeys === undefined ? parseApiKeys(options.apiKeys) : [...options.apiKeys];
  const open = keys.length === 0;
  const openPrincipal: Principal = { name: 'local', scopes: new Set(SCOPES), secret: randomBytes(32), open: true };
  const routes: RouteEntry[] = [];
  routeLists.set(app, routes);

  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, access: accessOf(method, route.url, route.config ?? {}) });
    }
  });

  // Unkeyed means open: only on loopback. (fastify's own default host is localhost.)
  const listen = app.listen.bind(app) as (...args: unknown[]) => unknown;
  (app as unknown as { listen: (...args: unknown[]) => unknown }).listen = (...args: unknown[]) => {
    const first = args[0];
    const host =
      typeof first === 'object' && first !== null && 'host' in first ? String((first as { host?: unknown }).host ?? 'localhost') : 'localhost';
    if (open && !isLoopbackHost(host)) {
      const error = new InsecureListenError(host);
      const callback = args.find((arg) => typeof arg === 'function') as ((error: Error) => void) | undefined;
      if (callback) return void callback(error);
      return Promise.reject(error);
    }
    return listen(...args);
  };

  const refuse = (reply: FastifyReply, access: RouteAccess, status: number, message: string) => {
    if (status === 401) {
      const page = access.kind === 'key' && access.page;
      reply.header('WWW-Authenticate', page ? `Basic realm="${REALM}", charset="UTF-8"` : `Bearer realm="${REALM}"`);
    }
    if (access.kind === 'key' && access.page) return reply.code(status).type('text/html; charset=utf-8').send(renderErrorPage(status, message));
    return reply.code(status).send({ error: message });
  };

  const authenticate = (request: FastifyRequest, page: boolean): Principal | { status: number; message: string } => {
    if (open) {
      if (!isLoopbackHost(request.hostname)) {
        return { status: 403, message: 'this server has no API keys and answers only requests addressed to a loopback host' };
      }
      return openPrincipal;
    }
    const header = request.headers.authorization ?? '';
    const [schemeWord, ...rest] = header.trim().split(/\s+/);
    const scheme = (schemeWord ?? '').toLowerCase();
    const credential = rest.join(' ');
    let presented: string | null = null;
    if (scheme === 'bearer' && credential) presented = credential;
    else if (scheme === 'basic' && credential && page) {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      presented = colon >= 0 ? decoded.slice(colon + 1) : null;
    }
    if (presented === null) {
      return {
        status: 401,
        message: page
          ? 'an API key is required: sign in with any user name and the key as the password (HTTP Basic), or send Authorization: Bearer <key>'
          : 'an API key is required: send Authorization: Bearer <key>',
      };
    }
    const key = matchApiKey(keys, presented);
    if (!key) return { status: 401, message: 'the API key is not valid' };
    return principalOf(key);
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = accessOf(request.method, request.routeOptions.url ?? request.url, request.routeOptions.config ?? {});
    if (access.kind !== 'key') return;
    const principal = authenticate(request, access.page);
    if (!('scopes' in principal)) return refuse(reply, access, principal.status, principal.message);
    if (!principal.scopes.has(access.scope)) {
      return refuse(reply, access, 403, `the API key ${principal.name} does not have the ${access.scope} scope this route needs`);
    }
    if (access.bodyType && hasBody(request)) {
      const expected = access.bodyType === 'json' ? JSON_TYPE : FORM_TYPE;
      const got = mediaType(request);
      if (got !== expected) {
        return refuse(reply, access, 415, `this route takes ${expected} only${got ? `, not ${got}` : ' (no content-type was sent)'}`);
      }
    }
    request.principal = principal;
  });

  // A page's form post must bring back the token the page was rendered with (before the body is validated).
  app.addHook('preValidation', async (request, reply) => {
    const access = accessOf(request.method, request.routeOptions.url ?? request.url, request.routeOptions.config ?? {});
    if (access.kind !== 'key' || !access.form || !request.principal) return;
    const body = request.body as Record<string, unknown> | undefined;
    const problem = checkCsrfToken(request.principal, body?.[CSRF_FIELD], options.now());
    if (problem) return refuse(reply, access, 403, `${problem}; nothing was changed`);
  });
}

/** Who decided, for an API decision: the key's name (what the body says stays, labelled as the caller's claim). */
export function decidedBy(principal: Principal | null, body: unknown): unknown {
  if (!principal || principal.open || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const claimed = (body as { by?: unknown }).by;
  if (claimed === undefined) return { ...body, by: principal.name };
  if (typeof claimed !== 'string' || claimed.trim() === '') return body; // the contract's validator names the problem
  return { ...body, by: `${claimed} (API key ${principal.name})` };
}
