import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import type { ActivityDeps } from './deps';

/** Channel settings from the environment; every one is optional, and a missing one falls back to the outbox. */
export function activityDepsFromEnv(
  db: Db,
  temporal: { client: Client; taskQueue: string } | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ActivityDeps {
  return {
    db,
    temporal,
    slack: { token: env.SLACK_BOT_TOKEN || undefined, apiUrl: env.SLACK_API_URL || undefined },
    email: { smtpUrl: env.SMTP_URL || undefined, from: env.EMAIL_FROM || 'Customer Success <cs@example.com>' },
    agents: { url: env.AGENT_URL || undefined },
    inApp: { webhookUrl: env.IN_APP_WEBHOOK_URL || undefined, secret: env.IN_APP_WEBHOOK_SECRET || undefined },
    log: (message) => process.stderr.write(`${message}\n`),
  };
}
