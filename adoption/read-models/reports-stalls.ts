import type { Db } from '../../db/database';
import type { ImpactFilter } from '../holdout';
import { IS_STALLED_SQL } from './customer-adoption';
import { CUSTOMER_FILTER, filterParams, ratio, round1 } from './reports-common';

/**
 * Which features stall: from detection's stall episodes (feature_stalls) and from feature_adoption.stall_detected_at
 * (stalls recorded by the platform or before detection ran), per customer-feature.
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

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Per feature, over all time: how many customers stalled, how soon, and how many recovered after an intervention. */
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

export interface StallsBySegmentRow {
  featureId: string;
  featureName: string;
  segment: string;
  /** Stall episodes opened in the window (one per customer-feature and episode). */
  stalls: number;
  /** Median whole days from activation to the stall. */
  medianDaysToStall: number | null;
  /** Of those stalls, how many have recovered (closed as recovered, any time up to now). */
  recovered: number;
  recoveryRate: number | null;
}

/** Which features stall most, by segment, over the window (detection's stall episodes). */
export async function stallsBySegment(db: Db, filter: ImpactFilter): Promise<{ rows: StallsBySegmentRow[] }> {
  const { rows } = await db.query<{
    feature_id: string;
    feature_name: string;
    segment: string;
    stalls: string;
    median_days: string | null;
    recovered: string;
  }>(
    `SELECT s.feature_id, COALESCE(MAX(cat.feature_name), s.feature_id) AS feature_name, c.segment,
            COUNT(*) AS stalls,
            PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY s.detected_on - (fa.activated_at AT TIME ZONE 'UTC')::date) AS median_days,
            COUNT(*) FILTER (WHERE s.closed_reason = 'recovered') AS recovered
       FROM feature_stalls s
       JOIN customers c ON c.id = s.customer_id
       LEFT JOIN feature_adoption fa ON fa.customer_id = s.customer_id AND fa.feature_id = s.feature_id
       LEFT JOIN feature_catalog cat ON cat.feature_id = s.feature_id
      WHERE s.detected_on BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}
      GROUP BY s.feature_id, c.segment
      ORDER BY COUNT(*) DESC, s.feature_id, c.segment`,
    filterParams(filter),
  );
  return {
    rows: rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      segment: row.segment,
      stalls: Number(row.stalls),
      medianDaysToStall: row.median_days === null ? null : round1(row.median_days),
      recovered: Number(row.recovered),
      recoveryRate: ratio(Number(row.recovered), Number(row.stalls)),
    })),
  };
}
