import type { Db } from '../../db/database';
import { liftReport, type ImpactFilter, type LiftReport } from '../holdout';
import { successMetrics, type SuccessMetricsReport } from '../metrics';
import { holdoutList, type HoldoutRow } from './reports-holdout';
import { interventionOutcomes, resourcesBeforeRecovery, type OutcomeGroup, type ResourceRecoveryRow } from './reports-outcomes';
import { stallsBySegment, type StallsBySegmentRow } from './reports-stalls';

/** Every figure of the impact reports over one window: what the reports page draws and `/api/reports/impact` answers. */
export interface ImpactReports {
  filter: ImpactFilter;
  asOf: string;
  stalls: StallsBySegmentRow[];
  outcomes: { byType: OutcomeGroup[]; byPerformer: OutcomeGroup[] };
  resources: ResourceRecoveryRow[];
  lift: LiftReport;
  heldOut: HoldoutRow[];
  successMetrics: SuccessMetricsReport;
}

/** The impact reports of a window (segment, CSM), measured as of `today`. */
export async function loadImpactReports(db: Db, filter: ImpactFilter, today: string): Promise<ImpactReports> {
  return {
    filter,
    asOf: today,
    stalls: (await stallsBySegment(db, filter)).rows,
    outcomes: await interventionOutcomes(db, filter),
    resources: (await resourcesBeforeRecovery(db, filter)).resources,
    lift: await liftReport(db, filter, today),
    heldOut: (await holdoutList(db, filter)).heldOut,
    successMetrics: await successMetrics(db, filter, today),
  };
}
