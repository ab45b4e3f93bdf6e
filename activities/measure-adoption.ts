import type { AdoptionOutcome, MeasureAdoptionArgs, MeasureAdoptionResult, StepContext } from './contracts';
import { currentTime, type ActivityDeps } from './deps';
import { recoveryThresholdOf, scoreFeatures, utcDay } from '../adoption/scoring';

/**
 * FR-4.1 / FR-4.3: the follow-up measurement of an enablement run. Re-scores the run's features as of now (the current
 * UTC day, same formula as detection), judges each one and, with `recordImpact`, writes the impact:
 *   feature_adoption.adoption_after_intervention + intervention_outcome, and on this run's interventions rows
 *   adoption_after, outcome, effectiveness_score, measured_at (adoption_before when it was not recorded).
 * Idempotent: a retry recomputes and overwrites the same rows with the same values.
 */

/** "Improved" needs at least this many points more than at signal time. */
export const IMPROVEMENT_MIN_POINTS = 10;

export interface FeatureJudgement {
  outcome: AdoptionOutcome;
  effectivenessScore: number;
}

/**
 * - recovered: a `recovered` signal reported it, or the score is back at the threshold of the rule that flagged it
 *   (20 for FR-1.3, i.e. engaged or better; 30 for PRD 4.3), or the stage is `adopted`;
 * - improved: up by at least 10 points;
 * - still_stalled: otherwise.
 * Effectiveness (0-100): 100 when recovered, else the share of the gap to the threshold that was closed.
 */
export function judgeFeature(input: {
  before: number;
  after: number;
  stage: string;
  rule: string | null;
  reportedRecovered: boolean;
}): FeatureJudgement {
  const threshold = recoveryThresholdOf(input.rule);
  if (input.reportedRecovered || input.after >= threshold || input.stage === 'adopted') {
    return { outcome: 'recovered', effectivenessScore: 100 };
  }
  const gap = Math.max(1, threshold - input.before);
  const effectivenessScore = Math.max(0, Math.min(100, Math.round((100 * (input.after - input.before)) / gap)));
  if (input.after - input.before >= IMPROVEMENT_MIN_POINTS) return { outcome: 'improved', effectivenessScore };
  return { outcome: 'still_stalled', effectivenessScore };
}

/** The run's outcome: recovered when every feature recovered, improved when any moved, else still stalled. */
export function overallOutcome(outcomes: AdoptionOutcome[]): AdoptionOutcome {
  if (outcomes.length > 0 && outcomes.every((outcome) => outcome === 'recovered')) return 'recovered';
  if (outcomes.some((outcome) => outcome === 'recovered' || outcome === 'improved')) return 'improved';
  return 'still_stalled';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createMeasureAdoptionActivity(deps: ActivityDeps) {
  return {
    async measureAdoption(context: StepContext, args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult> {
      const now = currentTime(deps);
      const featureIds = args.features.map((feature) => feature.featureId);
      const rows = await scoreFeatures(deps.db, { asOf: utcDay(now), customerIds: [context.customerId], featureIds });
      const scored = new Map(rows.map((row) => [row.feature_id, row]));

      // The rule that flagged each feature in this run's signal (workflow id `adoption-stalled/<customer>/<signal>`).
      const signalId = context.workflowId.split('/').pop() ?? '';
      const flagged = await deps.db.query<{ feature_id: string; rule: string }>(
        `SELECT DISTINCT ON (f.feature_id) f.feature_id, f.rule
           FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
          WHERE f.customer_id = $1::uuid AND f.feature_id = ANY($2::text[])
            AND (rs.workflow_id = $3 OR rs.id = $4::uuid)
          ORDER BY f.feature_id, f.created_at DESC`,
        [context.customerId, featureIds, context.workflowId, UUID.test(signalId) ? signalId : null],
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
