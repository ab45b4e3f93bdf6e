import { createTransport } from 'nodemailer';

/**
 * Sending one email over SMTP (nodemailer), for the enablement email and the training invitation alike. A failure
 * says whether trying again can help: 5xx replies (mailbox unknown, message refused) and bad credentials fail the
 * same way every time, anything else (connection refused, 4xx) may pass later.
 */
/** The sender of every email when `EMAIL_FROM` is unset. */
export const DEFAULT_SENDER = 'Customer Success <cs@example.com>';

export interface MailMessage {
  from: string;
  to: string | { name: string; address: string } | Array<string | { name: string; address: string }>;
  replyTo?: string;
  subject: string;
  text: string;
  messageId: string;
  /** A calendar invitation (text/calendar) shown by mail clients with accept/decline. */
  icalEvent?: { method: 'REQUEST'; filename: string; content: string };
}

export class MailFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'MailFailure';
  }
}

// Bounded phases (nodemailer waits up to 10 minutes on a silent socket by default): a send always ends well inside
// the delivery lease (channels/delivery.ts), so no second attempt can start while this one may still get through.
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** Sends and answers the Message-ID the server accepted. */
export async function sendMail(smtpUrl: string, message: MailMessage): Promise<string> {
  const transport = createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  try {
    const info = await transport.sendMail(message);
    return String(info.messageId ?? message.messageId);
  } catch (error) {
    const failure = error as { responseCode?: number; code?: string; message?: string };
    const permanent = (failure.responseCode ?? 0) >= 500 || failure.code === 'EAUTH' || failure.code === 'EENVELOPE';
    throw new MailFailure(`SMTP send failed: ${failure.message ?? String(error)}`, permanent, failure.responseCode ?? null, failure.code ?? null);
  } finally {
    transport.close();
  }
}

/** The domain for Message-IDs we make, from the sender's address. */
export function mailDomainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(address)?.[1] ?? 'adoption-enablement.local';
}
