import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1 (an in-app messaging tool, a training platform's callback target): records every
 * request with its raw body and headers, and answers queued statuses (else 200), so tests count what arrived.
 */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  json: unknown;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** The requests it accepted (answered 2xx). */
  accepted(): ReceivedWebhook[];
  /** The next requests are answered with these statuses, in order (with `Retry-After: 1` for 429). */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const queue: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = rawBody ? JSON.parse(rawBody) : null;
      } catch {
        json = undefined;
      }
      const status = queue.shift() ?? 200;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody, json, status });
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/in-app/tips`,
    requests,
    accepted: () => requests.filter((request) => request.status >= 200 && request.status < 300),
    answerNext: (...statuses) => queue.push(...statuses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
