import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../adoption/model/identifiers';

/**
 * Links we hand to people outside the API's keys (the champion's booking link, a customer's self-serve training
 * page): a signed, expiring token in the URL is the credential. HS256 JWTs from `jose` with a server secret
 * (`ADOPTION_LINK_SECRET`); each token names its purpose, so a booking link cannot be replayed as anything else.
 */
export type LinkPurpose = 'book-training';

export interface LinkClaims {
  purpose: LinkPurpose;
  customerId: string;
  /** The enablement run the link came from, when it came from one (its features, its signal). */
  workflowId: string | null;
  /** Which link this is, set when one is read: what "one booking per link" counts by. */
  linkId?: string;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'expired' | 'invalid' };

const ISSUER = 'adoption-enablement';

function keyOf(secret: string): Uint8Array {
  if (secret.length < 16) throw new Error('the link secret must be at least 16 characters');
  return new TextEncoder().encode(secret);
}

export async function signLink(secret: string, claims: LinkClaims, options: { now: Date; validForSeconds: number }): Promise<string> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  return (
    new SignJWT({ purpose: claims.purpose, wf: claims.workflowId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(claims.customerId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + options.validForSeconds)
      // Each minted link is its own, even two minted in the same second for the same customer.
      .setJti(randomUUID())
      .sign(keyOf(secret))
  );
}

/** The claims of a good, unexpired token of this purpose; why not otherwise (never which part was wrong). */
export async function readLink(secret: string, token: string, purpose: LinkPurpose, now: Date): Promise<LinkCheck> {
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ['HS256'], currentDate: now });
    // jose accepts a token without `exp` (it would never expire); we sign every link with one and refuse any without.
    if (payload.purpose !== purpose || !isUuid(payload.sub) || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    const workflowId = typeof payload.wf === 'string' ? payload.wf : null;
    // From the verified claims, not the token's text (base64url's spare bits give one token several spellings); links
    // signed before they carried a jti are told apart by what they say.
    const linkId = typeof payload.jti === 'string' ? `jti:${payload.jti}` : `${payload.sub}/${payload.iat}/${payload.exp}/${workflowId ?? ''}`;
    return { ok: true, claims: { purpose, customerId: payload.sub, workflowId, linkId } };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/**
 * Tracked resource links: `<PUBLIC_BASE_URL>/r/<token>` records a click and redirects to the resource. The
 * destination travels inside the signed token, never as a query parameter, so the redirect cannot be pointed anywhere
 * we did not send (no open redirect); only http(s) destinations are signed or followed.
 */
export interface ResourceLinkClaims {
  customerId: string;
  featureId: string;
  url: string;
  workflowId: string | null;
}

export type ResourceLinkCheck = { ok: true; claims: ResourceLinkClaims } | { ok: false; reason: 'expired' | 'invalid' };

const RESOURCE_PURPOSE = 'resource-link';
/** A resource link keeps working for half a year: people go back to a guide long after the email. */
export const RESOURCE_LINK_SECONDS = 180 * 86_400;
const MAX_TOKEN = 4096;
const MAX_ROUTED_TOKEN = 2048;

function isFollowableUrl(url: string): boolean {
  if (url.length > 2000 || /[\s<>]/.test(url) || [...url].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export async function signResourceLink(secret: string, claims: ResourceLinkClaims, now: Date): Promise<string> {
  if (!isFollowableUrl(claims.url)) throw new Error(`not a trackable resource URL: ${JSON.stringify(claims.url.slice(0, 100))}`);
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ purpose: RESOURCE_PURPOSE, f: claims.featureId, u: claims.url, wf: claims.workflowId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(claims.customerId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + RESOURCE_LINK_SECONDS)
    .sign(keyOf(secret));
}

export async function readResourceLink(secret: string, token: string, now: Date): Promise<ResourceLinkCheck> {
  if (token.length > MAX_TOKEN || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ['HS256'], currentDate: now });
    const { purpose, sub, f, u, wf } = payload as { purpose?: unknown; sub?: unknown; f?: unknown; u?: unknown; wf?: unknown };
    if (
      purpose !== RESOURCE_PURPOSE ||
      typeof payload.exp !== 'number' ||
      typeof sub !== 'string' ||
      !isUuid(sub) ||
      typeof f !== 'string' ||
      typeof u !== 'string' ||
      !isFollowableUrl(u)
    ) {
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, claims: { customerId: sub, featureId: f, url: u, workflowId: typeof wf === 'string' ? wf : null } };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}

/** The tracked URL for a resource when links are configured, else the resource's own URL (nothing to track with). */
export async function trackedResourceUrl(
  links: { secret: string; baseUrl: string } | null | undefined,
  claims: ResourceLinkClaims,
  now: Date,
): Promise<string> {
  if (!links || !isFollowableUrl(claims.url)) return claims.url;
  const token = await signResourceLink(links.secret, claims, now);
  // The API takes path parameters up to 2048 characters: an extremely long resource URL goes out untracked.
  return token.length > MAX_ROUTED_TOKEN ? claims.url : `${links.baseUrl.replace(/\/$/, '')}/r/${token}`;
}
