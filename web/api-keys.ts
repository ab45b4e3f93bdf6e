import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * API keys (`ADOPTION_API_KEYS`): comma-separated entries, each either
 *   - a bare key: every scope, named `key-<first 8 hex digits of its SHA-256>` (so logs can say which key without it), or
 *   - `NAME:SCOPES:KEY`: a named key with only the scopes listed, `+`-separated (`read`, `write`, `workflows`, or `*`).
 * A key is at least 16 characters and has no whitespace, comma or colon (`openssl rand -hex 32` makes a good one).
 * Keys are kept as SHA-256 digests and compared in constant time; no message here ever contains a key.
 */
export const SCOPES = ['read', 'write', 'workflows'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  name: string;
  scopes: ReadonlySet<Scope>;
  /** SHA-256 of the key: what requests are compared with. */
  digest: Buffer;
}

/** Who made a request: a matched key, or the open loopback mode (no keys configured). */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
  /** The key itself, for per-key derivations (anti-forgery tokens); never logged or sent. */
  secret: Buffer;
  /** No keys are configured: the server listens on loopback only and every local request is this principal. */
  open: boolean;
}

export class ApiKeyConfigError extends Error {
  constructor(message: string) {
    super(`ADOPTION_API_KEYS: ${message} (docs/security.md)`);
    this.name = 'ApiKeyConfigError';
  }
}

const MIN_KEY_LENGTH = 16;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const KEY = /^[^\s,:]+$/;

const sha256 = (value: string | Buffer) => createHash('sha256').update(value).digest();

/** Parses the variable's value; empty or unset: no keys. Throws ApiKeyConfigError naming the entry, never the key. */
export function parseApiKeys(value: string | undefined): ApiKey[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const keys: ApiKey[] = [];
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const parts = entry.split(':');
    let name: string;
    let scopes: Set<Scope>;
    let key: string;
    if (parts.length === 1) {
      key = parts[0];
      name = `key-${sha256(key).toString('hex').slice(0, 8)}`;
      scopes = new Set(SCOPES);
    } else if (parts.length === 3) {
      [name, , key] = parts;
      if (!NAME.test(name)) throw new ApiKeyConfigError(`${where}: the name must be 1-64 letters, digits, '_', '.', '@' or '-'`);
      const listed = parts[1].split('+').filter((scope) => scope !== '');
      if (listed.length === 0) throw new ApiKeyConfigError(`${where} (${name}): no scopes; use ${SCOPES.join(', ')} joined by '+', or '*'`);
      scopes = new Set();
      for (const scope of listed) {
        if (scope === '*') SCOPES.forEach((each) => scopes.add(each));
        else if ((SCOPES as readonly string[]).includes(scope)) scopes.add(scope as Scope);
        else throw new ApiKeyConfigError(`${where} (${name}): unknown scope ${JSON.stringify(scope)}; scopes are ${SCOPES.join(', ')} or '*'`);
      }
    } else {
      throw new ApiKeyConfigError(`${where}: expected KEY or NAME:SCOPES:KEY`);
    }
    // A bare key's name derives from the key: not in messages about a key that may be weak.
    const label = parts.length === 3 ? `${where} (${name})` : where;
    if (key.length < MIN_KEY_LENGTH || !KEY.test(key)) {
      throw new ApiKeyConfigError(`${label}: a key must be at least ${MIN_KEY_LENGTH} characters without whitespace, ',' or ':'`);
    }
    const digest = sha256(key);
    if (keys.some((known) => known.name === name)) throw new ApiKeyConfigError(`${label}: the name ${name} is used twice`);
    if (keys.some((known) => timingSafeEqual(known.digest, digest))) throw new ApiKeyConfigError(`${label}: the same key is listed twice`);
    keys.push({ name, scopes, digest });
  });
  return keys;
}

/**
 * The key a presented secret matches, or null. Every configured key is compared (SHA-256 digests, equal length,
 * `timingSafeEqual`), so the time taken says nothing about which key or how much of it matched.
 */
export function matchApiKey(keys: readonly ApiKey[], presented: string): ApiKey | null {
  const digest = sha256(presented);
  let found: ApiKey | null = null;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest) && found === null) found = key;
  }
  return found;
}

/** The principal of a matched key; its secret (for anti-forgery tokens) is the key's digest, never the key. */
export function principalOf(key: ApiKey): Principal {
  return { name: key.name, scopes: key.scopes, secret: key.digest, open: false };
}
