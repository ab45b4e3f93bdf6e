import type { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { connectClient, temporalSettingsFromEnv } from '../../temporal/connection';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';

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
  const settings = temporalSettingsFromEnv(env);
  const { buildApiServer } = await import('../../api/server');
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
    });
    try {
      const url = await app.listen({ port, host: options.host });
      log(
        `API on ${url} (store ${db.location}; Temporal ${settings.address}/${settings.namespace} on first use; ` +
          `Slack interactivity ${env.SLACK_SIGNING_SECRET ? 'on' : 'off: SLACK_SIGNING_SECRET is unset'}); CSM page: ${url}/customers/<customerId>/adoption`,
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
      .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface; the API has no authentication of its own)', '127.0.0.1'),
  ).action(async (options: ApiCommandOptions) => {
    const until = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await runApi(options, { until });
  });
}
