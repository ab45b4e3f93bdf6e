import type { Db } from '../db/database';

/**
 * Adoption scoring (FR-1.4, FR-1.5, FR-1.6) and the stall rules (FR-1.3, PRD 4.3), as one set-based SELECT over the
 * usage rollups. The same query feeds detection (which stores it per as-of day) and `measureAdoption` (which only
 * reads it). The formula, thresholds and a worked example are documented in docs/scoring.md; the constants below
 * are the single source for both the SQL and the docs.
 *
 * All time logic is in UTC days. "As of D" means as of the end of UTC day D: events after it are ignored.
 */

/** Days in the usage window: the score measures the last 14 days, D-13 .. D inclusive. */
export const WINDOW_DAYS = 14;
/** Frequency counts for this share of the score; breadth scales the rest (see `usageScoreOf`). */
export const BREADTH_FLOOR = 0.5;
/** FR-1.3: activated for at least 14 days and a usage score under 20 (the score is itself a 14-day measure). */
export const LOW_USAGE_THRESHOLD = 20;
export const LOW_USAGE_MIN_DAYS = 14;
/** PRD 4.3: past the expected adoption days, not adopted, usage score under 30. */
export const STALL_SCORE_THRESHOLD = 30;
/** PRD 4.3 stage thresholds. */
export const STAGE_ENGAGED_FROM = 20;
export const STAGE_ADOPTED_FROM = 60;
/** A feature with score 0 is `not_started` once it has been activated for more than 7 days (PRD 4.3). */
export const NOT_STARTED_AFTER_DAYS = 7;
/** FR-1.6: peers are only trusted from this many customers in the same segment (and age, for the median score). */
export const MIN_PEERS = 5;
/** Age buckets for "peers at the same age": weeks since activation, the last bucket holding 91+ days. */
export const AGE_BUCKET_DAYS = 7;
export const LAST_AGE_BUCKET = 13;
/** Peers are taken from evaluations of the 180 days before the as-of day. */
export const BENCHMARK_LOOKBACK_DAYS = 180;
/**
 * FR-1.7: the account (all features) had at least this many user-days per 14 days in the four weeks before the
 * window and fell under DIP_RATIO of that in the window, and so did the rest of the account (its other features),
 * unless it has no other features in use: the dip is account-wide, not a feature stall.
 */
export const DIP_BASELINE_DAYS = 28;
export const DIP_MIN_BASELINE_PER_WINDOW = 4;
export const DIP_RATIO = 0.5;
import { COOLDOWN_DAYS } from './rules';

export type AdoptionStage = 'not_started' | 'started' | 'engaged' | 'adopted';
export type StallRule = 'low_usage_14d' | 'past_expected_timeline' | 'low_usage_14d+past_expected_timeline';
export type SuppressReason = 'not_needed' | 'segment_benchmark' | 'account_wide_dip' | 'recent_signal' | 'recent_intervention';

/**
 * The usage score in plain TypeScript, for documentation and unit tests; the SQL below computes exactly this.
 *   frequency = activeDays / 14                      (days with at least one `used` event, of the last 14)
 *   breadth   = min(1, activeUsers / base)           (base = seats when known, else the account's active users)
 *   score     = round(100 * frequency * (0.5 + 0.5 * breadth))
 */
export function usageScoreOf(activeDays: number, activeUsers: number, base: number): number {
  const frequency = Math.min(activeDays, WINDOW_DAYS) / WINDOW_DAYS;
  const breadth = Math.min(1, activeUsers / Math.max(1, base));
  return Math.round(100 * frequency * (BREADTH_FLOOR + (1 - BREADTH_FLOOR) * breadth));
}

