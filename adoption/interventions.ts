import type { Db } from '../db/database';
import { isoOrNull } from './dates';
import { judgeFeature, type AdoptionOutcome } from './outcome';
import { addDays, scoreFeatures, utcDay } from './scoring';
import { untrackedUrl } from './engagement';

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
  /** Who performed it (a CSM's name or e-mail, a Slack user); shown in the reports. */
  performedBy?: string | null;
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
  performedBy: string | null;
  /** Emails only: `delivered` (SMTP) or `queued` (still in the outbox: not counted as an intervention). */
  delivery: string | null;
  /** The durable follow-up measuring it (`intervention-follow-up/<id>`), once started. */
  followUpWorkflowId: string | null;
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
  performed_by: string | null;
  delivery: string | null;
  follow_up_workflow_id: string | null;
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
    performedBy: row.performed_by,
    delivery: row.delivery,
    followUpWorkflowId: row.follow_up_workflow_id,
  };
}

const COLUMNS = `id, feature_adoption_id, customer_id, feature_id, intervention_type, details, resources_shared, workflow_id,
  occurred_at, adoption_before, adoption_after, outcome, effectiveness_score, measured_at, performed_by, delivery, follow_up_workflow_id`;

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
                                  resources_shared, workflow_id, occurred_at, adoption_before, performed_by)
       VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb, $8, $9::timestamptz, $10, $11)
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
        input.performedBy ?? null,
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
 * `delivery` says whether it left (SMTP: `delivered`) or waits in the outbox (`queued`: the reports do not count it
 * as an intervention until it is delivered); `performedBy` is whoever approved the draft. The caller knows both: no
 * lookup of the outbox or the draft per feature.
 */
export async function recordEmailInterventions(
  tx: Db,
  run: {
    customerId: string;
    featureIds: string[];
    key: string;
    workflowId: string;
    at: Date;
    details: string;
    body: string;
    delivery: 'delivered' | 'queued';
    performedBy: string | null;
  },
): Promise<void> {
  // Tracked links (/r/<token>) are recorded as the resources they lead to.
  const bodyUrls = [...new Set(urlsIn(run.body).map(untrackedUrl))];
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
                                  resources_shared, workflow_id, occurred_at, adoption_before, delivery, performed_by)
       SELECT $1, fa.id, $2::uuid, $3::text, 'email', $4, $5::jsonb, $6, $7, fa.usage_score, $8, $9
         FROM (SELECT 1) AS one
         LEFT JOIN feature_adoption fa ON fa.customer_id = $2::uuid AND fa.feature_id = $3::text
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        `${run.key}/${featureId}`,
        run.customerId,
        featureId,
        run.details,
        JSON.stringify(resources),
        run.workflowId,
        run.at,
        run.delivery,
        run.performedBy,
      ],
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

export interface InterventionMeasurement {
  interventionId: string;
  customerId: string;
  featureId: string;
  checkpointDays: number;
  /** The checkpoint day: the intervention's UTC day + checkpointDays. `after` is the 14-day score as of its end. */
  asOf: string;
  /** The 14-day score as of the end of the day before the intervention. */
  before: number;
  after: number;
  stage: string;
  rule: string | null;
  outcome: AdoptionOutcome;
  effectivenessScore: number;
}

/**
 * One checkpoint of an intervention's follow-up: scores the feature as of the day before the intervention and as of
 * `asOf` (from usage events, the detection formula), judges it (adoption/outcome.ts, against the threshold of the rule
 * of the stall it answered) and stores the measurement. The intervention row takes the latest checkpoint's result.
 * Idempotent: the same arguments give the same row. Null when the intervention does not exist.
 */
