import type { JsonValue, QueryDatabaseStep } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';

export const executeQueryDatabase: StepExecutor<QueryDatabaseStep> = async (step, run) => {
  // The SQL text is fixed at compile time; only the parameter values come from the scope.
  const params = step.config.params.map((param) => run.resolve(param) ?? null);
  const result = await run.activities(step).queryDatabase(run.context(step), {
    sql: step.config.sql,
    params,
    maxRows: step.config.maxRows,
  });
  return { result: result as unknown as JsonValue };
};
