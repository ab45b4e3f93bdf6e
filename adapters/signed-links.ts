import { errors, jwtVerify, SignJWT } from 'jose';

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
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'expired' | 'invalid' };

const ISSUER = 'adoption-enablement';

function keyOf(secret: string): Uint8Array {
  if (secret.length < 16) throw new Error('the link secret must be at least 16 characters');
  return new TextEncoder().encode(secret);
}

export async function signLink(secret: string, claims: LinkClaims, options: { now: Date; validForSeconds: number }): Promise<string> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  return new SignJWT({ purpose: claims.purpose, wf: claims.workflowId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(claims.customerId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.validForSeconds)
    .sign(keyOf(secret));
}

/** The claims of a good, unexpired token of this purpose; why not otherwise (never which part was wrong). */
export async function readLink(secret: string, token: string, purpose: LinkPurpose, now: Date): Promise<LinkCheck> {
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ['HS256'], currentDate: now });
    if (payload.purpose !== purpose || typeof payload.sub !== 'string') return { ok: false, reason: 'invalid' };
    const workflowId = typeof payload.wf === 'string' ? payload.wf : null;
    return { ok: true, claims: { purpose, customerId: payload.sub, workflowId } };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
  }
}
