import { emailSettingsFromEnv, linkSettingsFromEnv } from '../../worker/deps-from-env';
import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { connectClient, temporalSettingsFromEnv } from '../../client/connection';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';
import { untilShutdownSignal } from '../shutdown';
import { assertConfiguration } from '../environment-check';
import { parseSlackUserIds } from '../../web/slack/authorization';

export interface ApiCommandOptions extends DatabaseOptions {
  port: string;
  host: string;
}

export interface RunApiHooks {
  /** Resolves when the server should stop (the command: SIGINT/SIGTERM). */
  until: Promise<void>;
  onListening?: (url: string) => void;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new Error(`--port must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return port;
}

/**
 * The API server on the store (DATABASE_URL or the embedded one) with Temporal connected on first use: the server
 * comes up and answers everything else while Temporal is down; the workflow endpoints answer 503 saying why.
 * SLACK_SIGNING_SECRET enables POST /slack/interactivity.
 */
export async function runApi(options: ApiCommandOptions, hooks: RunApiHooks): Promise<void> {
  const env = hooks.env ?? process.env;
  const log = hooks.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const port = parsePort(options.port);
  assertConfiguration(env);
  const settings = temporalSettingsFromEnv(env);
  const { buildApiServer } = await import('../../web/server');
  await useDatabase(options, async (db) => {
    let connected: Client | null = null;
    const app = buildApiServer({
      db,
      temporal: {
        taskQueue: settings.taskQueue,
        client: async () => {
          connected = await connectClient(settings);
          return connected;
        },
      },
      slackSigningSecret: env.SLACK_SIGNING_SECRET || undefined,
      logger: { level: env.LOG_LEVEL || 'warn' },
      // docs/security.md: without keys the server is open and refuses to listen beyond loopback.
      apiKeys: env.ADOPTION_API_KEYS,
      slackLeadUserIds: parseSlackUserIds(env.SLACK_LEAD_USER_IDS),
      links: linkSettingsFromEnv(env),
      trainingWebhookSecret: env.TRAINING_WEBHOOK_SECRET || undefined,
      email: emailSettingsFromEnv(env),
      // The Edit modal of the Slack draft opens with views.open (SLACK_BOT_TOKEN).
      slack: { token: env.SLACK_BOT_TOKEN || undefined, apiUrl: env.SLACK_API_URL || undefined },
    });
    try {
      const url = await app.listen({ port, host: options.host });
      log(
        `API on ${url} (store ${db.location}; Temporal ${settings.address}/${settings.namespace} on first use; ` +
          `Slack interactivity ${env.SLACK_SIGNING_SECRET ? 'on' : 'off: SLACK_SIGNING_SECRET is unset'}; ` +
          `${env.ADOPTION_API_KEYS ? 'API keys required' : 'no API keys (ADOPTION_API_KEYS unset): open, loopback only'}); CSM page: ${url}/customers/<customerId>/adoption`,
      );
      hooks.onListening?.(url);
      await hooks.until;
    } finally {
      await app.close();
      await (connected as Client | null)?.connection.close();
    }
  });
}

export function registerApiCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('api')
      .description('serve the HTTP API (PRD-090 4.2, reports, workflow messages), Slack interactivity and the CSM adoption page')
      .option('--port <port>', 'port to listen on', '3000')
      .option('--host <host>', 'interface to listen on (anything but loopback needs ADOPTION_API_KEYS; docs/security.md)', '127.0.0.1'),
  ).action(async (options: ApiCommandOptions) => {
    const until = untilShutdownSignal().then(() => undefined);
    await runApi(options, { until });
  });
}
