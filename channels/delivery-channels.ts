import { ErrorCode, LogLevel, WebClient, type ChatPostMessageArguments } from '@slack/web-api';
import type { ChannelDeps } from './deps';
import { MailFailure, sendMail, type MailMessage } from './mailer';
import { OUTBOX_CHANNELS, type OutboxChannel } from './outbox';
import { signWebhook } from './webhook-signature';

/**
 * How each outbox channel hands a prepared message to its peer (channels/delivery.ts runs the claim protocol around
 * these), and, where the peer can be asked, how a message in doubt is looked up there.
 */

/** What a stored outbox payload holds for its channel (older rows of each channel are read too). */
export type OutboxMessage = Record<string, unknown>;

/** The peer's acknowledgement: `ref` is its id of the message (Slack ts, Message-ID, the in-app message id). */
export interface DeliveryReceipt {
  ref: string | null;
  /** Slack: the DM channel the message is in. */
  channel?: string;
  /** The webhook's HTTP status. */
  status?: number;
  [field: string]: unknown;
}

interface StoredMessage {
  idempotency_key: string;
  recipient: string | null;
  payload: OutboxMessage;
}

type Channels = Pick<ChannelDeps, 'slack' | 'email' | 'inApp' | 'now'>;

export interface ChannelSender {
  /** Why this channel cannot send with these settings (unset, or half set), or null when it can. */
  unconfigured(channels: Channels): string | null;
  /** Why this message cannot be sent with these settings (channel unset, no recipient), or null. */
  notReady(channels: Channels, message: StoredMessage): string | null;
  send(channels: Channels, message: StoredMessage): Promise<DeliveryReceipt>;
  /** The message as the peer shows it, if it got there since `since` (only for peers that can be asked). */
  findAtPeer?(channels: Channels, message: StoredMessage, since: Date): Promise<DeliveryReceipt | null>;
  /** The error is the peer's answer refusing the message (so the peer holds nothing from this attempt). */
  refused(error: unknown): boolean;
}

// ---------------------------------------------------------------------------------------------------------- Slack

const SLACK_DEFAULT_API_URL = 'https://slack.com/api/';
/** Slack message metadata event type carrying our delivery key (the in-doubt lookup finds the message by it). */
export const SLACK_DELIVERY_EVENT = 'adoption_enablement_delivery';
const SLACK_HTTP_TIMEOUT_MS = 20_000;
/** Slack's clock and ours may differ: the lookup starts this much before the claim. */
const SLACK_LOOKUP_MARGIN_SECONDS = 600;
const SLACK_LOOKUP_PAGES = 10;

export function slackClient(token: string, apiUrl: string | undefined): WebClient {
  // The client neither retries nor queues (a 429 would otherwise sleep inside the activity for up to half an hour);
  // the caller turns a 429 into a retry after Slack's Retry-After.
  return new WebClient(token, {
    slackApiUrl: withTrailingSlash(apiUrl ?? SLACK_DEFAULT_API_URL),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_HTTP_TIMEOUT_MS,
    logLevel: LogLevel.ERROR,
  });
}

async function openDm(client: WebClient, user: string): Promise<string> {
  // conversations.open returns the same DM channel every time, so repeating it on a retry is harmless.
  const opened = await client.conversations.open({ users: user });
  const channel = opened.channel?.id;
  if (!channel) throw new Error(`conversations.open for ${user} returned no channel id`);
  return channel;
}

const slackSender: ChannelSender = {
  unconfigured: (channels) => (channels.slack?.token ? null : 'no Slack token configured'),
  notReady(channels, message) {
    return slackSender.unconfigured(channels) ?? (message.recipient ? null : 'no Slack user to send to');
  },
  async send(channels, message) {
    const client = slackClient(channels.slack!.token!, channels.slack?.apiUrl);
    const channel = await openDm(client, message.recipient!);
    const posted = await client.chat.postMessage({
      channel,
      text: String(message.payload.text ?? ''),
      ...(Array.isArray(message.payload.blocks) ? { blocks: message.payload.blocks } : {}),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: SLACK_DELIVERY_EVENT, event_payload: { delivery_key: message.idempotency_key } },
    } as unknown as ChatPostMessageArguments);
    return { ref: posted.ts ?? null, channel: posted.channel ?? channel };
  },
  async findAtPeer(channels, message, since) {
    const client = slackClient(channels.slack!.token!, channels.slack?.apiUrl);
    const channel = await openDm(client, message.recipient!);
    const oldest = String(Math.floor(since.getTime() / 1000) - SLACK_LOOKUP_MARGIN_SECONDS);
    let cursor: string | undefined;
    for (let page = 0; page < SLACK_LOOKUP_PAGES; page += 1) {
      const history = await client.conversations.history({ channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
      const found = (history.messages ?? []).find(
        (m) =>
          m.metadata?.event_type === SLACK_DELIVERY_EVENT &&
          (m.metadata?.event_payload as Record<string, unknown> | undefined)?.delivery_key === message.idempotency_key,
      );
      if (found) return { ref: found.ts ?? null, channel };
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) return null;
    }
    // More than SLACK_LOOKUP_PAGES pages since the claim: treat it as not found rather than scan without end.
    return null;
  },
  refused(error) {
    const code = (error as { code?: string })?.code;
    // Rate limited, `ok: false`, an HTTP error status: Slack answered and did not post. A request error may have
    // been cut off after Slack took it.
    return code === ErrorCode.RateLimitedError || code === ErrorCode.PlatformError || code === ErrorCode.HTTPError;
  },
};

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

