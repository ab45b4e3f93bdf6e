import type { Db } from '../../db/database';

/** Resolves once the database answers a query, naming its kind; rejects when it cannot be reached. */
export async function databaseHealth(db: Db): Promise<{ database: Db['kind'] }> {
  await db.query('SELECT 1');
  return { database: db.kind };
}
