import { DEFAULT_SENDER } from '../channels/mailer';
import type { Client } from '@temporalio/client';
import { openPostgres, type Db } from '../db/database';
import type { ActivityDeps } from '../steps/activity-deps';

/**
 * Signed booking links: the email's link and the API's booking page must share the secret and the public address.
 * Unset secret: no links (the email keeps PRD 10.1's "[Schedule a Session]" text).
 */
export function linkSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { secret: string; baseUrl: string } | undefined {
  const secret = env.ADOPTION_LINK_SECRET;
  if (!secret) return undefined;
  if (secret.length < 16) throw new Error('ADOPTION_LINK_SECRET must be at least 16 characters');
  return { secret, baseUrl: env.PUBLIC_BASE_URL || 'http://127.0.0.1:3000' };
}

/** Where outgoing email goes: SMTP_URL (unset: the outbox) from EMAIL_FROM. */
export function emailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { smtpUrl?: string; from: string } {
  return { smtpUrl: env.SMTP_URL || undefined, from: env.EMAIL_FROM || DEFAULT_SENDER };
}

/**
 * ADOPTION_QUERY_DATABASE_URL: where `query_database` statements run, a Postgres URL that logs in as
 * adoption_definition_reader (db/migrations/100_definition_reader.sql). Unset: they run on the store's connection
 * under SET LOCAL ROLE. A value that is not a postgres:// URL stops the worker at start, naming the variable.
 */
export function queryDatabaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.ADOPTION_QUERY_DATABASE_URL;
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('ADOPTION_QUERY_DATABASE_URL is not a valid URL (expected postgres://adoption_definition_reader@host/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`ADOPTION_QUERY_DATABASE_URL must be a postgres:// or postgresql:// URL, not ${url.protocol}//`);
  }
  if (url.username === '') throw new Error('ADOPTION_QUERY_DATABASE_URL names no user; it must log in as adoption_definition_reader');
  return value;
}

/** Channel settings from the environment; every one is optional, and a missing one falls back to the outbox. */
export function activityDepsFromEnv(
  db: Db,
  temporal: { client: Client; taskQueue: string } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ActivityDeps {
  const queryDatabaseUrl = queryDatabaseUrlFromEnv(env);
  return {
    db,
    // A small pool of its own: definition queries are few, and never share a connection with the store's work.
    queryDatabase: queryDatabaseUrl
      ? openPostgres({ connectionString: queryDatabaseUrl, max: 2, applicationName: 'adoption-enablement definition queries' })
      : undefined,
    temporal,
    slack: { token: env.SLACK_BOT_TOKEN || undefined, apiUrl: env.SLACK_API_URL || undefined },
    email: emailSettingsFromEnv(env),
    agents: { url: env.AGENT_URL || undefined },
    links: linkSettingsFromEnv(env),
    inApp: { webhookUrl: env.IN_APP_WEBHOOK_URL || undefined, secret: env.IN_APP_WEBHOOK_SECRET || undefined },
    log: (message) => process.stderr.write(`${message}\n`),
  };
}
