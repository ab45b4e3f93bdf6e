import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { conversationHistory } from '../support/slack-server';

/**
 * The peers of the reliability suite, with the faults the suite needs and counters kept AT THE PEER:
 * - a Slack Web API stand-in (real protocol for @slack/web-api: POST /api/<method>, `ok` envelopes) that can answer
 *   429 + Retry-After or HTTP 503 for a stretch of time; each CSM's DM channel is `D<slack user id>`, so a delivered
 *   chat.postMessage names the run's customer;
 * - an SMTP server (smtp-server) that can refuse connections for a stretch of time (its listening socket closed,
 *   then listening again on the same port).
 */

export interface SlackDelivery {
  channel: string;
  text: string;
  at: number;
  ts: string;
  /** The Slack message metadata sent with it (our delivery key), as conversations.history returns it. */
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

export interface FaultySlackServer {
  apiUrl: string;
  /** chat.postMessage calls answered `ok: true` (the messages Slack would have shown), in order. */
  delivered: SlackDelivery[];
  /** Every request's answer status, per method: what the peer saw. */
  answered: { method: string; status: number; at: number }[];
  /** For `ms` from now, every request is answered 429 with Retry-After: retryAfterSeconds. */
  rateLimitFor(ms: number, retryAfterSeconds: number): void;
  /** For `ms` from now, every request is answered HTTP `status` (5xx). */
  failFor(ms: number, status?: number): void;
  /**
   * An outage that begins with the next request: `rateLimitMs` of 429 + Retry-After, then `failMs` of HTTP `status`.
   * Resolves with the time it ended.
   */
  outageFromNextRequest(rateLimitMs: number, retryAfterSeconds: number, failMs: number, status?: number): Promise<number>;
  deliveredTo(channel: string): SlackDelivery[];
  /** conversations.history calls answered (the in-doubt lookups of attempts that found a claim left open). */
  historyLookups: number;
  /** Resolves true right after the next chat.postMessage is answered `ok` (false after `timeoutMs` without one). */
  nextAcceptance(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startFaultySlackServer(): Promise<FaultySlackServer> {
  const delivered: SlackDelivery[] = [];
  const answered: FaultySlackServer['answered'] = [];
  let rateLimitedUntil = 0;
  let retryAfter = 1;
  let failingUntil = 0;
  let failStatus = 503;
  let sequence = 0;
  let historyLookups = 0;
  const acceptance = acceptanceWatch();
  let armed: ((now: number) => void) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const method = (req.url ?? '/').replace(/^\/api\//, '').split('?')[0];
      const body = parseBody(req.headers['content-type'], raw);
      const now = Date.now();
      if (armed) {
        const start = armed;
        armed = undefined;
        start(now);
      }
      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        answered.push({ method, status, at: now });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (now < rateLimitedUntil) return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      if (now < failingUntil) return answer(failStatus, { ok: false, error: 'service_unavailable' });
      if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) return answer(200, { ok: false, error: 'not_authed' });
      switch (method) {
        case 'conversations.open':
          return answer(200, { ok: true, channel: { id: `D${String(body.users ?? 'UNKNOWN')}` } });
        case 'chat.postMessage': {
          // Like Slack's: the posting second, then a sequence that keeps every ts unique.
          sequence = (sequence + 1) % 1_000_000;
          const ts = `${Math.floor(now / 1000)}.${String(sequence).padStart(6, '0')}`;
          const channel = String(body.channel ?? '');
          delivered.push({ channel, text: String(body.text ?? ''), at: now, ts, metadata: parseMetadata(body.metadata) });
          answer(200, { ok: true, channel, ts });
          return acceptance.fire();
        }
        case 'conversations.history':
          historyLookups += 1;
          return answer(200, conversationHistory(delivered, body));
        default:
          return answer(200, { ok: false, error: 'unknown_method' });
      }
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    delivered,
    answered,
    rateLimitFor(ms, retryAfterSeconds) {
      rateLimitedUntil = Date.now() + ms;
      retryAfter = retryAfterSeconds;
    },
    failFor(ms, status = 503) {
      failingUntil = Date.now() + ms;
      failStatus = status;
    },
    outageFromNextRequest(rateLimitMs, retryAfterSeconds, failMs, status = 503) {
      return new Promise<number>((resolve) => {
        armed = (now) => {
          rateLimitedUntil = now + rateLimitMs;
          retryAfter = retryAfterSeconds;
          failingUntil = now + rateLimitMs + failMs;
          failStatus = status;
          setTimeout(() => resolve(failingUntil), rateLimitMs + failMs);
        };
      });
    },
    deliveredTo: (channel) => delivered.filter((d) => d.channel === channel),
    get historyLookups() {
      return historyLookups;
    },
    nextAcceptance: (timeoutMs) => acceptance.next(timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if ((contentType ?? '').includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * "The peer accepted a message" as an event the suite can act on at once: its SIGKILL then lands between the peer's
 * acceptance and the worker's record of it, the window docs/delivery.md is about.
 */
function acceptanceWatch(): { next(timeoutMs: number): Promise<boolean>; fire(): void } {
  let waiting: ((accepted: boolean) => void) | undefined;
  return {
    next(timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          waiting = undefined;
          resolve(false);
        }, timeoutMs);
        waiting = (accepted) => {
          clearTimeout(timer);
          waiting = undefined;
          resolve(accepted);
        };
      });
    },
    fire() {
      waiting?.(true);
    },
  };
}

function parseMetadata(value: unknown): SlackDelivery['metadata'] {
  if (typeof value !== 'string') return (value as SlackDelivery['metadata']) ?? null;
  try {
    return JSON.parse(value) as SlackDelivery['metadata'];
  } catch {
    return null;
  }
}

export interface ReceivedMessage {
  to: string[];
  messageId: string | null;
  subject: string | null;
  at: number;
}

export interface RefusingSmtpServer {
  url: string;
  port: number;
  messages: ReceivedMessage[];
  /**
   * Closes the listening socket (connections are refused: ECONNREFUSED) for `ms`, then listens again on the same
   * port; resolves with the time it listens again.
   */
  refuseFor(ms: number): Promise<number>;
  /** Times a connection was attempted while refusing is not observable at a closed port; this counts sessions seen. */
  sessions: number;
  messagesTo(address: string): ReceivedMessage[];
  /** The distinct Message-IDs received for `address`: the messages its mail store keeps (a resend collapses). */
  distinctMessagesTo(address: string): string[];
  /** Resolves true right after the next message is accepted (250 sent), false after `timeoutMs` without one. */
  nextAcceptance(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startRefusingSmtpServer(): Promise<RefusingSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const state = { sessions: 0 };
  const acceptance = acceptanceWatch();
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 1_000,
      onConnect(_session, callback) {
        state.sessions += 1;
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const head = raw.split('\r\n\r\n')[0].replace(/\r\n[ \t]+/g, ' ');
          const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? null;
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: header('message-id'),
            subject: header('subject'),
            at: Date.now(),
          });
          callback();
          acceptance.fire();
        });
      },
    });
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const listen = async () => {
    for (let attempt = 0; ; attempt += 1) {
      server = make();
      try {
        await new Promise<void>((resolve, reject) => {
          server.server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
        return;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get sessions() {
      return state.sessions;
    },
    async refuseFor(ms) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise((r) => setTimeout(r, ms));
      await closed;
      await listen();
      return Date.now();
    },
    messagesTo: (address) => messages.filter((m) => m.to.includes(address)),
    nextAcceptance: (timeoutMs) => acceptance.next(timeoutMs),
    distinctMessagesTo: (address) => [
      ...new Set(messages.filter((m) => m.to.includes(address)).map((m, index) => m.messageId ?? `(none #${index})`)),
    ],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
