import type { Db } from '../db/database';

/** An intervention whose durable follow-up (docs/impact.md) can be started: it was delivered, not just queued. */
export interface InterventionToFollowUp {
  id: string;
  customerId: string;
  featureId: string;
  interventionType: string;
  occurredAt: Date;
  performedBy: string | null;
}

/** Those of `interventionIds` that count (an email still queued in the outbox does not yet), oldest first. */
export async function interventionsToFollowUp(db: Db, interventionIds: readonly string[]): Promise<InterventionToFollowUp[]> {
  if (interventionIds.length === 0) return [];
  const { rows } = await db.query<{
    id: string;
    customer_id: string;
    feature_id: string;
    intervention_type: string;
    occurred_at: Date | string;
    performed_by: string | null;
  }>(
    `SELECT id, customer_id, feature_id, intervention_type, occurred_at, performed_by FROM interventions
      WHERE id = ANY($1::uuid[]) AND delivery IS DISTINCT FROM 'queued' ORDER BY occurred_at, id`,
    [[...interventionIds]],
  );
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    featureId: row.feature_id,
    interventionType: row.intervention_type,
    occurredAt: new Date(row.occurred_at),
    performedBy: row.performed_by,
  }));
}

/** The intervention's follow-up workflow, once started (or found), so the sweep leaves it alone. */
export async function recordFollowUpWorkflow(db: Db, interventionId: string, workflowId: string): Promise<void> {
  await db.query(`UPDATE interventions SET follow_up_workflow_id = $2 WHERE id = $1::uuid`, [interventionId, workflowId]);
}

/**
 * Interventions that count but have no follow-up yet (recorded while Temporal was unreachable, or made by an
 * enablement run), optionally only those since a time, oldest first.
 */
export async function interventionsWithoutFollowUp(db: Db, since?: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM interventions
      WHERE follow_up_workflow_id IS NULL AND delivery IS DISTINCT FROM 'queued' AND ($1::timestamptz IS NULL OR occurred_at >= $1::timestamptz)
      ORDER BY occurred_at, id`,
    [since?.toISOString() ?? null],
  );
  return rows.map((row) => row.id);
}