// ---------------------------------------------------------------------------------------------------------- Email

/** The message of an email row; rows from before `message` was stored kept the fields flat. */
function mailMessageOf(payload: OutboxMessage): MailMessage {
  if (payload.message && typeof payload.message === 'object') return payload.message as MailMessage;
  return {
    from: String(payload.from),
    to: payload.to as MailMessage['to'],
    ...(payload.replyTo ? { replyTo: String(payload.replyTo) } : {}),
    subject: String(payload.subject ?? ''),
    text: String(payload.body ?? ''),
    messageId: String(payload.messageId),
  };
}

const emailSender: ChannelSender = {
  unconfigured: (channels) => (channels.email?.smtpUrl ? null : 'no SMTP server configured'),
  notReady(channels, message) {
    const unset = emailSender.unconfigured(channels);
    if (unset) return unset;
    const mail = mailMessageOf(message.payload);
    if (!mail.to || !mail.messageId) return 'the stored email has no recipient or Message-ID';
    return null;
  },
  // No SMTP command reads a message back: in doubt, the same message (same Message-ID) is sent again, and the
  // receiving mail store keeps one.
  async send(channels, message) {
    const mail = mailMessageOf(message.payload);
    const messageId = await sendMail(channels.email!.smtpUrl!, mail);
    return { ref: messageId };
  },
  refused(error) {
    if (!(error instanceof MailFailure)) return false;
    // The server answered with a refusal code, or no connection was made: nothing was accepted.
    return error.responseCode !== null || error.code === 'ECONNECTION' || /ECONNREFUSED/.test(error.message);
  },
};

// ---------------------------------------------------------------------------------------------------------- In-app

const WEBHOOK_TIMEOUT_MS = 10_000;

/** The in-app webhook answered with a status that is not 2xx. */
export class WebhookRefused extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly retryAfterSeconds: number | null,
  ) {
    super(`${url} answered ${status}`);
    this.name = 'WebhookRefused';
  }
}

const inAppSender: ChannelSender = {
  unconfigured(channels) {
    if (!channels.inApp?.webhookUrl) return 'no IN_APP_WEBHOOK_URL configured';
    if (!channels.inApp.secret) return 'IN_APP_WEBHOOK_URL is set but IN_APP_WEBHOOK_SECRET is not; tips are only sent signed';
    return null;
  },
  notReady: (channels) => inAppSender.unconfigured(channels),
  // The message carries the delivery key as its `id` and `Idempotency-Key`: in doubt it is resent and the receiver
  // drops the repeat.
  async send(channels, message) {
    const url = channels.inApp!.webhookUrl!;
    const body = JSON.stringify(message.payload.message);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': message.idempotency_key,
        ...signWebhook(channels.inApp!.secret!, body, channels.now?.() ?? new Date()),
      },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new WebhookRefused(url, response.status, retryAfter > 0 ? retryAfter : null);
    }
    return { ref: message.idempotency_key, status: response.status };
  },
  refused: (error) => error instanceof WebhookRefused,
};

export const CHANNEL_SENDERS: Record<OutboxChannel, ChannelSender> = { slack: slackSender, email: emailSender, in_app: inAppSender };

/** The channels these settings can send on (the relay delivers only theirs). */
export function configuredChannels(channels: Channels): OutboxChannel[] {
  return OUTBOX_CHANNELS.filter((channel) => CHANNEL_SENDERS[channel].unconfigured(channels) === null);
}
