import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { SlackDmActivities } from './activity';
import type { SlackDmPlanConfig } from './definition';

export const executeSlackDm: StepExecutor<PlanStepOf<'slack_dm', SlackDmPlanConfig>, SlackDmActivities> = (step, run) => {
  const to = step.config.to === undefined ? undefined : run.resolve(step.config.to);
  return run
    .activities(step)
    .slackDm(run.context(step), {
      template: step.config.message_template,
      includeResources: step.config.include_resources,
      to: typeof to === 'string' && to !== '' ? to : undefined,
      params: run.resolve(step.config.params) as Record<string, JsonValue>,
      scope: run.scope,
      input: run.facts,
    })
    .then((result) => ({ result: result as unknown as JsonValue }));
};
