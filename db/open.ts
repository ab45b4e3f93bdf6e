import path from 'node:path';
import type { Db } from './database';
import { openPostgres } from './database';
import { openEmbedded } from './embedded';

export interface OpenDatabaseOptions {
  /** A Postgres URL; when absent, DATABASE_URL; when that is unset too, the embedded store in `dataDir`. */
  databaseUrl?: string;
  /** Embedded store folder; default `./.data`. */
  dataDir?: string;
  applicationName?: string;
}

export const DEFAULT_DATA_DIR = '.data';

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Db> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (url) return openPostgres({ connectionString: url, applicationName: options.applicationName });
  return openEmbedded(path.resolve(options.dataDir ?? DEFAULT_DATA_DIR));
}
