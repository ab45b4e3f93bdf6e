import type { TemplateValue } from '../../definitions/language/types';
import { parameteriseSql, sourceOffset } from './sql';
import { installedStatementCheck } from './statement-check-port';
import type { StepDefinition } from '../kind';

/** `sql` has `$1..$n` where the YAML had `{{...}}` (quoted or not); `params[i]` is the template for `$i+1`. */
export interface QueryDatabasePlanConfig {
  sql: string;
  params: TemplateValue[];
  maxRows: number;
}

export interface QueryDatabaseConfig {
  query: string;
  max_rows?: number;
}

export const DEFAULT_MAX_ROWS = 100;
// A playbook step reads a handful of catalog or adoption rows; more than this belongs in a report, not in history.
export const MAX_ROWS_LIMIT = 1000;

export const queryDatabaseDefinition: StepDefinition<'query_database', QueryDatabaseConfig, QueryDatabasePlanConfig> = {
  action: 'query_database',
  summary: 'run one read-only SELECT; every {{...}} becomes a bound parameter',
  configSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1 },
      max_rows: { type: 'integer', minimum: 1, maximum: MAX_ROWS_LIMIT },
    },
    required: ['query'],
    additionalProperties: false,
  },
  templated: ['query'],
  check(config, context) {
    const { sql, problems } = parameteriseSql(config.query);
    for (const problem of problems) {
      context.report(['query'], problem.category, problem.message, { valueOffset: problem.offset });
    }
    if (problems.length > 0) return;
    // Then what the activity checks again before running it: Postgres's parse, against the allow-lists.
    const checkStatement = installedStatementCheck();
    if (!checkStatement) {
      context.report(
        ['query'],
        'sql-syntax',
        'the Postgres SQL parser is not loaded, so the query cannot be checked (import steps/query_database/statement-parser)',
      );
      return;
    }
    const problem = checkStatement(sql);
    if (problem) context.report(['query'], problem.category, problem.message, { valueOffset: sourceOffset(config.query, problem.offset) });
  },
  normalise(config) {
    const { sql, params } = parameteriseSql(config.query);
    return { sql, params, maxRows: config.max_rows ?? DEFAULT_MAX_ROWS };
  },
};
