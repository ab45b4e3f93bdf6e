import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Slack Web API stand-in speaking the real protocol (POST /api/<method>, form or JSON bodies, `ok` envelopes,
 * 429 + Retry-After), so tests drive the real @slack/web-api client through `slackApiUrl`.
 */
export interface RecordedSlackRequest {
  method: string;
  path: string;
  /** The Slack method name, e.g. `chat.postMessage`. */
  apiMethod: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The body as key/values (form fields or a JSON object), with JSON-looking form values (blocks) parsed. */
  body: Record<string, unknown>;
  status: number;
}

export interface SlackTestServer {
  /** Base URL for `slackApiUrl`, ending with '/'. */
  apiUrl: string;
  requests: RecordedSlackRequest[];
  /** Requests for one API method, in order. */
  calls(apiMethod: string): RecordedSlackRequest[];
  /** The next `count` requests (any method) get HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  /** The next request to `apiMethod` answers `{ ok: false, error }`. */
  failNext(apiMethod: string, error: string): void;
  /** Messages posted (chat.postMessage answered ok) per channel, oldest first, with their Slack metadata. */
  posted: PostedSlackMessage[];
  close(): Promise<void>;
}

/** A message the server keeps, as conversations.history returns it. */
export interface PostedSlackMessage {
  channel: string;
  ts: string;
  text: string;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

export async function startSlackServer(): Promise<SlackTestServer> {
  const requests: RecordedSlackRequest[] = [];
  let rateLimited = 0;
  let retryAfter = 7;
  const failures = new Map<string, string>();
  let ts = 1_700_000_000;
  const posted: PostedSlackMessage[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const apiMethod = path.replace(/^\/api\//, '').split('?')[0];
      const record: RecordedSlackRequest = {
        method: req.method ?? '',
        path,
        apiMethod,
        headers: req.headers,
        rawBody,
        body: parseBody(req.headers['content-type'], rawBody),
        status: 200,
      };
      requests.push(record);
      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };

      if (rateLimited > 0) {
        rateLimited -= 1;
        return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      }
      if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) return answer(200, { ok: false, error: 'not_authed' });
      const failure = failures.get(apiMethod);
      if (failure) {
        failures.delete(apiMethod);
        return answer(200, { ok: false, error: failure });
      }
      switch (apiMethod) {
        case 'conversations.open':
          return answer(200, { ok: true, channel: { id: 'D123' } });
        case 'chat.postMessage': {
          // Real ts values are the posting time in seconds; the counter starts near now so `oldest` filters work.
          ts = Math.max(ts + 1, Math.floor(Date.now() / 1000));
          const metadata = record.body.metadata as PostedSlackMessage['metadata'] | undefined;
          posted.push({
            channel: String(record.body.channel ?? 'D123'),
            ts: `${ts}.000100`,
            text: String(record.body.text ?? ''),
            metadata: metadata ?? null,
          });
          return answer(200, { ok: true, channel: String(record.body.channel ?? 'D123'), ts: `${ts}.000100`, message: { text: record.body.text } });
        }
        case 'conversations.history':
          return answer(200, conversationHistory(posted, record.body));
        case 'views.open': {
          // Slack refuses a modal without a trigger id or a view; a test sees the view as it arrived.
          const view = record.body.view;
          if (typeof record.body.trigger_id !== 'string' || record.body.trigger_id === '')
            return answer(200, { ok: false, error: 'invalid_trigger_id' });
          if (typeof view !== 'object' || view === null) return answer(200, { ok: false, error: 'invalid_arguments' });
          ts += 1;
          return answer(200, { ok: true, view: { id: `V${ts}`, ...(view as Record<string, unknown>) } });
        }
        default:
          return answer(200, { ok: false, error: 'unknown_method' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    requests,
    calls: (apiMethod) => requests.filter((r) => r.apiMethod === apiMethod),
    rateLimitNext(count, retryAfterSeconds = 7) {
      rateLimited = count;
      retryAfter = retryAfterSeconds;
    },
    failNext(apiMethod, error) {
      failures.set(apiMethod, error);
    },
    posted,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
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
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return out;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * conversations.history as Slack answers it: newest first, `oldest`/`latest` bounds (exclusive), `limit` with a
 * cursor, message metadata only when `include_all_metadata` is set.
 */
export function conversationHistory(posted: PostedSlackMessage[], body: Record<string, unknown>): Record<string, unknown> {
  const channel = String(body.channel ?? '');
  const oldest = Number(body.oldest ?? 0);
  const latest = body.latest === undefined ? Infinity : Number(body.latest);
  const limit = Math.min(Math.max(Number(body.limit ?? 100), 1), 999);
  const offset = Number(String(body.cursor ?? '').replace(/^offset:/, '')) || 0;
  const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';
  const inRange = posted
    .filter((m) => m.channel === channel && Number(m.ts) > oldest && Number(m.ts) < latest)
    .reverse()
    .map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}) }));
  const page = inRange.slice(offset, offset + limit);
  const hasMore = offset + limit < inRange.length;
  return { ok: true, messages: page, has_more: hasMore, response_metadata: { next_cursor: hasMore ? `offset:${offset + limit}` : '' } };
}
