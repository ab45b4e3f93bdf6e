import type { StepContext } from '../../adoption/model/run-facts';
import { currentTime, type ActivityDeps } from '../activity-deps';
import { judgeFeature, overallOutcome, type AdoptionOutcome } from '../../adoption/outcome';
import { scoreFeatures, utcDay } from '../../adoption/scoring';
import type { SignalFeature } from '../../adoption/model/run-facts';

export interface MeasureAdoptionArgs {
  features: Array<Pick<SignalFeature, 'featureId' | 'usageScore' | 'stage'>>;
  recordImpact: boolean;
  /** Features a `recovered` signal reported, with when; they count as recovered even if the score lags. */
  recoveredSignals: Array<{ featureId: string; detectedAt: string }>;
}

export interface MeasureAdoptionResult {
  features: Array<{
    featureId: string;
    before: number;
    after: number;
    stage: string;
    outcome: AdoptionOutcome;
    effectivenessScore: number;
  }>;
  outcome: AdoptionOutcome;
}

/** The activities a `measure_adoption` step calls (the worker registers them under these names). */
export interface MeasureAdoptionActivities {
  measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult>;
}

/**
 * FR-4.1 / FR-4.3: the follow-up measurement of an enablement run. Re-scores the run's features as of now (the current
 * UTC day, same formula as detection), judges each one and, with `recordImpact`, writes the impact:
 *   feature_adoption.adoption_after_intervention + intervention_outcome, and on this run's interventions rows
 *   adoption_after, outcome, effectiveness_score, measured_at (adoption_before when it was not recorded).
 * Idempotent: a retry recomputes and overwrites the same rows with the same values.
 */

export function createActivities(deps: ActivityDeps): MeasureAdoptionActivities {
  return {
    async measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult> {
      const now = currentTime(deps);
      const featureIds = args.features.map((feature) => feature.featureId);
      const rows = await scoreFeatures(deps.db, { asOf: utcDay(now), customerIds: [context.customerId], featureIds });
      const scored = new Map(rows.map((row) => [row.feature_id, row]));

      // The rule that flagged each feature in this run's signal.
      const flagged = await deps.db.query<{ feature_id: string; rule: string }>(
        `SELECT DISTINCT ON (f.feature_id) f.feature_id, f.rule
           FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
          WHERE f.customer_id = $1::uuid AND f.feature_id = ANY($2::text[])
            AND (rs.workflow_id = $3 OR rs.id = $4::uuid)
          ORDER BY f.feature_id, f.created_at DESC`,
        [context.customerId, featureIds, context.workflowId, context.signalId],
      );
      const ruleOf = new Map(flagged.rows.map((row) => [row.feature_id, row.rule]));
      const reported = new Set(args.recoveredSignals.map((signal) => signal.featureId));

      const features = args.features.map((feature) => {
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
      const result: MeasureAdoptionResult = { features, outcome: overallOutcome(features.map((f) => f.outcome)) };

      if (args.recordImpact && features.length > 0) {
        const columns = [
          features.map((f) => f.featureId),
          features.map((f) => f.before),
          features.map((f) => f.after),
          features.map((f) => f.outcome),
          features.map((f) => f.effectivenessScore),
        ];
        await deps.db.transaction(async (tx) => {
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
            [context.customerId, ...columns],
          );
          await tx.query(
            `UPDATE interventions i
                SET adoption_before = COALESCE(i.adoption_before, m.before),
                    adoption_after = m.after, outcome = m.outcome, effectiveness_score = m.effectiveness,
                    measured_at = $7::timestamptz
               FROM UNNEST($2::varchar[], $3::int[], $4::int[], $5::varchar[], $6::int[])
                    AS m(feature_id, before, after, outcome, effectiveness)
              WHERE i.customer_id = $1::uuid AND i.workflow_id = $8 AND i.feature_id = m.feature_id`,
            [context.customerId, ...columns, now.toISOString(), context.workflowId],
          );
        });
      }
      return result;
    },
  };
}
