import type { Command } from 'commander';
import { loadShippedPlans as loadPlans } from '../../definitions/compile';
import { startEnablementForSignal } from '../../client/start-enablement';
import { connectCommandClient } from '../start-record';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';

export function registerTriggerCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('trigger')
      .description('start the enablement run for a stored risk signal; prints the workflow id')
      .requiredOption('--signal-id <uuid>', 'risk_signals.id')
      .option('--definitions <dir>', 'folder of definition YAML files (default: the shipped ones)'),
  ).action(async (options: DatabaseOptions & { signalId: string; definitions?: string }) => {
    const plans = loadPlans(options.definitions);
    const { client, settings } = await connectCommandClient(options.dataDir);
    try {
      const result = await useDatabase(options, (db) =>
        startEnablementForSignal({ client, db, signalId: options.signalId, plans, taskQueue: settings.taskQueue }),
      );
      process.stdout.write(`${result.workflowId}\n`);
      if (!result.started) process.stderr.write('a run for this signal already exists; nothing new was started\n');
    } finally {
      await client.connection.close();
    }
  });
}
