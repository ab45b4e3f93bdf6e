import type { DelegateToAgentStep, JsonValue } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';
import { inputWithoutPlan } from '../input-facts';

export const executeDelegateToAgent: StepExecutor<DelegateToAgentStep> = async (step, run) => {
  const params = run.resolve(step.config.params) as Record<string, JsonValue>;
  const result = await run.activities(step).delegateToAgent(run.context(step), {
    agent: step.config.agent,
    action: step.config.action,
    params,
    input: inputWithoutPlan(run.input),
  });
  return { result };
};
