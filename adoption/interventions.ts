import type { Db } from '../db/database';
import { isoOrNull } from './dates';

/**
 * FR-4.2: recording an intervention a CSM made (or started from Slack). The row carries the adoption score at the
 * time (adoption_before) so the follow-up measurement and the reports can compare, and feature_adoption's
 * intervention_sent_at/intervention_type move with it, which is what the FR-2.4 30-day cooldown reads.
 */
/** The idempotency key of a request was already used for an intervention on another feature adoption. */
export class IdempotencyKeyConflictError extends Error {
  constructor(readonly existingFeatureAdoptionId: string | null) {
    super(`the idempotency key was already used for an intervention on another feature adoption (${existingFeatureAdoptionId})`);
    this.name = 'IdempotencyKeyConflictError';
  }
}

export const INTERVENTION_TYPES = ['email', 'call', 'training', 'resource_share'] as const;
export type InterventionType = (typeof INTERVENTION_TYPES)[number];

export interface RecordInterventionInput {
  featureAdoptionId: string;
  interventionType: InterventionType;
  details: string;
  resourcesShared: string[];
  at: Date;
  /** The enablement run it belongs to (Slack actions), so the run's follow-up measures it too. */
  workflowId?: string | null;
  /** Retries with the same key find the first row instead of adding another. */
  idempotencyKey?: string | null;
}

export interface InterventionView {
  id: string;
  featureAdoptionId: string | null;
  customerId: string;
  featureId: string;
  interventionType: string;
  details: string | null;
  resourcesShared: unknown;
  workflowId: string | null;
  occurredAt: string | null;
  adoptionBefore: number | null;
  adoptionAfter: number | null;
  outcome: string | null;
  effectivenessScore: number | null;
  measuredAt: string | null;
}

interface InterventionRow {
  id: string;
  feature_adoption_id: string | null;
  customer_id: string;
  feature_id: string;
  intervention_type: string;
  details: string | null;
  resources_shared: unknown;
  workflow_id: string | null;
  occurred_at: Date | string | null;
  adoption_before: number | null;
  adoption_after: number | null;
  outcome: string | null;
  effectiveness_score: number | null;
  measured_at: Date | string | null;
}

function view(row: InterventionRow): InterventionView {
  return {
    id: row.id,
    featureAdoptionId: row.feature_adoption_id,
    customerId: row.customer_id,
    featureId: row.feature_id,
    interventionType: row.intervention_type,
    details: row.details,
    resourcesShared: row.resources_shared,
    workflowId: row.workflow_id,
    occurredAt: isoOrNull(row.occurred_at),
    adoptionBefore: row.adoption_before,
    adoptionAfter: row.adoption_after,
    outcome: row.outcome,
    effectivenessScore: row.effectiveness_score,
    measuredAt: isoOrNull(row.measured_at),
  };
}

const COLUMNS = `id, feature_adoption_id, customer_id, feature_id, intervention_type, details, resources_shared, workflow_id,
  occurred_at, adoption_before, adoption_after, outcome, effectiveness_score, measured_at`;

/** Null when there is no feature_adoption row `featureAdoptionId`. */
export async function recordIntervention(
  db: Db,
  input: RecordInterventionInput,
): Promise<{ intervention: InterventionView; created: boolean } | null> {
  return db.transaction(async (tx) => {
    const adoption = await tx.query<{ id: string; customer_id: string; feature_id: string; usage_score: number | null }>(
      `SELECT id, customer_id, feature_id, usage_score FROM feature_adoption WHERE id = $1::uuid FOR UPDATE`,
      [input.featureAdoptionId],
    );
    if (adoption.rows.length === 0) return null;
    const fa = adoption.rows[0];
    const key = input.idempotencyKey ?? null;
    const inserted = await tx.query<InterventionRow>(
      `INSERT INTO interventions (idempotency_key, feature_adoption_id, customer_id, feature_id, intervention_type, details,
                                  resources_shared, workflow_id, occurred_at, adoption_before)
       VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb, $8, $9::timestamptz, $10)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        key,
        fa.id,
        fa.customer_id,
        fa.feature_id,
        input.interventionType,
        input.details,
        JSON.stringify(input.resourcesShared),
        input.workflowId ?? null,
        input.at.toISOString(),
        fa.usage_score,
      ],
    );
    if (inserted.rows.length === 0) {
      const existing = await tx.query<InterventionRow>(`SELECT ${COLUMNS} FROM interventions WHERE idempotency_key = $1`, [key]);
      const row = existing.rows[0];
      if (row.feature_adoption_id !== fa.id) {
        throw new IdempotencyKeyConflictError(row.feature_adoption_id);
      }
      return { intervention: view(row), created: false };
    }
    await tx.query(
      `UPDATE feature_adoption SET intervention_sent_at = $2::timestamptz, intervention_type = $3, updated_at = NOW() WHERE id = $1::uuid`,
      [fa.id, input.at.toISOString(), input.interventionType],
    );
    return { intervention: view(inserted.rows[0]), created: true };
  });
}
