import { currentTime, type ActivityDeps } from '../steps/activity-deps';
import { measureIntervention } from '../adoption/interventions';
import type { InterventionFollowUpActivities } from '../workflows/intervention-follow-up';

/**
 * The activity of an intervention's follow-up workflow: one checkpoint measurement (adoption/interventions.ts). The
 * workflow hands in the as-of day, so the figure depends on the usage data only, never on when the activity ran.
 */
export function createInterventionFollowUpActivities(deps: ActivityDeps): InterventionFollowUpActivities {
  return {
    async measureInterventionFollowUp(args) {
      return measureIntervention(deps.db, { ...args, now: currentTime(deps) });
    },
  };
}
