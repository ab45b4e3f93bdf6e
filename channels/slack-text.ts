/**
 * Slack's mrkdwn (text and blocks alike) treats &, < and > as control characters: everything we echo from the
 * database or from people goes through this one function, in the alert and in the interactive replies alike.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Longest URL we link to (longer ones are shown as text only). */
const MAX_LINK_URL = 2000;

/**
 * A URL made safe for the inside of a Slack link `<url|label>`: only http(s), parsed and re-serialised, with every
 * character that could end the link or start another (`|`, `<`, `>`, whitespace, quotes) percent-encoded and `&`
 * escaped as Slack asks. Null when the text is not an http(s) URL (then show the label without a link).
 */
export function slackLinkUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > MAX_LINK_URL) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  // The URL serialiser already percent-encodes control characters; these it leaves as they are in some components.
  const encoded = parsed.href.replace(/[|<>"'`\s]/g, (char) =>
    [...new TextEncoder().encode(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return encoded.replace(/&/g, '&amp;');
}

/** Escaped text that also cannot break out of a `<url|label>` link. */
export function slackLinkLabel(text: string): string {
  return escapeMrkdwn(text).replace(/\|/g, '¦');
}

/** `<url|label>` with both parts escaped; the label alone (escaped) when the URL is not a safe http(s) URL. */
export function slackLink(url: unknown, label: string): string {
  const safe = slackLinkUrl(url);
  return safe ? `<${safe}|${slackLinkLabel(label)}>` : escapeMrkdwn(label);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Pieces that are cut whole or not at all: mrkdwn entities (`&amp;`), links and mentions (`<url|label>`), and bare
 * URLs (Slack links them, so half of one is a wrong link); everything else is cut between graphemes, so an emoji,
 * a flag or an accented letter never loses half of itself (a lone surrogate is not valid JSON text for Postgres).
 */
const ATOMS = /&(?:amp|lt|gt);|<[^<>\n]*>|https?:\/\/[^\s<>]+/g;

function* cutPoints(text: string): Generator<string> {
  let last = 0;
  for (const match of text.matchAll(ATOMS)) {
    for (const { segment } of graphemes.segment(text.slice(last, match.index))) yield segment;
    yield match[0];
    last = match.index + match[0].length;
  }
  for (const { segment } of graphemes.segment(text.slice(last))) yield segment;
}

/**
 * `text` within `max` UTF-16 units (what Slack counts is at most that many characters), ending in `mark` when cut:
 * cut between graphemes and never inside an entity, a link or a URL (those are dropped whole).
 */
export function shortenSlackText(text: string, max: number, mark = '…'): string {
  if (text.length <= max) return text;
  const room = max - mark.length;
  let kept = '';
  for (const piece of cutPoints(text)) {
    if (kept.length + piece.length > room) break;
    kept += piece;
  }
  return `${kept.trimEnd()}${mark}`;
}
