import { Pool, types as pgTypes, type PoolClient } from 'pg';

/**
 * The one query interface the package uses, with two back-ends: a real Postgres server through a `pg` Pool
 * (production, tests, CI) and embedded PGlite (`npm start` with no DATABASE_URL). Values always travel as bound
 * parameters; nothing in the package builds SQL text out of values.
 */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** A human-readable description of where the data lives (never includes a password). */
  readonly location: string;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(script: string): Promise<void>;
  /** Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel`; resolves to the unsubscribe function. `onLost` hears when the connection
   * carrying the subscription is lost (the server restarted): the subscription is over and must be made again.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost?: (error: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export const SCHEMA = 'adoption';
const SEARCH_PATH = `${SCHEMA},public`;

// Both back-ends return the same JS types: NUMERIC and BIGINT as numbers (ARR and counts fit easily), DATE as the
// 'YYYY-MM-DD' text it is (pg would otherwise turn it into a local-time Date and shift the day).
const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;
const toNumber = (value: string) => Number(value);
const keepText = (value: string) => value;

const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.INT8 || oid === OID.NUMERIC) return toNumber;
    if (oid === OID.DATE) return keepText;
    return pgTypes.getTypeParser(oid, format as 'text');
  },
};

export interface PostgresOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

export function openPostgres(options: PostgresOptions): Db {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'adoption-enablement',
    options: `-c search_path=${SEARCH_PATH}`,
    types: pgTypeParsers as never,
  });
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', () => undefined);
  const url = new URL(options.connectionString);
  const location = `postgres://${url.host}${url.pathname}`;
  return poolDb(pool, location);
}

function poolDb(pool: Pool, location: string): Db {
  const db: Db = {
    kind: 'postgres',
    location,
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const result = await pool.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script) {
      await pool.query(script);
    },
    async transaction(work) {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: without this, a server lost mid-transaction would be an
      // uncaught 'error' event that ends the process (the query in flight rejects on its own).
      const onError = () => undefined;
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(clientDb(client, location));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onError);
        client.release();
      }
    },
    async listen(channel, onNotify, onLost) {
      const client = await pool.connect();
      let lost = false;
      const handler = (message: { channel: string; payload?: string }) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      // The subscription lives on this one connection: when the server goes away, hand the broken client back to be
      // destroyed and say so, instead of letting the 'error' event end the process.
      const onError = (error: Error) => {
        if (lost) return;
        lost = true;
        client.off('notification', handler);
        client.release(error);
        onLost?.(error);
      };
      client.on('notification', handler);
      client.on('error', onError);
      try {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        // Never subscribed: the caller hears it as this rejection, not as a lost subscription.
        lost = true;
        client.off('notification', handler);
        client.release(error as Error);
        throw error;
      }
      return async () => {
        if (lost) return;
        lost = true;
        client.off('notification', handler);
        await client.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
        client.off('error', onError);
        client.release();
      };
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}

function clientDb(client: PoolClient, location: string): Db {
  return transactionScopedDb('postgres', location, {
    async query<R>(sql: string, params: readonly unknown[]) {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string) {
      await client.query(script);
    },
  });
}

/**
 * The Db handed to a transaction's work: queries run on the transaction's one connection, a nested transaction
 * shares it, and LISTEN (which needs a connection of its own) is refused.
 */
export function transactionScopedDb(kind: Db['kind'], location: string, connection: Pick<Db, 'query' | 'exec'>): Db {
  const db: Db = {
    kind,
    location,
    query: connection.query,
    exec: connection.exec,
    transaction: (work) => work(db),
    listen: () => Promise.reject(new Error('LISTEN inside a transaction is not supported')),
    close: () => Promise.resolve(),
  };
  return db;
}

/** Identifiers (channel, database names) cannot be bound parameters; they are checked and quoted instead. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
