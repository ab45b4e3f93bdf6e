import type { Db } from '../db/database';
import { IS_STALLED_SQL } from './adoption-data';

/**
 * US-4 / FR-4.3 / FR-4.4 reports. Stalls come from detection's stall episodes (feature_stalls) and from
 * feature_adoption.stall_detected_at (stalls recorded by the platform or before detection ran), per customer-feature.
 */

export interface StalledFeatureReport {
  featureId: string;
  featureName: string;
  importanceScore: number;
  /** Customers that activated the feature (have a feature_adoption row with activated_at). */
  customersActivated: number;
  customersStalledEver: number;
  customersStalledNow: number;
  /** customersStalledEver / customersActivated, 0-1 (null when nobody activated it). */
  stallRate: number | null;
  /** Median whole days from activation to the first stall. */
  medianDaysToStall: number | null;
  /** Stalled customers with an intervention on or after their first stall. */
  customersIntervened: number;
  /** Of those, customers whose feature recovered after the intervention. */
  customersRecoveredAfterIntervention: number;
  /** customersRecoveredAfterIntervention / customersIntervened, 0-1 (null when none intervened). */
  recoveredAfterInterventionShare: number | null;
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);
const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export async function stalledFeaturesReport(db: Db): Promise<{ features: StalledFeatureReport[] }> {
  const { rows } = await db.query<{
    feature_id: string;
    feature_name: string;
    importance_score: number;
    customers_activated: number;
    stalled_ever: number;
    stalled_now: number;
    median_days_to_stall: number | null;
    intervened: number;
    recovered_after: number;
  }>(
    `WITH episodes AS (
       SELECT customer_id, feature_id, MIN(detected_on) AS first_stall_on FROM feature_stalls GROUP BY customer_id, feature_id
     ),
     marked AS (
       SELECT customer_id, feature_id, (stall_detected_at AT TIME ZONE 'UTC')::date AS first_stall_on
         FROM feature_adoption WHERE stall_detected_at IS NOT NULL
     ),
     stalled AS (
       SELECT COALESCE(e.customer_id, m.customer_id) AS customer_id, COALESCE(e.feature_id, m.feature_id) AS feature_id,
              LEAST(e.first_stall_on, m.first_stall_on) AS first_stall_on
         FROM episodes e FULL JOIN marked m ON m.customer_id = e.customer_id AND m.feature_id = e.feature_id
     ),
     judged AS (
       SELECT s.customer_id, s.feature_id, s.first_stall_on,
              COALESCE(${IS_STALLED_SQL}, FALSE) AS stalled_now,
              CASE WHEN fa.activated_at IS NOT NULL
                   THEN s.first_stall_on - (fa.activated_at AT TIME ZONE 'UTC')::date END AS days_to_stall,
              first_iv.at AS first_intervention_at,
              (first_iv.at IS NOT NULL AND (
                 (fa.recovered_at IS NOT NULL AND fa.recovered_at > first_iv.at)
                 OR EXISTS (SELECT 1 FROM feature_stalls fs
                             WHERE fs.customer_id = s.customer_id AND fs.feature_id = s.feature_id
                               AND fs.closed_reason = 'recovered' AND fs.closed_on >= (first_iv.at AT TIME ZONE 'UTC')::date)
                 OR EXISTS (SELECT 1 FROM interventions i
                             WHERE i.customer_id = s.customer_id AND i.feature_id = s.feature_id
                               AND i.outcome = 'recovered' AND i.occurred_at >= first_iv.at))) AS recovered_after
         FROM stalled s
         LEFT JOIN feature_adoption fa ON fa.customer_id = s.customer_id AND fa.feature_id = s.feature_id
         LEFT JOIN LATERAL (
           SELECT MIN(i.occurred_at) AS at FROM interventions i
            WHERE i.customer_id = s.customer_id AND i.feature_id = s.feature_id
              AND (i.occurred_at AT TIME ZONE 'UTC')::date >= s.first_stall_on) first_iv ON TRUE
     ),
     activated AS (
       SELECT feature_id, COUNT(DISTINCT customer_id) AS customers FROM feature_adoption
        WHERE activated_at IS NOT NULL GROUP BY feature_id
     )
     SELECT j.feature_id,
            COALESCE(MAX(cat.feature_name), j.feature_id) AS feature_name,
            COALESCE(MAX(cat.importance_score), 50) AS importance_score,
            COALESCE(MAX(a.customers), 0) AS customers_activated,
            COUNT(DISTINCT j.customer_id) AS stalled_ever,
            COUNT(DISTINCT j.customer_id) FILTER (WHERE j.stalled_now) AS stalled_now,
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY j.days_to_stall) AS median_days_to_stall,
            COUNT(DISTINCT j.customer_id) FILTER (WHERE j.first_intervention_at IS NOT NULL) AS intervened,
            COUNT(DISTINCT j.customer_id) FILTER (WHERE j.recovered_after) AS recovered_after
       FROM judged j
       LEFT JOIN feature_catalog cat ON cat.feature_id = j.feature_id
       LEFT JOIN activated a ON a.feature_id = j.feature_id
      GROUP BY j.feature_id
      ORDER BY COUNT(DISTINCT j.customer_id) DESC, COALESCE(MAX(cat.importance_score), 50) DESC, j.feature_id`,
  );
  return {
    features: rows.map((row) => {
      const activated = Number(row.customers_activated);
      const ever = Number(row.stalled_ever);
      const intervened = Number(row.intervened);
      const recovered = Number(row.recovered_after);
      const median = numberOrNull(row.median_days_to_stall);
      return {
        featureId: row.feature_id,
        featureName: row.feature_name,
        importanceScore: Number(row.importance_score),
        customersActivated: activated,
        customersStalledEver: ever,
        customersStalledNow: Number(row.stalled_now),
        stallRate: ratio(ever, activated),
        medianDaysToStall: median === null ? null : Math.round(median * 10) / 10,
        customersIntervened: intervened,
        customersRecoveredAfterIntervention: recovered,
        recoveredAfterInterventionShare: ratio(recovered, intervened),
      };
    }),
  };
}

