import type { StepContext } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../definitions/language/types';
import type { ActivityDeps } from '../activity-deps';
import { runDefinitionQuery } from '../../adoption/definition-queries';
import { checkStatement } from './statement-parser';

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
 * `query_database`: a definition's SELECT, run read-only by the domain (`runDefinitionQuery`: the reader's own login
 * where one is configured, timeout, bound row limit). The statement is checked again here, with the compiler's own
 * check (Postgres's parser against the allow-lists, statement-parser.ts), for plans built or edited some other way.
 */
export function createActivities(deps: ActivityDeps, options: { statementTimeoutMs?: number } = {}): QueryDatabaseActivities {
  return {
    async queryDatabase(_context: StepContext, args: QueryDatabaseArgs): Promise<QueryDatabaseResult> {
      const sql = args.sql.trim().replace(/;\s*$/, '');
      if (sql === '') {
        throw ApplicationFailure.create({ message: 'query_database: empty SQL', type: 'InvalidQuery', nonRetryable: true });
      }
      const problem = await checkStatement(sql);
      if (problem) {
        throw ApplicationFailure.create({ message: `query_database: ${problem.message}`, type: 'InvalidQuery', nonRetryable: true });
      }
      const { rows, truncated } = await runDefinitionQuery(
        deps.db,
        { sql, params: args.params ?? [], maxRows: args.maxRows },
        { ...options, readerDb: deps.queryDatabase },
      );
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
