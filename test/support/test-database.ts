import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import { openPostgres, quoteIdentifier } from '../../db/database';
import { openEmbedded } from '../../db/embedded';
import { migrate } from '../../db/migrate';

export interface TestDatabase {
  db: Db;
  /** The URL of this file's own database (undefined on PGlite). */
  url?: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database of this test file's own, on whichever Postgres global setup chose. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-pglite-'));
    const db = await openEmbedded(dir);
    await migrate(db);
    return {
      db,
      async dispose() {
        await db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = openPostgres({ connectionString: adminUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openPostgres({ connectionString: url.toString(), max: 5 });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/**
 * `it` for a test that needs a Postgres server (roles, connections to cut): CI always has one; on the PGlite fallback
 * jest reports the test as skipped, never as passed.
 */
export const itOnPostgresServer: jest.It = process.env.TEST_POSTGRES_ADMIN_URL ? it : it.skip;
