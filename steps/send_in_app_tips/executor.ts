import type { JsonValue } from '../../core/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { SendInAppTipsActivities } from './activity';
import type { SendInAppTipsPlanConfig } from './definition';

export const executeSendInAppTips: StepExecutor<PlanStepOf<'send_in_app_tips', SendInAppTipsPlanConfig>, SendInAppTipsActivities> = async (
  step,
  run,
) => {
  const result = await run.activities(step).sendInAppTips(run.context(step), {
    customer: { id: run.facts.customer.id, name: run.facts.customer.name },
    features: run.facts.features.map((feature) => ({
      featureId: feature.featureId,
      featureName: feature.featureName,
      tips: feature.tips ?? null,
      resource: step.config.include_resources ? (feature.resources[0] ?? null) : null,
    })),
  });
  return { result: result as unknown as JsonValue };
};
