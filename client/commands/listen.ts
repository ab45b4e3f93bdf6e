import type { Command } from 'commander';
import { startListener } from '../listener';
import { loadShippedPlans as loadPlans } from '../../definitions/compile';
import { connectClient, temporalSettingsFromEnv } from '../../temporal/connection';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';

export function registerListenCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('listen')
      .description('start enablement runs for risk_signal_created notifications (and for signals missed while down)')
      .option('--definitions <dir>', 'folder of definition YAML files (default: the shipped ones)'),
  ).action(async (options: DatabaseOptions & { definitions?: string }) => {
    const settings = temporalSettingsFromEnv();
    const plans = loadPlans(options.definitions);
    const client = await connectClient(settings);
    await useDatabase(options, async (db) => {
      const listener = await startListener({ db, client, plans, taskQueue: settings.taskQueue });
      process.stderr.write(`listening for risk_signal_created on ${db.location}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await listener.stop();
    });
    await client.connection.close();
  });
}
