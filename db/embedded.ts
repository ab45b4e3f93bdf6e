import fs from 'node:fs';
import path from 'node:path';
import type { PGlite as PGliteType, Transaction } from '@electric-sql/pglite';
import type { Db } from './database';
import { SCHEMA, quoteIdentifier, transactionScopedDb } from './database';

/**
 * Embedded PGlite store for `npm start` and the CLI when no DATABASE_URL is set. PGlite is one connection owned by
 * one process, so the data directory carries a lock file: a second process gets a clear refusal instead of opening
 * the same files twice and corrupting them.
 */
export async function openEmbedded(dataDir: string): Promise<Db> {
  fs.mkdirSync(dataDir, { recursive: true });
  const release = takeLock(dataDir);
  try {
    const { PGlite, types } = await import('@electric-sql/pglite');
    const toNumber = (value: string) => Number(value);
    const pg = await PGlite.create(path.join(dataDir, 'pglite'), {
      parsers: { [types.INT8]: toNumber, [types.NUMERIC]: toNumber, [types.DATE]: (value: string) => value },
    });
    await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}; SET search_path TO ${SCHEMA}, public;`);
    return embeddedDb(pg, dataDir, release);
  } catch (error) {
    release();
    throw error;
  }
}

function embeddedDb(pg: PGliteType, dataDir: string, release: () => void): Db {
  const location = `pglite:${path.resolve(dataDir)}`;
  return {
    kind: 'pglite',
    location,
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await pg.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script) {
      await pg.exec(script);
    },
    transaction(work) {
      return pg.transaction((tx) => work(transactionDb(tx, location)));
    },
    // One process, one connection: an embedded store never loses it, so `onLost` is never called.
    async listen(channel, onNotify) {
      quoteIdentifier(channel);
      const unsubscribe = await pg.listen(channel, onNotify);
      return async () => unsubscribe();
    },
    async close() {
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}

function transactionDb(tx: Transaction, location: string): Db {
  return transactionScopedDb('pglite', location, {
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await tx.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string) {
      await tx.exec(script);
    },
  });
}

function takeLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'pglite.lock');
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(fs.readFileSync(lockPath, 'utf8'));
    if (holder && isAlive(holder)) {
      throw new Error(
        `the embedded store ${path.resolve(dataDir)} is open in process ${holder} (probably \`npm start\`); ` +
          'stop it first, or set DATABASE_URL to a Postgres server that several processes can share',
      );
    }
    // A stale lock from a process that died: take it over.
    fs.writeFileSync(lockPath, String(process.pid));
  }
  return () => fs.rmSync(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
