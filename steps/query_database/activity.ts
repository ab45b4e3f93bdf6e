import type { StepContext } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../definitions/language/types';
import type { ActivityDeps } from '../activity-deps';
import { runDefinitionQuery } from '../../adoption/definition-queries';

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
 * `query_database`: a definition's SELECT, run read-only by the domain (`runDefinitionQuery`: reader role, timeout,
 * bound row limit). The compiler already admits only one SELECT with `$n` placeholders; refusing system catalogs,
 * admin functions and set_config by name here is the second line of defence, for plans built some other way.
 */
export function createActivities(deps: ActivityDeps, options: { statementTimeoutMs?: number } = {}): QueryDatabaseActivities {
  return {
    async queryDatabase(_context: StepContext, args: QueryDatabaseArgs): Promise<QueryDatabaseResult> {
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
      const { rows, truncated } = await runDefinitionQuery(deps.db, { sql, params: args.params ?? [], maxRows: args.maxRows }, options);
      return { rows: rows.map((row) => toJsonRow(row)), rowCount: rows.length, truncated };
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
