import type { Db } from '../db/database';
import { judgeFeature, overallOutcome, type AdoptionOutcome } from './outcome';
import { scoreFeatures, utcDay } from './scoring';

/** A run's measurement: whose features, what they scored when the run started, and what the run saw since. */
export interface RunMeasurementRequest {
  customerId: string;
  workflowId: string;
  signalId: string;
  features: ReadonlyArray<{ featureId: string; usageScore: number }>;
  /** Features a `recovered` signal reported; they count as recovered even if the score lags. */
  recoveredFeatureIds: readonly string[];
  /** Write the impact on the customer's adoption rows and on this run's interventions. */
  recordImpact: boolean;
  at: Date;
}

export interface FeatureMeasurement {
  featureId: string;
  before: number;
  after: number;
  stage: string;
  outcome: AdoptionOutcome;
  effectivenessScore: number;
}

export interface RunMeasurement {
  features: FeatureMeasurement[];
  outcome: AdoptionOutcome;
}

/**
 * Measures an enablement run's features again (as of the UTC day of `at`, the same score as detection), judges each
 * against the rule that flagged it and, with `recordImpact`, records the impact: feature_adoption's
 * adoption_after_intervention and intervention_outcome, and on the run's interventions adoption_after, outcome,
 * effectiveness_score, measured_at (adoption_before when it was not recorded). Idempotent: a retry writes the same.
 */
export async function measureRunAdoption(db: Db, request: RunMeasurementRequest): Promise<RunMeasurement> {
  const featureIds = request.features.map((feature) => feature.featureId);
  const rows = await scoreFeatures(db, { asOf: utcDay(request.at), customerIds: [request.customerId], featureIds });
  const scored = new Map(rows.map((row) => [row.feature_id, row]));
  const ruleOf = await flaggingRules(db, request, featureIds);
  const reported = new Set(request.recoveredFeatureIds);

  const features = request.features.map((feature): FeatureMeasurement => {
    const row = scored.get(feature.featureId);
    const after = row?.usage_score ?? 0;
    const stage = row?.stage ?? 'not_started';
    const judgement = judgeFeature({
      before: feature.usageScore,
      after,
      stage,
      rule: ruleOf.get(feature.featureId) ?? null,
      reportedRecovered: reported.has(feature.featureId),
    });
    return { featureId: feature.featureId, before: feature.usageScore, after, stage, ...judgement };
  });
  if (request.recordImpact && features.length > 0) await recordRunImpact(db, request, features);
  return { features, outcome: overallOutcome(features.map((f) => f.outcome)) };
}

/** The rule that flagged each feature in the run's signal. */
async function flaggingRules(
  db: Db,
  run: Pick<RunMeasurementRequest, 'customerId' | 'workflowId' | 'signalId'>,
  featureIds: string[],
): Promise<Map<string, string>> {
  const flagged = await db.query<{ feature_id: string; rule: string }>(
    `SELECT DISTINCT ON (f.feature_id) f.feature_id, f.rule
       FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
      WHERE f.customer_id = $1::uuid AND f.feature_id = ANY($2::text[])
        AND (rs.workflow_id = $3 OR rs.id = $4::uuid)
      ORDER BY f.feature_id, f.created_at DESC`,
    [run.customerId, featureIds, run.workflowId, run.signalId],
  );
  return new Map(flagged.rows.map((row) => [row.feature_id, row.rule]));
}

async function recordRunImpact(db: Db, run: RunMeasurementRequest, features: FeatureMeasurement[]): Promise<void> {
  const columns = [
    features.map((f) => f.featureId),
    features.map((f) => f.before),
    features.map((f) => f.after),
    features.map((f) => f.outcome),
    features.map((f) => f.effectivenessScore),
  ];
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, adoption_after_intervention, intervention_outcome)
       SELECT $1::uuid, m.feature_id, COALESCE(cat.feature_name, m.feature_id), m.after, m.outcome
         FROM UNNEST($2::varchar[], $3::int[], $4::int[], $5::varchar[], $6::int[])
              AS m(feature_id, before, after, outcome, effectiveness)
         LEFT JOIN feature_catalog cat ON cat.feature_id = m.feature_id
       ON CONFLICT (customer_id, feature_id) DO UPDATE SET
         adoption_after_intervention = EXCLUDED.adoption_after_intervention,
         intervention_outcome = EXCLUDED.intervention_outcome,
         updated_at = NOW()`,
      [run.customerId, ...columns],
    );
    await tx.query(
      `UPDATE interventions i
          SET adoption_before = COALESCE(i.adoption_before, m.before),
              adoption_after = m.after, outcome = m.outcome, effectiveness_score = m.effectiveness,
              measured_at = $7::timestamptz
         FROM UNNEST($2::varchar[], $3::int[], $4::int[], $5::varchar[], $6::int[])
              AS m(feature_id, before, after, outcome, effectiveness)
        WHERE i.customer_id = $1::uuid AND i.workflow_id = $8 AND i.feature_id = m.feature_id`,
      [run.customerId, ...columns, run.at.toISOString(), run.workflowId],
    );
  });
}
