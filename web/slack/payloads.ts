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
