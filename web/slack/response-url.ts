/**
 * Where a Slack reply may be posted. A payload's `response_url` is attacker-chosen as far as we know (the signature
 * proves Slack sent it, but the value is only trusted on Slack's own hooks host), so the server posts only to
 * `https://hooks.slack.com` (tests add their local stand-in) and never follows a redirect.
 */
export const SLACK_RESPONSE_URL_ORIGINS = ['https://hooks.slack.com'] as const;

export function allowedResponseUrl(url: unknown, origins: readonly string[]): URL | null {
  if (typeof url !== 'string' || url.length > 2000) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.username || parsed.password) return null;
  return origins.includes(parsed.origin) ? parsed : null;
}
