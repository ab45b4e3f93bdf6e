import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';

/** What every route file gets from `buildApiServer`. */
export interface ApiContext {
  db: Db;
  now: () => Date;
  /** Resolves to a connected client, or rejects with an HttpError 503 saying why not. */
  temporalClient: () => Promise<Client>;
  taskQueue: string | null;
  slackSigningSecret: string | null;
  /** Post Slack replies to the payload's response_url as well as answering the request (on by default). */
  slackResponseUrls: boolean;
  /** The only origins a Slack response_url may have (docs/security.md): Slack's hooks host. */
  slackResponseUrlOrigins: readonly string[];
  /** Slack user ids of customer-success leads: they may decide on any run, besides the customer's CSM. */
  slackLeadUserIds: readonly string[];
  /** Signed booking links (ADOPTION_LINK_SECRET, PUBLIC_BASE_URL); null: booking links are not offered. */
  links: { secret: string; baseUrl: string } | null;
  /** Verifies `POST /webhooks/training-completion` (TRAINING_WEBHOOK_SECRET); null: that endpoint answers 503. */
  trainingWebhookSecret: string | null;
  /** Where the training invitation goes out (SMTP_URL, EMAIL_FROM); without SMTP it waits in the outbox. */
  email: { smtpUrl?: string; from: string } | null;
  /** The Slack Web API for the API's own calls (`views.open` for the Edit modal; SLACK_BOT_TOKEN); null: no modal. */
  slack: { token: string; apiUrl?: string } | null;
  /** Tells the run a champion booked training from its email (the `trainingBooked` signal); best effort. */
  onTrainingBooked?: (workflowId: string | null, booking: { bookingId: string; slotStart: string }) => Promise<void>;
}

export const UUID_SCHEMA = { type: 'string', format: 'uuid' } as const;
