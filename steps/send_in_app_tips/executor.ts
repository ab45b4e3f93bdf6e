import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { SendInAppTipsActivities } from './activity';
import type { SendInAppTipsPlanConfig } from './definition';

export const executeSendInAppTips: StepExecutor<PlanStepOf<'send_in_app_tips', SendInAppTipsPlanConfig>, SendInAppTipsActivities> = (step, run) =>
  run
    .activities(step)
    .sendInAppTips(run.context(step), {
      customer: { id: run.facts.customer.id, name: run.facts.customer.name },
      features: run.facts.features.map((feature) => ({
        featureId: feature.featureId,
        featureName: feature.featureName,
        tips: feature.tips ?? null,
        resource: step.config.include_resources ? (feature.resources[0] ?? null) : null,
      })),
    })
    .then((result) => ({ result: result as unknown as JsonValue }));