/** PRD 4.3 stages from the score and the days since activation. */
export function stageOf(usageScore: number, daysSinceActivation: number): AdoptionStage {
  if (usageScore === 0 && daysSinceActivation > NOT_STARTED_AFTER_DAYS) return 'not_started';
  if (usageScore < STAGE_ENGAGED_FROM) return 'started';
  if (usageScore < STAGE_ADOPTED_FROM) return 'engaged';
  return 'adopted';
}

export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The UTC day of an instant, 'YYYY-MM-DD'. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The last instant of UTC day `day` (the moment "as of D" refers to), ISO-8601. */
export function endOfUtcDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000 - 1).toISOString();
}

export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

/**
 * Which customers (and features) an evaluation covers, as SQL predicates over a column. Built from code only: the
 * values they compare with are bound parameters.
 */
export interface EvaluationScope {
  customer(column: string): string;
  features(column: string): string;
}

/** `scoreFeatures`' scope: $2 customer ids (uuid[]), $3 feature ids (text[]; NULL = every feature). */
const CUSTOMER_LIST_SCOPE: EvaluationScope = {
  customer: (column) => `${column} = ANY($2::uuid[])`,
  features: (column) => `($3::text[] IS NULL OR ${column} = ANY($3::text[]))`,
};

/**
 * One row per activated customer-feature of the given customers as of the end of day $1:
 *   $1 as-of day (date), then the scope's parameters (`EVALUATION_SQL`: $2 customer ids, $3 feature ids or NULL).
 * Not-yet-activated customer-features have no row: they are `not_started` with score 0 and are never flagged.
 * Reads only rollups, the catalog, the customer, the segment benchmarks of $1, earlier signals and interventions.
 * Numbers below come from the constants above (code, never input values).
 */
