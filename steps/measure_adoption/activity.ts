import type { StepContext } from '../../adoption/model/run-facts';
import { currentTime, type ActivityDeps } from '../activity-deps';
import { measureRunAdoption, type RunMeasurement } from '../../adoption/measurement';
import type { SignalFeature } from '../../adoption/model/run-facts';

export interface MeasureAdoptionArgs {
  features: Array<Pick<SignalFeature, 'featureId' | 'usageScore' | 'stage'>>;
  recordImpact: boolean;
  /** Features a `recovered` signal reported, with when; they count as recovered even if the score lags. */
  recoveredSignals: Array<{ featureId: string; detectedAt: string }>;
}

export type MeasureAdoptionResult = RunMeasurement;

/** The activities a `measure_adoption` step calls (the worker registers them under these names). */
export interface MeasureAdoptionActivities {
  measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult>;
}

/** The follow-up measurement of an enablement run, as of now: the domain's `measureRunAdoption`. */
export function createActivities(deps: ActivityDeps): MeasureAdoptionActivities {
  return {
    async measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult> {
      return measureRunAdoption(deps.db, {
        customerId: context.customerId,
        workflowId: context.workflowId,
        signalId: context.signalId,
        features: args.features,
        recoveredFeatureIds: args.recoveredSignals.map((signal) => signal.featureId),
        recordImpact: args.recordImpact,
        at: currentTime(deps),
      });
    },
  };
}