/** Outcomes of the follow-up measurement (measure_adoption); an unmeasured intervention is `pending`. */
export const SUCCESSFUL_OUTCOMES = ['recovered', 'improved'];
export const UNSUCCESSFUL_OUTCOMES = ['still_stalled'];

export interface InterventionOutcomeRow {
  interventionType: string;
  outcome: string;
  count: number;
  avgAdoptionBefore: number | null;
  avgAdoptionAfter: number | null;
  avgEffectivenessScore: number | null;
}

export interface InterventionTypeSummary {
  interventionType: string;
  total: number;
  successful: number;
  unsuccessful: number;
  pending: number;
  /** successful / (successful + unsuccessful), 0-1; null until one was measured. */
  successRate: number | null;
  avgAdoptionBefore: number | null;
  avgAdoptionAfter: number | null;
  /** Mean of (after - before) over measured interventions. */
  avgAdoptionChange: number | null;
  avgEffectivenessScore: number | null;
}

const round1 = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);

export async function interventionsReport(db: Db): Promise<{
  byTypeAndOutcome: InterventionOutcomeRow[];
  byType: InterventionTypeSummary[];
  totals: Omit<InterventionTypeSummary, 'interventionType'>;
}> {
  const grouped = await db.query<{
    intervention_type: string | null;
    outcome: string | null;
    count: number;
    before: number | null;
    after: number | null;
    change: number | null;
    effectiveness: number | null;
    successful: number;
    unsuccessful: number;
    pending: number;
  }>(
    `SELECT intervention_type, COALESCE(outcome, 'pending') AS outcome, COUNT(*) AS count,
            AVG(adoption_before) AS before, AVG(adoption_after) AS after,
            AVG(adoption_after - adoption_before) AS change, AVG(effectiveness_score) AS effectiveness,
            COUNT(*) FILTER (WHERE outcome = ANY($1::text[])) AS successful,
            COUNT(*) FILTER (WHERE outcome = ANY($2::text[])) AS unsuccessful,
            COUNT(*) FILTER (WHERE outcome IS NULL) AS pending
       FROM interventions
      GROUP BY GROUPING SETS ((intervention_type, COALESCE(outcome, 'pending')), (intervention_type), ())
      ORDER BY intervention_type NULLS LAST, outcome NULLS FIRST`,
    [SUCCESSFUL_OUTCOMES, UNSUCCESSFUL_OUTCOMES],
  );
  // GROUPING SETS: rows with both keys are per type and outcome; a type alone is the type's summary; neither, totals.
  // (A NULL intervention_type cannot occur: the column is NOT NULL.)
  const summary = (row: (typeof grouped.rows)[number]) => {
    const successful = Number(row.successful);
    const unsuccessful = Number(row.unsuccessful);
    return {
      total: Number(row.count),
      successful,
      unsuccessful,
      pending: Number(row.pending),
      successRate: ratio(successful, successful + unsuccessful),
      avgAdoptionBefore: round1(row.before),
      avgAdoptionAfter: round1(row.after),
      avgAdoptionChange: round1(row.change),
      avgEffectivenessScore: round1(row.effectiveness),
    };
  };
  const byTypeAndOutcome: InterventionOutcomeRow[] = [];
  const byType: InterventionTypeSummary[] = [];
  let totals = summary({
    intervention_type: null,
    outcome: null,
    count: 0,
    before: null,
    after: null,
    change: null,
    effectiveness: null,
    successful: 0,
    unsuccessful: 0,
    pending: 0,
  });
  for (const row of grouped.rows) {
    if (row.intervention_type !== null && row.outcome !== null) {
      byTypeAndOutcome.push({
        interventionType: row.intervention_type,
        outcome: row.outcome,
        count: Number(row.count),
        avgAdoptionBefore: round1(row.before),
        avgAdoptionAfter: round1(row.after),
        avgEffectivenessScore: round1(row.effectiveness),
      });
    } else if (row.intervention_type !== null) {
      byType.push({ interventionType: row.intervention_type, ...summary(row) });
    } else {
      totals = summary(row);
    }
  }
  return { byTypeAndOutcome, byType, totals };
}
