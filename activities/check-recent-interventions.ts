import type { CooldownActivities, RecentInterventionCheck } from '../workflows/enablement';
import type { StepContext } from '../adoption/model/run-facts';
import { currentTime, type ActivityDeps } from '../steps/activity-deps';
import { latestInterventions } from '../adoption/recent-interventions';

const DAY_MS = 86_400_000;

/**
 * The "already intervened" check: features of this run with an intervention in the last
 * `cooldownDays`. Interventions this run recorded itself do not count, so a replayed or continued run does not
 * suppress its own features; interventions with no workflow (recorded through the API by a CSM) do.
 */
export function createCheckRecentInterventionsActivity(deps: ActivityDeps): CooldownActivities {
  return {
    async checkRecentInterventions(context: StepContext, args: { cooldownDays: number }): Promise<RecentInterventionCheck> {
      if (!context.featureIds.length || !(args.cooldownDays > 0)) return { suppressed: [] };
      const since = new Date(currentTime(deps).getTime() - args.cooldownDays * DAY_MS);
      const lastOf = await latestInterventions(deps.db, {
        customerId: context.customerId,
        featureIds: context.featureIds,
        since,
        excludingWorkflowId: context.workflowId,
      });
      // The run's feature order (most important first), not the database's.
      const suppressed = context.featureIds
        .filter((featureId) => lastOf.has(featureId))
        .map((featureId) => ({ featureId, lastInterventionAt: lastOf.get(featureId)! }));
      return { suppressed };
    },
  };
}
