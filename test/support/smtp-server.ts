import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that accepts everything and keeps what it received. */
export interface ReceivedMail {
  from: string | null;
  to: string[];
  /** The DATA exactly as received. */
  raw: string;
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  subject: string | null;
  messageId: string | null;
  /** The body, quoted-printable decoded when the message says so (enough for nodemailer's text/plain mails). */
  text: string;
}

export interface SmtpTestServer {
  url: string;
  /** Every accepted SMTP transaction, in order (a resend of the same message is a second entry). */
  messages: ReceivedMail[];
  /** The distinct Message-IDs accepted: the messages a mail store keeps (it collapses a resend by Message-ID). */
  distinctMessageIds(): string[];
  /** The next `count` messages are refused with this SMTP reply code (e.g. 451 transient, 550 permanent). */
  rejectNext(count: number, responseCode: number): void;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<SmtpTestServer> {
  const messages: ReceivedMail[] = [];
  let rejecting = 0;
  let rejectCode = 451;
  const server = new SMTPServer({
    authOptional: true,
    // nodemailer would upgrade to TLS when offered; a self-signed test certificate is not what is under test.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (rejecting > 0) {
          rejecting -= 1;
          const error = new Error(`test server refuses this message (${rejectCode})`) as Error & { responseCode: number };
          error.responseCode = rejectCode;
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        messages.push(
          parseMail(
            raw,
            from,
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    distinctMessageIds: () => [...new Set(messages.map((m) => m.messageId ?? `(no Message-ID: transaction ${messages.indexOf(m)})`))],
    rejectNext(count, responseCode) {
      rejecting = count;
      rejectCode = responseCode;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMail(raw: string, from: string | null, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const quotedPrintable = /quoted-printable/i.test(headers['content-transfer-encoding'] ?? '');
  const base64 = /base64/i.test(headers['content-transfer-encoding'] ?? '');
  const text = quotedPrintable ? decodeQuotedPrintable(body) : base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  return {
    from,
    to,
    raw,
    headers,
    subject: headers.subject ?? null,
    messageId: headers['message-id'] ?? null,
    text: text.replace(/\r\n/g, '\n'),
  };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
