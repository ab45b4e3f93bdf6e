import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';

/**
 * What activities need from the world, handed in by the worker (or a test) so that tests pass real local servers
 * (Postgres, a Slack-protocol server, an SMTP server, an agent HTTP server) rather than mocks of our own code.
 */
export interface ActivityDeps {
  db: Db;
  /** Starts and signals workflows (detection starts enablement runs, recovery signals running ones). */
  temporal?: { client: Client; taskQueue: string };
  /** Without a token, Slack messages go to the outbox table and the log. */
  slack?: { token?: string; apiUrl?: string };
  /** Without an SMTP URL, email goes to the outbox table. */
  email?: { smtpUrl?: string; from: string };
  /** The in-app messaging tool's webhook (signed with `secret`); without a URL, tips go to the outbox table. */
  inApp?: { webhookUrl?: string; secret?: string };
  /** Signed booking links in the enablement email (ADOPTION_LINK_SECRET, PUBLIC_BASE_URL); unset: no link. */
  links?: { secret: string; baseUrl: string };
  /** Without a URL, the built-in agents answer. */
  agents?: { url?: string };
  /** Current time for side effects outside workflow code (due dates are computed in the workflow). */
  now?: () => Date;
  log?: (message: string) => void;
}

export const currentTime = (deps: ActivityDeps): Date => (deps.now ? deps.now() : new Date());
