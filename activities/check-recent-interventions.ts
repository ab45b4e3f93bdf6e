import type { CooldownActivities, RecentInterventionCheck } from '../workflows/enablement';
import type { StepContext } from '../adoption/model/run-facts';
import { currentTime, type ActivityDeps } from '../steps/activity-deps';

const DAY_MS = 86_400_000;

/**
 * The FR-2.4 / PRD 7.1 "already intervened" check: features of this run with an intervention in the last
 * `cooldownDays`. Interventions this run recorded itself do not count, so a replayed or continued run does not
 * suppress its own features; interventions with no workflow (recorded through the API by a CSM) do.
 */
export function createCheckRecentInterventionsActivity(deps: ActivityDeps): CooldownActivities {
  return {
    async checkRecentInterventions(context: StepContext, args: { cooldownDays: number }): Promise<RecentInterventionCheck> {
      if (!context.featureIds.length || !(args.cooldownDays > 0)) return { suppressed: [] };
      const since = new Date(currentTime(deps).getTime() - args.cooldownDays * DAY_MS);
      const result = await deps.db.query<{ feature_id: string; last_at: Date }>(
        `SELECT feature_id, MAX(occurred_at) AS last_at
           FROM interventions
          WHERE customer_id = $1 AND feature_id = ANY($2::text[]) AND occurred_at >= $3::timestamptz
            AND (workflow_id IS NULL OR workflow_id <> $4)
          GROUP BY feature_id`,
        [context.customerId, context.featureIds, since, context.workflowId],
      );
      const lastOf = new Map(result.rows.map((row) => [row.feature_id, new Date(row.last_at).toISOString()]));
      // The run's feature order (most important first), not the database's.
      const suppressed = context.featureIds
        .filter((featureId) => lastOf.has(featureId))
        .map((featureId) => ({ featureId, lastInterventionAt: lastOf.get(featureId)! }));
      return { suppressed };
    },
  };
}
