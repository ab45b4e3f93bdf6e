import type { JsonValue, SlackDmStep } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';
import { inputWithoutPlan } from '../input-facts';

export const executeSlackDm: StepExecutor<SlackDmStep> = async (step, run) => {
  const to = step.config.to === undefined ? undefined : run.resolve(step.config.to);
  const result = await run.activities(step).slackDm(run.context(step), {
    template: step.config.message_template,
    includeResources: step.config.include_resources,
    to: typeof to === 'string' && to !== '' ? to : undefined,
    params: run.resolve(step.config.params) as Record<string, JsonValue>,
    scope: run.scope,
    input: inputWithoutPlan(run.input),
  });
  return { result: result as unknown as JsonValue };
};
