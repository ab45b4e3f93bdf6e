import { shortenSlackText } from '../../channels/slack-text';
import { HttpError } from '../errors';

/** The shapes of Slack's interactivity payloads we read, and of the ephemeral replies we answer with. */
export interface SlackUser {
  id: string;
  username?: string;
  name?: string;
}

export interface SlackAction {
  action_id: string;
  value?: string;
  action_ts?: string;
  block_id?: string;
}

export interface BlockActionsPayload {
  type: 'block_actions';
  user: SlackUser;
  actions: SlackAction[];
  response_url?: string;
  /** Lets us open a modal (`views.open`) for this click, within 3 seconds of it. */
  trigger_id?: string;
}

export interface SlackReply {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: Array<Record<string, unknown>>;
}

/** An ephemeral message next to the one clicked, never replacing it. */
export const reply = (text: string, blocks?: Array<Record<string, unknown>>): SlackReply => ({
  response_type: 'ephemeral',
  replace_original: false,
  text,
  ...(blocks ? { blocks } : {}),
});

/** Cuts text to Slack's field limit, marking the cut (between graphemes, never inside an entity or a link). */
export const clip = (text: string, max: number) => shortenSlackText(text, max);

/** Who clicked, as recorded in audits and decisions. */
export function slackUserLabel(user: SlackUser): string {
  const name = user.username || user.name;
  return name ? `${name} (Slack ${user.id})` : `Slack user ${user.id}`;
}

/** Tab, newline and carriage return are text; other C0 controls (NUL first) are never in a value we render. */
const isControl = (char: string) => {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== '\t' && char !== '\n' && char !== '\r') || code === 0x7f;
};

const isCleanString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max && ![...value].some(isControl);

/**
 * The refusal for a block_actions payload whose fields we read are not what Slack sends (a hostile or broken
 * request): the field named, so it is answered as a message (Slack shows a 200's text) rather than thrown on.
 */
export function blockActionsProblem(payload: BlockActionsPayload): string | null {
  const user: unknown = payload.user;
  if (user !== undefined) {
    if (typeof user !== 'object' || user === null) return 'user must be an object';
    const { id, username, name } = user as Record<string, unknown>;
    if (!isCleanString(id, 255)) return 'user.id must be a Slack user id (a string)';
    if (username !== undefined && !isCleanString(username, 255)) return 'user.username must be a string without control characters';
    if (name !== undefined && !isCleanString(name, 255)) return 'user.name must be a string without control characters';
  }
  if (!Array.isArray(payload.actions)) return 'actions must be a list';
  const action: unknown = payload.actions[0];
  if (action === undefined) return null;
  if (typeof action !== 'object' || action === null) return 'actions[0] must be an object';
  const { action_id, value, action_ts, block_id } = action as Record<string, unknown>;
  if (!isCleanString(action_id, 255)) return 'actions[0].action_id must be a string without control characters';
  for (const [field, text] of [
    ['value', value],
    ['action_ts', action_ts],
    ['block_id', block_id],
  ] as const) {
    if (text !== undefined && !isCleanString(text, 2000)) return `actions[0].${field} must be a string without control characters`;
  }
  return null;
}

/** Payloads we act on; anything else is acknowledged and ignored. */
export function parseInteractivityPayload(form: string): { type: string; payload: unknown } {
  const params = new URLSearchParams(form);
  const raw = params.get('payload');
  if (raw === null) throw new HttpError(400, 'body/payload is required (Slack sends payload=<json>)', 'body/payload');
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body/payload is not valid JSON', 'body/payload');
  }
  if (typeof payload !== 'object' || payload === null) throw new HttpError(400, 'body/payload must be a JSON object', 'body/payload');
  const type = (payload as { type?: unknown }).type;
  return { type: typeof type === 'string' ? type : 'unknown', payload };
}
