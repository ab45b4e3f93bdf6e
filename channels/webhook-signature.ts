import crypto from 'node:crypto';

/**
 * How our webhooks are signed, both ways (the in-app tips we post, the completions we receive): HMAC-SHA256 with a
 * shared secret over `v1:<unix seconds>:<raw body>`, the same shape as Slack's request signatures, so a receiver
 * checks the exact bytes it got and refuses a replay outside the tolerance window.
 */
export const SIGNATURE_HEADER = 'x-adoption-signature';
export const TIMESTAMP_HEADER = 'x-adoption-timestamp';
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${crypto.createHmac('sha256', secret).update(`v1:${timestamp}:${body}`).digest('hex')}`;
}

/** The two headers for a body signed now. */
export function signWebhook(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body) };
}

/** Why a signed request is refused, or null when its signature is good and fresh. */
export function webhookSignatureProblem(
  secret: string,
  body: string,
  headers: Record<string, string | string[] | undefined>,
  now: Date,
): string | null {
  const timestampText = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestampText !== 'string' || !/^\d{1,12}$/.test(timestampText)) return `missing or malformed ${TIMESTAMP_HEADER}`;
  if (typeof signature !== 'string') return `missing ${SIGNATURE_HEADER}`;
  const timestamp = Number(timestampText);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return 'stale or future timestamp';
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'signature does not match';
  return null;
}