export function evaluationSql(scope: EvaluationScope): string {
  return `
WITH params AS NOT MATERIALIZED (
  -- Inlined wherever it is used, so the planner sees the day as a constant (estimates, index ranges).
  SELECT $1::date AS as_of, (($1::date + 1)::timestamp AT TIME ZONE 'UTC') AS end_at
),
batch AS (
  SELECT c.id AS customer_id, c.segment, c.seats FROM customers c WHERE ${scope.customer('c.id')}
),
history AS (
  SELECT d.customer_id, d.feature_id,
         LEAST(MIN(d.first_activated_at), MIN(d.first_used_at)) AS activated_at,
         MAX(d.last_used_at) AS last_used_at,
         COALESCE(SUM(d.used_events), 0) AS usage_count,
         COUNT(*) FILTER (WHERE d.used_events > 0 AND d.day > p.as_of - ${WINDOW_DAYS}) AS active_days_14,
         COALESCE(SUM(d.active_users) FILTER (WHERE d.day > p.as_of - ${WINDOW_DAYS}), 0) AS own_recent,
         COALESCE(SUM(d.active_users) FILTER (
           WHERE d.day <= p.as_of - ${WINDOW_DAYS} AND d.day > p.as_of - ${WINDOW_DAYS + DIP_BASELINE_DAYS}), 0) AS own_baseline
    FROM usage_daily d CROSS JOIN params p
   WHERE ${scope.customer('d.customer_id')} AND d.day <= p.as_of
   GROUP BY d.customer_id, d.feature_id
),
window_users AS (
  -- Each user of each customer-feature in the window once: one read of the window feeds both counts below.
  SELECT DISTINCT u.customer_id, u.feature_id, u.user_id
    FROM usage_daily_users u CROSS JOIN params p
   WHERE ${scope.customer('u.customer_id')} AND u.day > p.as_of - ${WINDOW_DAYS} AND u.day <= p.as_of
),
feature_users AS (
  SELECT w.customer_id, w.feature_id, COUNT(*) AS users FROM window_users w GROUP BY w.customer_id, w.feature_id
),
account_users AS (
  SELECT w.customer_id, COUNT(DISTINCT w.user_id) AS users FROM window_users w GROUP BY w.customer_id
),
account_activity AS (
  -- The account's totals beside each of its features (a window, not a join back: the planner cannot estimate how many
  -- customers a grouped CTE has, and its guess of 200 turned every later join into a per-row index probe).
  SELECT h.*, SUM(h.own_recent) OVER account AS account_recent, SUM(h.own_baseline) OVER account AS account_baseline
    FROM history h
  WINDOW account AS (PARTITION BY h.customer_id)
),
measured AS (
  SELECT h.customer_id, h.feature_id, b.segment, h.activated_at, h.last_used_at, h.usage_count,
         (p.as_of - (h.activated_at AT TIME ZONE 'UTC')::date) AS days_since_activation,
         h.active_days_14::int AS active_days_14,
         COALESCE(fu.users, 0)::int AS active_users_14,
         (CASE WHEN b.seats > 0 THEN b.seats ELSE GREATEST(1, COALESCE(au.users, 0)) END)::int AS breadth_base,
         CASE WHEN b.seats > 0 THEN 'seats' ELSE 'account_users' END AS breadth_base_kind,
         h.account_recent::int AS account_recent,
         h.account_baseline::int AS account_baseline,
         (h.account_recent - h.own_recent)::int AS others_recent,
         (h.account_baseline - h.own_baseline)::int AS others_baseline,
         COALESCE(cat.importance_score, 50) AS importance_score,
         COALESCE(cat.expected_adoption_days, 30) AS catalog_expected_days,
         COALESCE(fa.not_needed, FALSE) AS not_needed,
         fa.intervention_sent_at
    FROM account_activity h
    JOIN batch b ON b.customer_id = h.customer_id
    CROSS JOIN params p
    LEFT JOIN feature_users fu ON fu.customer_id = h.customer_id AND fu.feature_id = h.feature_id
    LEFT JOIN account_users au ON au.customer_id = h.customer_id
    LEFT JOIN feature_catalog cat ON cat.feature_id = h.feature_id
    LEFT JOIN feature_adoption fa ON fa.customer_id = h.customer_id AND fa.feature_id = h.feature_id
   WHERE h.activated_at IS NOT NULL AND ${scope.features('h.feature_id')}
),
scored AS (
  SELECT m.*,
         ROUND(100.0 * m.active_days_14 / ${WINDOW_DAYS}
               * (${BREADTH_FLOOR} + ${1 - BREADTH_FLOOR} * LEAST(1.0, m.active_users_14::numeric / m.breadth_base)))::int AS usage_score
    FROM measured m
),
staged AS (
  SELECT s.*,
         CASE WHEN s.usage_score = 0 AND s.days_since_activation > ${NOT_STARTED_AFTER_DAYS} THEN 'not_started'
              WHEN s.usage_score < ${STAGE_ENGAGED_FROM} THEN 'started'
              WHEN s.usage_score < ${STAGE_ADOPTED_FROM} THEN 'engaged'
              ELSE 'adopted' END AS stage
    FROM scored s
),
benchmarked AS (
  SELECT st.*,
         COALESCE(sb.peer_count, 0) AS peer_count,
         sb.median_score AS peer_median_score,
         LEAST(${LAST_AGE_BUCKET}, st.days_since_activation / ${AGE_BUCKET_DAYS}) AS age_bucket,
         se.adopted_peers,
         CASE WHEN se.adopted_peers >= ${MIN_PEERS} THEN se.median_days ELSE st.catalog_expected_days END AS expected_adoption_days,
         CASE WHEN se.adopted_peers >= ${MIN_PEERS} THEN 'segment' ELSE 'catalog' END AS expected_days_source,
         CASE WHEN sb.peer_count >= ${MIN_PEERS} THEN LEAST(${LOW_USAGE_THRESHOLD}, sb.median_score)
              ELSE ${LOW_USAGE_THRESHOLD} END::numeric AS low_usage_threshold,
         CASE WHEN sb.peer_count >= ${MIN_PEERS} THEN LEAST(${STALL_SCORE_THRESHOLD}, sb.median_score)
              ELSE ${STALL_SCORE_THRESHOLD} END::numeric AS stall_score_threshold
    FROM staged st
    CROSS JOIN params p
    LEFT JOIN segment_benchmarks sb
           ON sb.as_of = p.as_of AND sb.segment = st.segment AND sb.feature_id = st.feature_id
          AND sb.age_bucket = LEAST(${LAST_AGE_BUCKET}, st.days_since_activation / ${AGE_BUCKET_DAYS})
    LEFT JOIN segment_expected_days se
           ON se.as_of = p.as_of AND se.segment = st.segment AND se.feature_id = st.feature_id
),
ruled AS (
  SELECT bm.*,
         (bm.days_since_activation >= ${LOW_USAGE_MIN_DAYS} AND bm.usage_score < ${LOW_USAGE_THRESHOLD}) AS prd_low_usage,
         (bm.stage <> 'adopted' AND bm.days_since_activation > bm.catalog_expected_days
            AND bm.usage_score < ${STALL_SCORE_THRESHOLD}) AS prd_past_expected,
         (bm.days_since_activation >= ${LOW_USAGE_MIN_DAYS} AND bm.usage_score < bm.low_usage_threshold) AS low_usage,
         (bm.stage <> 'adopted' AND bm.days_since_activation > bm.expected_adoption_days
            AND bm.usage_score < bm.stall_score_threshold) AS past_expected,
         -- FR-1.7: the account as a whole dipped, and so did the rest of it (or there is no rest to compare with).
         (bm.account_baseline * ${WINDOW_DAYS} >= ${DIP_MIN_BASELINE_PER_WINDOW * DIP_BASELINE_DAYS}
            AND bm.account_recent * ${DIP_BASELINE_DAYS} < ${DIP_RATIO * WINDOW_DAYS} * bm.account_baseline
            AND ((bm.others_baseline = 0 AND bm.others_recent = 0)
                 OR bm.others_recent * ${DIP_BASELINE_DAYS} < ${DIP_RATIO * WINDOW_DAYS} * bm.others_baseline)) AS account_dip
    FROM benchmarked bm
),
signal_history AS (
  SELECT f.customer_id, f.feature_id,
         (ARRAY_AGG(rs.id ORDER BY rs.created_at, rs.id) FILTER (WHERE rs.as_of = p.as_of))[1] AS todays_signal_id,
         MAX(COALESCE(rs.as_of, (rs.created_at AT TIME ZONE 'UTC')::date)) FILTER (
           WHERE rs.as_of IS DISTINCT FROM p.as_of
             AND ABS(COALESCE(rs.as_of, (rs.created_at AT TIME ZONE 'UTC')::date) - p.as_of) < ${COOLDOWN_DAYS}) AS recent_signal_on
    FROM risk_signal_features f
    JOIN risk_signals rs ON rs.id = f.signal_id
    CROSS JOIN params p
   WHERE ${scope.customer('f.customer_id')} AND rs.signal_type = 'adoption_stalled'
   GROUP BY f.customer_id, f.feature_id
),
intervention_history AS (
  SELECT x.customer_id, x.feature_id, MAX(x.at) AS last_intervention_at
    FROM (SELECT i.customer_id, i.feature_id, i.occurred_at AS at FROM interventions i WHERE ${scope.customer('i.customer_id')}
          UNION ALL
          SELECT r.customer_id, r.feature_id, r.intervention_sent_at FROM ruled r WHERE r.intervention_sent_at IS NOT NULL) x
    CROSS JOIN params p
   WHERE x.at < p.end_at AND (x.at AT TIME ZONE 'UTC')::date > p.as_of - ${COOLDOWN_DAYS}
   GROUP BY x.customer_id, x.feature_id
),
decided AS (
  SELECT r.*, sh.todays_signal_id, sh.recent_signal_on, ih.last_intervention_at,
         CASE WHEN r.low_usage AND r.past_expected THEN 'low_usage_14d+past_expected_timeline'
              WHEN r.low_usage THEN 'low_usage_14d'
              WHEN r.past_expected THEN 'past_expected_timeline'
              WHEN r.prd_low_usage AND r.prd_past_expected THEN 'low_usage_14d+past_expected_timeline'
              WHEN r.prd_low_usage THEN 'low_usage_14d'
              WHEN r.prd_past_expected THEN 'past_expected_timeline' END AS rule,
         CASE WHEN sh.todays_signal_id IS NOT NULL THEN 'signal'
              WHEN NOT (r.low_usage OR r.past_expected OR r.prd_low_usage OR r.prd_past_expected) THEN 'none'
              WHEN r.not_needed THEN 'suppressed'
              WHEN NOT (r.low_usage OR r.past_expected) THEN 'suppressed'
              WHEN r.account_dip THEN 'suppressed'
              WHEN sh.recent_signal_on IS NOT NULL THEN 'suppressed'
              WHEN ih.last_intervention_at IS NOT NULL THEN 'suppressed'
              ELSE 'signal' END AS decision,
         CASE WHEN sh.todays_signal_id IS NOT NULL THEN NULL
              WHEN NOT (r.low_usage OR r.past_expected OR r.prd_low_usage OR r.prd_past_expected) THEN NULL
              WHEN r.not_needed THEN 'not_needed'
              WHEN NOT (r.low_usage OR r.past_expected) THEN 'segment_benchmark'
              WHEN r.account_dip THEN 'account_wide_dip'
              WHEN sh.recent_signal_on IS NOT NULL THEN 'recent_signal'
              WHEN ih.last_intervention_at IS NOT NULL THEN 'recent_intervention' END AS suppress_reason
    FROM ruled r
    LEFT JOIN signal_history sh ON sh.customer_id = r.customer_id AND sh.feature_id = r.feature_id
    LEFT JOIN intervention_history ih ON ih.customer_id = r.customer_id AND ih.feature_id = r.feature_id
)
SELECT d.customer_id, d.feature_id, d.segment, d.activated_at, d.days_since_activation, d.last_used_at,
       d.usage_count, d.active_days_14, d.active_users_14, d.breadth_base, d.breadth_base_kind, d.usage_score,
       d.stage, d.importance_score, d.expected_adoption_days, d.expected_days_source, d.peer_count,
       d.peer_median_score, d.low_usage_threshold, d.stall_score_threshold,
       d.others_recent AS others_recent_user_days, d.others_baseline AS others_baseline_user_days,
       d.rule,
       NULLIF(CONCAT_WS('; ',
         CASE WHEN d.rule LIKE 'low_usage_14d%' THEN FORMAT(
           'usage score %s is under %s over the last 14 days (used on %s of 14 days by %s of %s %s), activated %s days ago',
           d.usage_score,
           TRIM_SCALE(CASE WHEN d.low_usage THEN d.low_usage_threshold ELSE ${LOW_USAGE_THRESHOLD} END),
           d.active_days_14, d.active_users_14, d.breadth_base,
           CASE d.breadth_base_kind WHEN 'seats' THEN 'seats' ELSE 'active users of the account' END,
           d.days_since_activation) END,
         CASE WHEN d.rule LIKE '%past_expected_timeline' THEN FORMAT(
           'day %s since activation is past the expected %s days (%s) and the feature is %s with usage score %s, under %s',
           d.days_since_activation,
           CASE WHEN d.past_expected THEN d.expected_adoption_days ELSE d.catalog_expected_days END,
           CASE WHEN d.past_expected AND d.expected_days_source = 'segment'
                THEN FORMAT('median of %s %s peers', d.adopted_peers, d.segment) ELSE 'feature catalog' END,
           d.stage, d.usage_score,
           TRIM_SCALE(CASE WHEN d.past_expected THEN d.stall_score_threshold ELSE ${STALL_SCORE_THRESHOLD} END)) END), '') AS reason,
       d.decision,
       d.suppress_reason,
       CASE d.suppress_reason
         WHEN 'not_needed' THEN 'the customer marked this feature as not needed'
         WHEN 'segment_benchmark' THEN FORMAT(
           'usage score %s is in line with the median %s of %s %s peers at the same age (week %s since activation)',
           d.usage_score, TRIM_SCALE(d.peer_median_score), d.peer_count, d.segment, d.age_bucket)
         WHEN 'account_wide_dip' THEN FORMAT(
           'the whole account dipped: %s user-days in the last 14 days against %s per 14 days in the 4 weeks before (other features: %s against %s)',
           d.account_recent, TRIM_SCALE(ROUND(d.account_baseline::numeric / 2, 1)),
           d.others_recent, TRIM_SCALE(ROUND(d.others_baseline::numeric / 2, 1)))
         WHEN 'recent_signal' THEN FORMAT('already signalled on %s (cooldown %s days)', d.recent_signal_on, ${COOLDOWN_DAYS})
         WHEN 'recent_intervention' THEN FORMAT('intervention on %s (cooldown %s days)',
           TO_CHAR(d.last_intervention_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ${COOLDOWN_DAYS})
       END AS suppress_detail,
       d.todays_signal_id AS signal_id
  FROM decided d
`;
}

