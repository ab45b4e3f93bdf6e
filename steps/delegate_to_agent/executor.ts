import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { DelegateToAgentActivities } from './activity';
import type { DelegateToAgentPlanConfig } from './definition';

export const executeDelegateToAgent: StepExecutor<PlanStepOf<'delegate_to_agent', DelegateToAgentPlanConfig>, DelegateToAgentActivities> = (
  step,
  run,
) => {
  const params = run.resolve(step.config.params) as Record<string, JsonValue>;
  return run
    .activities(step)
    .delegateToAgent(run.context(step), { agent: step.config.agent, action: step.config.action, params, input: run.facts })
    .then((result) => ({ result }));
};
