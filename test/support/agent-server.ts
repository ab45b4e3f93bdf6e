import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An agent HTTP service stand-in: records requests and answers queued responses, else a default echo. */
export interface RecordedAgentRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  json: unknown;
}

export interface QueuedAgentResponse {
  status: number;
  body: string | object;
  headers?: Record<string, string>;
  /** Answer only after this long (timeouts, cancellation). */
  delayMs?: number;
}

export interface AgentTestServer {
  url: string;
  requests: RecordedAgentRequest[];
  /** Responses used in order for the next requests; when empty, 200 `{ agent, action, received: <body> }`. */
  respondNext(...responses: QueuedAgentResponse[]): void;
  close(): Promise<void>;
}

export async function startAgentServer(): Promise<AgentTestServer> {
  const requests: RecordedAgentRequest[] = [];
  const queue: QueuedAgentResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = raw ? JSON.parse(raw) : null;
      } catch {
        json = raw;
      }
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, headers: req.headers, json });
      const next = queue.shift();
      if (next) {
        const body = typeof next.body === 'string' ? next.body : JSON.stringify(next.body);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(next.status, { 'content-type': typeof next.body === 'string' ? 'text/plain' : 'application/json', ...next.headers });
          res.end(body);
        };
        if (next.delayMs) setTimeout(send, next.delayMs).unref();
        else send();
        return;
      }
      const match = /^\/agents\/([^/]+)\/([^/?]+)/.exec(path);
      res.writeHead(match ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          match ? { agent: decodeURIComponent(match[1]), action: decodeURIComponent(match[2]), received: json } : { error: 'not found' },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondNext: (...responses) => void queue.push(...responses),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
