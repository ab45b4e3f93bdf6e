import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { QueryDatabaseActivities } from './activity';
import type { QueryDatabasePlanConfig } from './definition';
import { bindQueryParameters } from './sql';

export const executeQueryDatabase: StepExecutor<PlanStepOf<'query_database', QueryDatabasePlanConfig>, QueryDatabaseActivities> = (step, run) => {
  // The SQL text is fixed at compile time; only the bound parameter values come from the scope.
  const { sql, values } = bindQueryParameters(step.config, run.scope);
  return run
    .activities(step)
    .queryDatabase(run.context(step), { sql, params: values, maxRows: step.config.maxRows })
    .then((result) => ({ result: result as unknown as JsonValue }));
};
