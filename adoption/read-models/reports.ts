import type { Db } from '../../db/database';
import { IS_STALLED_SQL } from './customer-adoption';
import { SUCCESSFUL_OUTCOMES as SUCCESSFUL, UNSUCCESSFUL_OUTCOMES as UNSUCCESSFUL } from '../outcome';
import type { ImpactFilter } from '../holdout';

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

/**
 * Outcomes of the follow-up measurement (measure_adoption, the intervention follow-ups); an unmeasured intervention is
 * `pending`. A reported recovery the data did not show (`not_confirmed`) is unsuccessful. An email still queued in the
 * outbox was not delivered, so it is no intervention yet and is left out.
 */
export const SUCCESSFUL_OUTCOMES: string[] = [...SUCCESSFUL];
export const UNSUCCESSFUL_OUTCOMES: string[] = [...UNSUCCESSFUL];

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
      WHERE delivery IS DISTINCT FROM 'queued'
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

// ---------------------------------------------------------------------------------------------------------------------
// Reports over a window (US-4, US-5, FR-4.4): the reports page and `/api/reports/*?from&to&segment&csm`.

const CUSTOMER_FILTER = `($3::text IS NULL OR c.segment = $3) AND ($4::text IS NULL OR c.csm_email = $4 OR c.csm_name = $4)`;
const filterParams = (filter: ImpactFilter) => [filter.from, filter.to, filter.segment ?? null, filter.csm ?? null];

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

export interface OutcomeGroup {
  key: string;
  total: number;
  successful: number;
  unsuccessful: number;
  pending: number;
  /** Emails still in the outbox: not delivered, not counted in `total`. */
  queued: number;
  successRate: number | null;
  avgEffectivenessScore: number | null;
  outcomes: Record<string, number>;
}

/** Intervention outcomes in the window by type and by who performed them (else the customer's CSM). */
export async function interventionOutcomes(db: Db, filter: ImpactFilter): Promise<{ byType: OutcomeGroup[]; byPerformer: OutcomeGroup[] }> {
  const { rows } = await db.query<{
    intervention_type: string;
    performer: string;
    outcome: string | null;
    delivery: string | null;
    effectiveness_score: number | null;
  }>(
    `SELECT i.intervention_type, COALESCE(i.performed_by, c.csm_name, c.csm_email, 'unassigned') AS performer, i.outcome, i.delivery,
            i.effectiveness_score
       FROM interventions i JOIN customers c ON c.id = i.customer_id
      WHERE (i.occurred_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}`,
    filterParams(filter),
  );
  const group = (keyOf: (row: (typeof rows)[number]) => string): OutcomeGroup[] => {
    const groups = new Map<string, OutcomeGroup & { effectiveness: number[] }>();
    for (const row of rows) {
      const key = keyOf(row);
      const entry = groups.get(key) ?? {
        key,
        total: 0,
        successful: 0,
        unsuccessful: 0,
        pending: 0,
        queued: 0,
        successRate: null,
        avgEffectivenessScore: null,
        outcomes: {},
        effectiveness: [],
      };
      groups.set(key, entry);
      if (row.delivery === 'queued') {
        entry.queued += 1;
        continue;
      }
      entry.total += 1;
      const outcome = row.outcome ?? 'pending';
      entry.outcomes[outcome] = (entry.outcomes[outcome] ?? 0) + 1;
      if (SUCCESSFUL_OUTCOMES.includes(outcome)) entry.successful += 1;
      else if (UNSUCCESSFUL_OUTCOMES.includes(outcome)) entry.unsuccessful += 1;
      else entry.pending += 1;
      if (row.outcome !== null && row.effectiveness_score !== null) entry.effectiveness.push(row.effectiveness_score);
    }
    return [...groups.values()]
      .map(({ effectiveness, ...entry }) => ({
        ...entry,
        successRate: ratio(entry.successful, entry.successful + entry.unsuccessful),
        avgEffectivenessScore: effectiveness.length ? round1(effectiveness.reduce((a, b) => a + b, 0) / effectiveness.length) : null,
      }))
      .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  };
  return { byType: group((row) => row.intervention_type), byPerformer: group((row) => row.performer) };
}

export interface ResourceRecoveryRow {
  url: string;
  /** Measured interventions in the window that shared it. */
  shared: number;
  /** Of those, how many were followed by a recovery. */
  recovered: number;
  recoveryRate: number | null;
}

/** Which resources preceded recovery: the links shared by measured interventions, and how often recovery followed. */
export async function resourcesBeforeRecovery(db: Db, filter: ImpactFilter): Promise<{ resources: ResourceRecoveryRow[] }> {
  const { rows } = await db.query<{ url: string; shared: string; recovered: string }>(
    `SELECT r.url, COUNT(*) AS shared, COUNT(*) FILTER (WHERE i.outcome = 'recovered') AS recovered
       FROM interventions i
       JOIN customers c ON c.id = i.customer_id
       CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(i.resources_shared) = 'array' THEN i.resources_shared ELSE '[]'::jsonb END) AS r(url)
      WHERE i.outcome IS NOT NULL AND i.delivery IS DISTINCT FROM 'queued'
        AND (i.occurred_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}
      GROUP BY r.url
      ORDER BY COUNT(*) FILTER (WHERE i.outcome = 'recovered') DESC, COUNT(*) DESC, r.url`,
    filterParams(filter),
  );
  return {
    resources: rows.map((row) => ({
      url: row.url,
      shared: Number(row.shared),
      recovered: Number(row.recovered),
      recoveryRate: ratio(Number(row.recovered), Number(row.shared)),
    })),
  };
}

export interface HoldoutRow {
  customerId: string;
  customerName: string;
  csm: string | null;
  featureId: string;
  featureName: string;
  stalledOn: string;
}

/** The customer-features held out of automatic outreach in the window, so their CSMs see them marked as holdout. */
export async function holdoutList(db: Db, filter: ImpactFilter): Promise<{ heldOut: HoldoutRow[] }> {
  const { rows } = await db.query<{
    customer_id: string;
    name: string;
    csm: string | null;
    feature_id: string;
    feature_name: string | null;
    stalled_on: string;
  }>(
    `SELECT h.customer_id, c.name, COALESCE(c.csm_name, c.csm_email) AS csm, h.feature_id, cat.feature_name, h.stalled_on::text AS stalled_on
       FROM holdout_assignments h JOIN customers c ON c.id = h.customer_id LEFT JOIN feature_catalog cat ON cat.feature_id = h.feature_id
      WHERE h.arm = 'holdout' AND h.stalled_on BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}
      ORDER BY h.stalled_on DESC, c.name, h.feature_id`,
    filterParams(filter),
  );
  return {
    heldOut: rows.map((row) => ({
      customerId: row.customer_id,
      customerName: row.name,
      csm: row.csm,
      featureId: row.feature_id,
      featureName: row.feature_name ?? row.feature_id,
      stalledOn: row.stalled_on,
    })),
  };
}
