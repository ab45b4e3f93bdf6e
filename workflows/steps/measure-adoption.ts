import type { JsonValue, MeasureAdoptionStep } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';

/** Measures adoption again for every feature of the run and records the intervention's impact (FR-4.1). */
export const executeMeasureAdoption: StepExecutor<MeasureAdoptionStep> = async (step, run) => {
  const result = await run.activities(step).measureAdoption(run.context(step), {
    features: run.input.features.map(({ featureId, usageScore, stage }) => ({ featureId, usageScore, stage })),
    recordImpact: step.config.record_impact,
    recoveredSignals: run.inbox.recovered,
  });
  run.state.outcome = result.outcome;
  run.state.features = result.features.map(({ featureId, stage, after }) => ({ featureId, stage, usageScore: after }));
  return { result: result as unknown as JsonValue };
};
