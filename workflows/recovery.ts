import type { StepRun } from './step-run';

/** True once every feature of the run has been reported recovered (usage resumed) by a `recovered` signal. */
export function allFeaturesRecovered(run: Pick<StepRun, 'input' | 'inbox'>): boolean {
  const recovered = new Set(run.inbox.recovered.map((signal) => signal.featureId));
  return run.input.features.length > 0 && run.input.features.every((feature) => recovered.has(feature.featureId));
}
