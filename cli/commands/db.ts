import type { Command } from 'commander';
import { openDatabase } from '../../db/open';
import { migrate } from '../../db/migrate';
import { withDatabaseOption, type DatabaseOptions } from './database-option';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database maintenance');
  withDatabaseOption(db.command('migrate').description('apply the SQL migrations in db/migrations')).action(async (options: DatabaseOptions) => {
    const store = await openDatabase({ dataDir: options.dataDir });
    try {
      const result = await migrate(store);
      process.stdout.write(
        `${store.location}: applied ${result.applied.length} (${result.applied.join(', ') || 'none'}), ` +
          `${result.alreadyApplied.length} already applied\n`,
      );
    } finally {
      await store.close();
    }
  });
}
