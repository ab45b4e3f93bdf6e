import type { Command } from 'commander';
import { startListener } from '../../client/listener';
import { loadShippedPlans as loadPlans } from '../../definitions/compile';
import { connectClient, temporalSettingsFromEnv } from '../../client/connection';
import { useDatabase, withDatabaseOption, type DatabaseOptions } from './database-option';
import { untilShutdownSignal } from '../shutdown';

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
      const stopping = untilShutdownSignal(); // before saying so: a signal right after must find the handler
      process.stderr.write(`listening for risk_signal_created on ${db.location}\n`);
      await stopping;
      await listener.stop();
    });
    await client.connection.close();
  });
}
