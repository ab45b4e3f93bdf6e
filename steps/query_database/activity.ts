import type { StepContext } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../definitions/language/types';
import type { ActivityDeps } from '../activity-deps';
import { SCHEMA } from '../../db/database';

export interface QueryDatabaseArgs {
  sql: string;
  params: JsonValue[];
  maxRows: number;
}

export interface QueryDatabaseResult {
  rows: Array<Record<string, JsonValue>>;
  rowCount: number;
  truncated: boolean;
}

/** The activities a `query_database` step calls (the worker registers them under these names). */
export interface QueryDatabaseActivities {
  queryDatabase(context: StepContext, args: QueryDatabaseArgs): Promise<QueryDatabaseResult>;
}

export const QUERY_STATEMENT_TIMEOUT_MS = 5_000;
export const QUERY_MAX_ROWS_CAP = 10_000;
/** The role created by db/migrations/010_query_role.sql: SELECT on the documented tables only, not a superuser. */
export const QUERY_READER_ROLE = 'adoption_query_reader';

/**
 * Names a definition's SQL may not use even inside the reader role (string literals aside): system catalogs and
 * admin functions (`pg_*`, `information_schema`), and `set_config`, which could reset the role to the session user
 * for the functions evaluated after it in the same statement.
 */
const FORBIDDEN_NAMES = /\b(pg_\w*|information_schema|set_config|current_setting|lo_\w+|dblink\w*)\b/i;

/** The first forbidden name outside single-quoted literals, or null. */
export function forbiddenName(sql: string): string | null {
  const unquoted = sql.replace(/'(?:[^']|'')*'/g, "''");
  return FORBIDDEN_NAMES.exec(unquoted)?.[1] ?? null;
}

/**
 * `query_database`: a definition's SELECT, run read-only. The compiler already admits only one SELECT with `$n`
 * placeholders; this is the second line of defence, for plans built some other way:
 * - READ ONLY transaction: writes (and nextval, and set_config back to read-write) fail inside it;
 * - the statement is wrapped as a subquery with a bound LIMIT, which (a) stops a huge result at maxRows + 1 rows in
 *   the server, and (b) guarantees at least one bound parameter, so `pg` uses the extended protocol, which refuses
 *   several statements in one string (`SELECT 1; COMMIT; DELETE ...` would otherwise leave the transaction);
 * - SET LOCAL statement_timeout bounds a runaway query;
 * - SET LOCAL ROLE adoption_query_reader (db/migrations/010_query_role.sql) when the role exists and the connected
 *   user may take it: the query sees only the documented tables, and as a non-superuser cannot read pg_authid or call
 *   pg_ls_waldir(). Without the role (a migrating user that could not create it; see the migration) the query still
 *   runs READ ONLY, and the forbidden-name check below still refuses catalogs and admin functions;
 * - SET LOCAL search_path to the schema alone (no public);
 * - system catalogs, admin functions and set_config are refused by name before anything runs.
 */
export function createActivities(deps: ActivityDeps, options: { statementTimeoutMs?: number } = {}): QueryDatabaseActivities {
  const timeoutMs = Math.max(1, Math.floor(options.statementTimeoutMs ?? QUERY_STATEMENT_TIMEOUT_MS));
  return {
    async queryDatabase(_context: StepContext, args: QueryDatabaseArgs): Promise<QueryDatabaseResult> {
      const maxRows = Math.min(Math.max(1, Math.floor(Number(args.maxRows) || 1)), QUERY_MAX_ROWS_CAP);
      const sql = args.sql.trim().replace(/;\s*$/, '');
      if (sql === '') {
        throw ApplicationFailure.create({ message: 'query_database: empty SQL', type: 'InvalidQuery', nonRetryable: true });
      }
      const forbidden = forbiddenName(sql);
      if (forbidden) {
        throw ApplicationFailure.create({
          message: `query_database: ${forbidden} is not available to definitions (system catalogs, admin functions and settings are not)`,
          type: 'InvalidQuery',
          nonRetryable: true,
        });
      }
      const params = args.params ?? [];
      const limitParam = params.length + 1;
      const rows = await deps.db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY');
        // SET cannot take a bound parameter; the value is an integer we computed, never text from the plan.
        await tx.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
        await tx.query(`SET LOCAL search_path = ${SCHEMA}`);
        const reader = await tx.query<{ usable: boolean }>(
          `SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)
                       THEN pg_catalog.pg_has_role(current_user, $1, 'MEMBER') ELSE FALSE END AS usable`,
          [QUERY_READER_ROLE],
        );
        if (reader.rows[0]?.usable) await tx.query(`SET LOCAL ROLE ${QUERY_READER_ROLE}`);
        const result = await tx.query<Record<string, unknown>>(`SELECT * FROM (\n${sql}\n) AS query_database_result LIMIT $${limitParam}`, [
          ...params,
          maxRows + 1,
        ]);
        return result.rows;
      });
      const truncated = rows.length > maxRows;
      const kept = truncated ? rows.slice(0, maxRows) : rows;
      return { rows: kept.map((row) => toJsonRow(row)), rowCount: kept.length, truncated };
    },
  };
}

function toJsonRow(row: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(row)) out[key] = toJson(value);
  return out;
}

/** Results travel through Temporal history as JSON: dates become ISO strings, bytes base64, odd numbers text. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = toJson(inner);
    return out;
  }
  return String(value);
}
