import type { Command } from 'commander';
import type { Connection } from '@temporalio/client';
import { activityDepsFromEnv } from '../../activities/deps-from-env';
import { openDatabase } from '../../db/open';
import { migrate } from '../../db/migrate';
import { createWorker } from '../../worker/create-worker';
import { registerSearchAttributes } from '../../worker/search-attribute-registration';
import { connectClient, connectWorker, temporalSettingsFromEnv } from '../temporal-config';
import { withDatabaseOption, type DatabaseOptions } from './database-option';

export function registerWorkerCommand(program: Command): void {
  withDatabaseOption(
    program.command('worker').description('run the Temporal worker (both workflow types, every activity) until Ctrl-C'),
  ).action(async (options: DatabaseOptions) => {
    const settings = temporalSettingsFromEnv();
    const db = await openDatabase({ dataDir: options.dataDir, applicationName: 'adoption-enablement-worker' });
    try {
      await migrate(db);
      const client = await connectClient(settings);
      await registerSearchAttributes(client.connection as Connection, settings.namespace);
      const worker = await createWorker({
        connection: await connectWorker(settings),
        namespace: settings.namespace,
        taskQueue: settings.taskQueue,
        deps: activityDepsFromEnv(db, { client, taskQueue: settings.taskQueue }),
      });
      process.stderr.write(`worker on ${settings.address}/${settings.namespace}, task queue ${settings.taskQueue}, store ${db.location}\n`);
      await worker.run();
    } finally {
      await db.close();
    }
  });
}
