import type { JsonValue } from '../../core/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { DelegateToAgentActivities } from './activity';
import type { DelegateToAgentPlanConfig } from './definition';

export const executeDelegateToAgent: StepExecutor<PlanStepOf<'delegate_to_agent', DelegateToAgentPlanConfig>, DelegateToAgentActivities> = async (
  step,
  run,
) => {
  const params = run.resolve(step.config.params) as Record<string, JsonValue>;
  const result = await run.activities(step).delegateToAgent(run.context(step), {
    agent: step.config.agent,
    action: step.config.action,
    params,
    input: run.facts,
  });
  return { result };
};
