import type { Db } from '../db/database';

export interface RecentInterventionQuery {
  customerId: string;
  featureIds: readonly string[];
  since: Date;
  /** The asking run: what it recorded itself does not count against it. */
  excludingWorkflowId: string;
}

/**
 * The latest intervention (ISO time) on each of the features since `since`, leaving out the asking run's own; ones
 * recorded without a run (a CSM's, through the API) count. What the "already intervened" cooldown reads.
 */
export async function latestInterventions(db: Db, query: RecentInterventionQuery): Promise<Map<string, string>> {
  const result = await db.query<{ feature_id: string; last_at: Date }>(
    `SELECT feature_id, MAX(occurred_at) AS last_at
       FROM interventions
      WHERE customer_id = $1 AND feature_id = ANY($2::text[]) AND occurred_at >= $3::timestamptz
        AND (workflow_id IS NULL OR workflow_id <> $4)
      GROUP BY feature_id`,
    [query.customerId, [...query.featureIds], query.since, query.excludingWorkflowId],
  );
  return new Map(result.rows.map((row) => [row.feature_id, new Date(row.last_at).toISOString()]));
}
