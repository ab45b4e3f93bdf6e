import type { Db } from '../db/database';
import type { DeliveryHooks } from './delivery-hooks';

/**
 * What the channels need from the world, handed in by the worker (or a test) so that tests pass real local servers
 * (Postgres, a Slack-protocol server, an SMTP server, an in-app webhook) rather than mocks of our own code.
 */
export interface ChannelDeps {
  db: Db;
  /** Without a token, Slack messages go to the outbox table and the log. */
  slack?: { token?: string; apiUrl?: string };
  /** Without an SMTP URL, email goes to the outbox table. */
  email?: { smtpUrl?: string; from: string };
  /** The in-app messaging tool's webhook (signed with `secret`); without a URL, tips go to the outbox table. */
  inApp?: { webhookUrl?: string; secret?: string };
  /** Signed booking links in the enablement email (ADOPTION_LINK_SECRET, PUBLIC_BASE_URL); unset: no link. */
  links?: { secret: string; baseUrl: string };
  /** What "delivered" means per payload kind (the domain's hooks; the worker wires them in). */
  onDelivered?: DeliveryHooks;
  /** Current time for side effects outside workflow code (due dates are computed in the workflow). */
  now?: () => Date;
  log?: (message: string) => void;
}

export const currentTime = (deps: Pick<ChannelDeps, 'now'>): Date => (deps.now ? deps.now() : new Date());
