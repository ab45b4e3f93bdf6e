import type { Command } from 'commander';
import { temporalSettingsFromEnv } from '../../client/connection';
import { createConfiguredWorker } from '../../worker/configured-worker';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';
import { untilShutdownSignal } from '../shutdown';
import { assertConfiguration } from '../environment-check';

export function registerWorkerCommand(program: Command): void {
  withDatabaseOption(program.command('worker').description('run the Temporal worker (both workflow types, every activity) until Ctrl-C')).action(
    async (options: DatabaseOptions) => {
      assertConfiguration();
      const settings = temporalSettingsFromEnv();
      await useDatabase(options, async (db) => {
        const { client, worker, close } = await createConfiguredWorker(db, settings);
        // The worker's runtime drains it on the first SIGINT/SIGTERM; this adds "a second one exits at once".
        void untilShutdownSignal();
        process.stderr.write(`worker on ${settings.address}/${settings.namespace}, task queue ${settings.taskQueue}, store ${db.location}\n`);
        try {
          await worker.run();
        } finally {
          await close();
          await client.connection.close();
        }
      });
    },
  );
}
