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
}

export const UUID_SCHEMA = { type: 'string', format: 'uuid' } as const;
