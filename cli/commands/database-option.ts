import type { Command } from 'commander';
import type { Db } from '../../db/database';
import { DEFAULT_DATA_DIR, openDatabase } from '../../db/open';
import { migrate } from '../../db/migrate';

export interface DatabaseOptions {
  dataDir?: string;
}

/** Adds `--data-dir`; the store is DATABASE_URL when set, otherwise the embedded store in that folder. */
export function withDatabaseOption(command: Command): Command {
  return command.option('--data-dir <dir>', `embedded store folder when DATABASE_URL is unset`, DEFAULT_DATA_DIR);
}

/** Opens the store, migrates it (so every command works on a new store), runs `work`, and always closes it. */
export async function useDatabase<T>(options: DatabaseOptions, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ dataDir: options.dataDir });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}