export async function measureIntervention(
  db: Db,
  args: { interventionId: string; checkpointDays: number; asOf: string; workflowId?: string | null; now: Date },
): Promise<InterventionMeasurement | null> {
  const found = await db.query<{ customer_id: string; feature_id: string; occurred_at: Date | string }>(
    `SELECT customer_id, feature_id, occurred_at FROM interventions WHERE id = $1::uuid`,
    [args.interventionId],
  );
  if (found.rows.length === 0) return null;
  const { customer_id: customerId, feature_id: featureId } = found.rows[0];
  const occurredDay = utcDay(new Date(found.rows[0].occurred_at));
  const scoreOn = async (day: string) => {
    const [row] = await scoreFeatures(db, { asOf: day, customerIds: [customerId], featureIds: [featureId] });
    return { score: row?.usage_score ?? 0, stage: row?.stage ?? 'not_started' };
  };
  const before = (await scoreOn(addDays(occurredDay, -1))).score;
  const after = await scoreOn(args.asOf);
  const rule = await stallRuleAt(db, customerId, featureId, occurredDay);
  const judgement = judgeFeature({ before, after: after.score, stage: after.stage, rule, reportedRecovered: false });
  const measurement: InterventionMeasurement = {
    interventionId: args.interventionId,
    customerId,
    featureId,
    checkpointDays: args.checkpointDays,
    asOf: args.asOf,
    before,
    after: after.score,
    stage: after.stage,
    rule,
    ...judgement,
  };
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO intervention_measurements (intervention_id, checkpoint_days, as_of, adoption_before, adoption_after, stage, rule,
                                              outcome, effectiveness_score, workflow_id, measured_at)
       VALUES ($1::uuid, $2, $3::date, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (intervention_id, checkpoint_days) DO UPDATE SET
         as_of = EXCLUDED.as_of, adoption_before = EXCLUDED.adoption_before, adoption_after = EXCLUDED.adoption_after,
         stage = EXCLUDED.stage, rule = EXCLUDED.rule, outcome = EXCLUDED.outcome,
         effectiveness_score = EXCLUDED.effectiveness_score, workflow_id = EXCLUDED.workflow_id, measured_at = EXCLUDED.measured_at`,
      [
        args.interventionId,
        args.checkpointDays,
        args.asOf,
        before,
        measurement.after,
        measurement.stage,
        rule,
        measurement.outcome,
        measurement.effectivenessScore,
        args.workflowId ?? null,
        args.now.toISOString(),
      ],
    );
    // The intervention shows its latest checkpoint: a retried 14-day measurement never overwrites the 30-day one.
    await tx.query(
      `UPDATE interventions SET adoption_before = COALESCE(adoption_before, $2), adoption_after = $3, outcome = $4,
              effectiveness_score = $5, measured_at = $6
        WHERE id = $1::uuid
          AND NOT EXISTS (SELECT 1 FROM intervention_measurements m WHERE m.intervention_id = $1::uuid AND m.checkpoint_days > $7)`,
      [
        args.interventionId,
        before,
        measurement.after,
        measurement.outcome,
        measurement.effectivenessScore,
        args.now.toISOString(),
        args.checkpointDays,
      ],
    );
  });
  return measurement;
}

/** The rule of the stall an intervention on `day` answered: the latest stall episode opened by then, else none. */
async function stallRuleAt(db: Db, customerId: string, featureId: string, day: string): Promise<string | null> {
  const { rows } = await db.query<{ rule: string | null }>(
    `SELECT rule FROM (
       SELECT rule, detected_on AS since FROM feature_stalls WHERE customer_id = $1::uuid AND feature_id = $2 AND detected_on <= $3::date
       UNION ALL
       SELECT stall_rule, (stall_detected_at AT TIME ZONE 'UTC')::date FROM feature_adoption
        WHERE customer_id = $1::uuid AND feature_id = $2 AND stall_rule IS NOT NULL AND stall_detected_at IS NOT NULL
          AND (stall_detected_at AT TIME ZONE 'UTC')::date <= $3::date
     ) known ORDER BY since DESC LIMIT 1`,
    [customerId, featureId, day],
  );
  return rows[0]?.rule ?? null;
}

/**
 * A queued enablement email went out (the outbox relay delivered it): from now on it is an intervention, dated from
 * its delivery, counted by the reports and followed up. `key` is the send step's key (`recordEmailInterventions`).
 * Answers how many rows became delivered (none when they were delivered already).
 */
export async function markEmailInterventionsDelivered(db: Db, key: string, at: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const updated = await tx.query<{ customer_id: string; feature_id: string }>(
      `UPDATE interventions SET delivery = 'delivered', occurred_at = $2
        WHERE left(idempotency_key, length($1) + 1) = $1 || '/' AND intervention_type = 'email' AND delivery = 'queued'
        RETURNING customer_id, feature_id`,
      [key, at],
    );
    for (const row of updated.rows) await markIntervened(tx, { customerId: row.customer_id, featureIds: [row.feature_id] }, 'email', at);
    return updated.rowCount;
  });
}