export const EVALUATION_SQL = evaluationSql(CUSTOMER_LIST_SCOPE);

export interface EvaluationRow {
  customer_id: string;
  feature_id: string;
  segment: string;
  activated_at: Date;
  days_since_activation: number;
  last_used_at: Date | null;
  usage_count: number;
  active_days_14: number;
  active_users_14: number;
  breadth_base: number;
  breadth_base_kind: 'seats' | 'account_users';
  usage_score: number;
  stage: AdoptionStage;
  importance_score: number;
  expected_adoption_days: number;
  expected_days_source: 'catalog' | 'segment';
  peer_count: number;
  peer_median_score: number | null;
  low_usage_threshold: number;
  stall_score_threshold: number;
  others_recent_user_days: number;
  others_baseline_user_days: number;
  rule: StallRule | null;
  reason: string | null;
  decision: 'none' | 'signal' | 'suppressed';
  suppress_reason: SuppressReason | null;
  suppress_detail: string | null;
  signal_id: string | null;
}

export interface ScoreQuery {
  /** 'YYYY-MM-DD': scores as of the end of this UTC day. */
  asOf: string;
  customerIds: readonly string[];
  /** Only these features; all the customers' activated features when absent. */
  featureIds?: readonly string[];
}

/**
 * Scores, stages and stall verdicts as of `asOf`, read-only (nothing is written). Features that were never activated
 * by then are absent: treat them as `not_started` with score 0.
 */
export async function scoreFeatures(db: Db, query: ScoreQuery): Promise<EvaluationRow[]> {
  if (!isIsoDay(query.asOf)) throw new Error(`asOf must be a day, YYYY-MM-DD; got ${JSON.stringify(query.asOf)}`);
  const result = await db.query<EvaluationRow>(`${EVALUATION_SQL} ORDER BY d.customer_id, d.feature_id`, [
    query.asOf,
    [...query.customerIds],
    query.featureIds ? [...query.featureIds] : null,
  ]);
  return result.rows.map(normaliseEvaluationRow);
}

export function normaliseEvaluationRow(row: EvaluationRow): EvaluationRow {
  return {
    ...row,
    usage_count: Number(row.usage_count),
    peer_median_score: row.peer_median_score === null ? null : Number(row.peer_median_score),
    low_usage_threshold: Number(row.low_usage_threshold),
    stall_score_threshold: Number(row.stall_score_threshold),
  };
}
