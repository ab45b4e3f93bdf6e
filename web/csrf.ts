import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from './api-keys';

/**
 * Anti-forgery tokens for the pages' forms. A page rendered for a principal (the key the browser sent with HTTP Basic,
 * or the open loopback mode) carries `<input type="hidden" name="_csrf" value="<issued>.<mac>">` in each form, where
 * mac = HMAC-SHA256(principal secret, "csrf|v1|<principal name>|<issued>"). A form post must come back with a token
 * made for the same principal within TOKEN_TTL_MS. Another site can make the browser post (and attach its Basic
 * credentials) but cannot read the page, so it cannot know the token.
 */
export const CSRF_FIELD = '_csrf';
export const TOKEN_TTL_MS = 12 * 3_600_000;

const mac = (principal: Principal, issued: string) =>
  createHmac('sha256', principal.secret).update(`csrf|v1|${principal.name}|${issued}`).digest('base64url');

export function issueCsrfToken(principal: Principal, now: Date): string {
  const issued = String(now.getTime());
  return `${issued}.${mac(principal, issued)}`;
}

/** Why the token is refused, or null when it is good. */
export function checkCsrfToken(principal: Principal, token: unknown, now: Date): string | null {
  if (typeof token !== 'string' || token === '') return 'the form carries no anti-forgery token';
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return 'the anti-forgery token is malformed';
  const [, issued, presented] = match;
  const expected = Buffer.from(mac(principal, issued));
  if (!timingSafeEqual(expected, Buffer.from(presented))) return 'the anti-forgery token was not issued to you';
  const age = now.getTime() - Number(issued);
  if (age < -60_000 || age > TOKEN_TTL_MS) return 'the anti-forgery token has expired; reload the page';
  return null;
}
