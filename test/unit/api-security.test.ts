import { ApiKeyConfigError, matchApiKey, parseApiKeys, principalOf } from '../../web/api-keys';
import { accessOf, decidedBy, isLoopbackHost } from '../../web/auth';
import { checkCsrfToken, issueCsrfToken, TOKEN_TTL_MS } from '../../web/csrf';
import { allowedResponseUrl, SLACK_RESPONSE_URL_ORIGINS } from '../../web/slack/response-url';
import { parseSlackUserIds } from '../../web/slack/authorization';

/** The pieces of docs/security.md that need no server: key parsing, scopes, tokens, hosts. */
const KEY_A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'bbbbbbbbbbbbbbbbbbbbbbbb';

describe('ADOPTION_API_KEYS', () => {
  it('reads bare keys (every scope) and NAME:SCOPES:KEY entries', () => {
    const keys = parseApiKeys(` ${KEY_A} , ci:read+workflows:${KEY_B},,`);
    expect(keys.map((key) => [key.name, [...key.scopes]])).toEqual([
      [expect.stringMatching(/^key-[0-9a-f]{8}$/), ['read', 'write', 'workflows']],
      ['ci', ['read', 'workflows']],
    ]);
    expect(parseApiKeys(`all:*:${KEY_A}`)[0].scopes).toEqual(new Set(['read', 'write', 'workflows']));
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
  });

  it('matches a presented key exactly, and refuses near misses', () => {
    const keys = parseApiKeys(`a:read:${KEY_A},b:write:${KEY_B}`);
    expect(matchApiKey(keys, KEY_B)?.name).toBe('b');
    expect(matchApiKey(keys, KEY_A.slice(1))).toBeNull();
    expect(matchApiKey(keys, `${KEY_A}a`)).toBeNull();
    expect(matchApiKey(keys, '')).toBeNull();
  });

  it('names the bad entry and never the key', () => {
    const cases: Array<[string, string]> = [
      ['tooshort', 'entry 1: a key must be at least 16 characters'],
      [`x:read`, 'entry 1: expected KEY or NAME:SCOPES:KEY'],
      [`ops:admin:${KEY_A}`, 'entry 1 (ops): unknown scope "admin"'],
      [`ops::${KEY_A}`, 'entry 1 (ops): no scopes'],
      [`a:read:${KEY_A},a:write:${KEY_B}`, 'entry 2 (a): the name a is used twice'],
      [`a:read:${KEY_A},b:write:${KEY_A}`, 'entry 2 (b): the same key is listed twice'],
      [`bad name:read:${KEY_A}`, 'entry 1: the name must be'],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        parseApiKeys(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ApiKeyConfigError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(KEY_A);
      expect((error as Error).message).not.toContain('tooshort');
    }
  });
});

describe('route access', () => {
  it('defaults to read for GET and write otherwise; pages are the paths outside /api/', () => {
    expect(accessOf('GET', '/api/reports/x')).toEqual({ kind: 'key', scope: 'read', page: false, form: false, bodyType: null });
    expect(accessOf('POST', '/api/new-thing')).toEqual({ kind: 'key', scope: 'write', page: false, form: false, bodyType: 'json' });
    expect(accessOf('POST', '/api/workflows/:id/x', { scope: 'workflows' })).toMatchObject({ scope: 'workflows', bodyType: 'json' });
    expect(accessOf('GET', '/reports')).toMatchObject({ scope: 'read', page: true });
    expect(accessOf('POST', '/reports/x')).toMatchObject({ scope: 'write', page: true, form: true, bodyType: 'form' });
    expect(accessOf('GET', '/openapi.json')).toMatchObject({ page: false });
    expect(accessOf('GET', '/healthz', { auth: 'none' })).toEqual({ kind: 'none' });
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', 'localhost.evil.example', '128.0.0.1', '']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
    }
  });
});

describe('API decisions', () => {
  const [platform] = parseApiKeys(`platform:workflows:${KEY_A}`);
  it("record the key's name as by, keeping what the body claims labelled", () => {
    expect(decidedBy(principalOf(platform), { decision: 'approve' })).toEqual({ decision: 'approve', by: 'platform' });
    expect(decidedBy(principalOf(platform), { decision: 'approve', by: 'dana' })).toEqual({ decision: 'approve', by: 'dana (API key platform)' });
    expect(decidedBy(principalOf(platform), ['approve'])).toEqual(['approve']); // the validator refuses it
    expect(decidedBy(null, { decision: 'approve', by: 'dana' })).toEqual({ decision: 'approve', by: 'dana' });
  });
});

describe('anti-forgery tokens', () => {
  const [a, b] = parseApiKeys(`a:*:${KEY_A},b:*:${KEY_B}`).map(principalOf);
  const now = new Date('2026-03-01T12:00:00Z');
  it('are good for the principal they were issued to, for a limited time', () => {
    const token = issueCsrfToken(a, now);
    expect(checkCsrfToken(a, token, now)).toBeNull();
    expect(checkCsrfToken(a, token, new Date(now.getTime() + TOKEN_TTL_MS - 1))).toBeNull();
    expect(checkCsrfToken(a, token, new Date(now.getTime() + TOKEN_TTL_MS + 1))).toBe('the anti-forgery token has expired; reload the page');
    expect(checkCsrfToken(b, token, now)).toBe('the anti-forgery token was not issued to you');
    expect(checkCsrfToken(a, undefined, now)).toBe('the form carries no anti-forgery token');
    expect(checkCsrfToken(a, 'x.y', now)).toBe('the anti-forgery token is malformed');
    const [issued, mac] = token.split('.');
    expect(checkCsrfToken(a, `${Number(issued) + 1}.${mac}`, now)).toBe('the anti-forgery token was not issued to you');
  });
});

describe('Slack', () => {
  it("posts to response_url only on Slack's hooks host", () => {
    const ok = 'https://hooks.slack.com/actions/T0/1/abc';
    expect(allowedResponseUrl(ok, SLACK_RESPONSE_URL_ORIGINS)?.href).toBe(ok);
    for (const url of [
      'http://hooks.slack.com/actions/x',
      'https://hooks.slack.com.evil.example/x',
      'https://evil.example/https://hooks.slack.com/',
      'https://hooks.slack.com@evil.example/x',
      'https://user:pw@hooks.slack.com/x',
      'https://hooks.slack.com:8443/x',
      'not a url',
      42,
      undefined,
    ]) {
      expect([url, allowedResponseUrl(url, SLACK_RESPONSE_URL_ORIGINS)]).toEqual([url, null]);
    }
  });

  it('reads SLACK_LEAD_USER_IDS', () => {
    expect(parseSlackUserIds(' U1, U2 U3,,')).toEqual(['U1', 'U2', 'U3']);
    expect(parseSlackUserIds(undefined)).toEqual([]);
  });
});
