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
    await markIntervened(tx, { customerId: fa.customer_id, featureIds: [fa.feature_id] }, input.interventionType, input.at);
    return { intervention: view(inserted.rows[0]), created: true };
  });
}

/**
 * FR-4.2 for a sent enablement email: one `interventions` row per feature of the draft (keyed on the send step, so a
 * retry adds none), with the links the email carried (else the catalog's), and the features marked as intervened.
 */
export async function recordEmailInterventions(
  tx: Db,
  run: { customerId: string; featureIds: string[]; key: string; workflowId: string; at: Date; details: string; body: string },
): Promise<void> {
  const bodyUrls = urlsIn(run.body);
  const catalogUrls = new Map<string, string[]>();
  if (!bodyUrls.length) {
    const catalog = await tx.query<{ feature_id: string; training_resources: Array<{ url?: unknown }> | null }>(
      `SELECT feature_id, training_resources FROM feature_catalog WHERE feature_id = ANY($1::text[])`,
      [run.featureIds],
    );
    for (const row of catalog.rows) {
      catalogUrls.set(
        row.feature_id,
        (row.training_resources ?? []).map((r) => r.url).filter((url): url is string => typeof url === 'string'),
      );
    }
  }
  for (const featureId of run.featureIds) {
    const resources = bodyUrls.length ? bodyUrls : (catalogUrls.get(featureId) ?? []);
    await tx.query(
      `INSERT INTO interventions (idempotency_key, feature_adoption_id, customer_id, feature_id, intervention_type, details,
                                  resources_shared, workflow_id, occurred_at, adoption_before)
       SELECT $1, fa.id, $2::uuid, $3::text, 'email', $4, $5::jsonb, $6, $7, fa.usage_score
         FROM (SELECT 1) AS one
         LEFT JOIN feature_adoption fa ON fa.customer_id = $2::uuid AND fa.feature_id = $3::text
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [`${run.key}/${featureId}`, run.customerId, featureId, run.details, JSON.stringify(resources), run.workflowId, run.at],
    );
  }
  await markIntervened(tx, { customerId: run.customerId, featureIds: run.featureIds }, 'email', run.at);
}

/** The links in a plain-text body, in order, without trailing punctuation. */
export function urlsIn(text: string): string[] {
  const found = (text.match(/https?:\/\/[^\s<>"'()[\]]+/g) ?? []).map((url) => url.replace(/[.,;:!?]+$/, ''));
  return [...new Set(found)];
}

/** feature_adoption remembers the latest intervention: what the FR-2.4 cooldown of detection reads. */
async function markIntervened(tx: Db, features: { customerId: string; featureIds: string[] }, type: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE feature_adoption SET intervention_sent_at = $3::timestamptz, intervention_type = $4, updated_at = NOW()
      WHERE customer_id = $1::uuid AND feature_id = ANY($2::text[])`,
    [features.customerId, features.featureIds, at.toISOString(), type],
  );
}
