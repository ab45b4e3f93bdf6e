import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './database';
import { SCHEMA } from './database';
import { packageRoot } from '../package-root';

/**
 * Applies `db/migrations/NNN_name.sql` in order, each in its own transaction, recording them in
 * `adoption.schema_migrations`. Plain SQL files run unchanged on Postgres and PGlite, which is why this is a short
 * runner of our own rather than a migration tool that needs a `pg` connection PGlite cannot give.
 * An advisory lock keeps two processes from migrating one database at once.
 */
export const MIGRATIONS_DIR = path.join(packageRoot(), 'db', 'migrations');
const MIGRATION_LOCK_KEY = 90_090_001;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export function listMigrations(dir = MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name))
    .sort();
}

export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
      name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW());`);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = new Set((await tx.query<{ name: string }>(`SELECT name FROM ${SCHEMA}.schema_migrations`)).rows.map((row) => row.name));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const name of listMigrations(dir)) {
      if (done.has(name)) {
        result.alreadyApplied.push(name);
        continue;
      }
      const script = fs.readFileSync(path.join(dir, name), 'utf8');
      try {
        await tx.exec(`SET LOCAL search_path TO ${SCHEMA}, public;\n${script}`);
      } catch (error) {
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query(`INSERT INTO ${SCHEMA}.schema_migrations (name) VALUES ($1)`, [name]);
      result.applied.push(name);
    }
    return result;
  });
}
