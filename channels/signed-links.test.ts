import { SignJWT } from 'jose';
import { readLink, readResourceLink, signLink, type LinkClaims } from './signed-links';

const SECRET = 'a-link-secret-of-some-length';
const NOW = new Date('2026-11-30T10:00:00Z');
const CLAIMS: LinkClaims = { purpose: 'book-training', customerId: '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a01', workflowId: 'adoption-stalled/c/s' };

describe('signed links', () => {
  it('reads back what was signed, until it expires', async () => {
    const token = await signLink(SECRET, CLAIMS, { now: NOW, validForSeconds: 3600 });
    const read = await readLink(SECRET, token, 'book-training', NOW);
    expect(read).toEqual({ ok: true, claims: { ...CLAIMS, linkId: expect.stringMatching(/^jti:[0-9a-f-]{36}$/) } });
    // Two links minted in the same second for the same run are two links.
    const twin = await readLink(SECRET, await signLink(SECRET, CLAIMS, { now: NOW, validForSeconds: 3600 }), 'book-training', NOW);
    expect(twin.ok && read.ok && twin.claims.linkId !== read.claims.linkId).toBe(true);
    expect(await readLink(SECRET, token, 'book-training', new Date(NOW.getTime() + 3601_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a forged, tampered, foreign or malformed token', async () => {
    const token = await signLink(SECRET, CLAIMS, { now: NOW, validForSeconds: 3600 });
    const [header, payload, signature] = token.split('.');
    const otherPayload = Buffer.from(
      JSON.stringify({ purpose: 'book-training', sub: 'someone-else', iss: 'adoption-enablement', exp: 9999999999 }),
    ).toString('base64url');
    for (const bad of [
      await signLink('another-secret-of-some-length', CLAIMS, { now: NOW, validForSeconds: 3600 }),
      `${header}.${otherPayload}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}AA`,
      'not-a-token',
      `${token}\u0000`,
      'a'.repeat(5000),
    ]) {
      expect(await readLink(SECRET, bad, 'book-training', NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses an unsigned (alg none) token', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ purpose: 'book-training', sub: CLAIMS.customerId, iss: 'adoption-enablement' })).toString('base64url')}.x`;
    expect(await readLink(SECRET, none, 'book-training', NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a correctly signed token without an expiry, or whose subject is not a customer id (never an error)', async () => {
    const signed = (claims: Record<string, unknown>, subject: string, expires: boolean) => {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('adoption-enablement').setSubject(subject).setIssuedAt(NOW);
      return (expires ? jwt.setExpirationTime(new Date(NOW.getTime() + 3600_000)) : jwt).sign(new TextEncoder().encode(SECRET));
    };
    const booking = { purpose: 'book-training', wf: null };
    const resource = { purpose: 'resource-link', f: 'advanced_analytics', u: 'https://docs.example/guide', wf: null };
    // The same claims with an expiry and a UUID subject are good: what is refused is the missing exp or the bad sub.
    expect((await readLink(SECRET, await signed(booking, CLAIMS.customerId, true), 'book-training', NOW)).ok).toBe(true);
    expect((await readResourceLink(SECRET, await signed(resource, CLAIMS.customerId, true), NOW)).ok).toBe(true);
    for (const [subject, expires] of [
      [CLAIMS.customerId, false],
      ['not-a-uuid', true],
      ["x' OR '1'='1", true],
    ] as const) {
      expect(await readLink(SECRET, await signed(booking, subject, expires), 'book-training', NOW)).toEqual({ ok: false, reason: 'invalid' });
      expect(await readResourceLink(SECRET, await signed(resource, subject, expires), NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
