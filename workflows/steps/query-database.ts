import type { JsonValue, QueryDatabaseStep } from '../../definitions/plan';
import { bindQueryParameters } from '../../definitions/sql';
import type { StepExecutor } from '../step-run';

export const executeQueryDatabase: StepExecutor<QueryDatabaseStep> = async (step, run) => {
  // The SQL text is fixed at compile time; only the bound parameter values come from the scope.
  const { sql, values } = bindQueryParameters(step.config, run.scope);
  const result = await run.activities(step).queryDatabase(run.context(step), { sql, params: values, maxRows: step.config.maxRows });
  return { result: result as unknown as JsonValue };
};
