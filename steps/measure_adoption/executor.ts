import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { MeasureAdoptionActivities } from './activity';
import type { MeasureAdoptionPlanConfig } from './definition';

/** Measures adoption again for every feature of the run and records the intervention's impact. */
export const executeMeasureAdoption: StepExecutor<PlanStepOf<'measure_adoption', MeasureAdoptionPlanConfig>, MeasureAdoptionActivities> = (
  step,
  run,
) =>
  run
    .activities(step)
    .measureAdoption(run.context(step), {
      features: run.facts.features.map(({ featureId, usageScore, stage }) => ({ featureId, usageScore, stage })),
      recordImpact: step.config.record_impact,
      recoveredSignals: run.inbox.recovered,
    })
    .then((result) => {
      run.reportOutcome(
        result.outcome,
        result.features.map(({ featureId, stage, after }) => ({ featureId, stage, usageScore: after })),
      );
      return { result: result as unknown as JsonValue };
    });
