import type { ActivityDeps } from '../steps/activity-deps';
import { createStepActivities } from '../steps/activities';
import type { EnablementActivities } from '../workflows/enablement';
import type { DetectionActivities } from '../workflows/detection-contract';
import { createCheckRecentInterventionsActivity } from './check-recent-interventions';
import { createDetectionActivities } from './detection-activities';
import { createInterventionFollowUpActivities } from './intervention-follow-up';
import type { InterventionFollowUpActivities } from '../workflows/intervention-follow-up';

export type { ActivityDeps } from '../steps/activity-deps';

/**
 * Every activity the worker registers, built from the dependencies it hands in (real servers in tests too): the step
 * kinds' (derived from the registry, steps/activities.ts), the interpreter's cooldown check and detection's.
 */
export function createActivities(deps: ActivityDeps): EnablementActivities & DetectionActivities & InterventionFollowUpActivities {
  return {
    ...createStepActivities(deps),
    ...createCheckRecentInterventionsActivity(deps),
    ...createDetectionActivities(deps),
    ...createInterventionFollowUpActivities(deps),
  };
}
