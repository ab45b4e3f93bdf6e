import { phraseSql, type DetectionPhrase } from './detection-phrases';
import { AGE_BUCKET_DAYS, LAST_AGE_BUCKET, WINDOW_DAYS, scoreStageSql, usageScoreSql } from './scoring-rules';

/**
 * Which customers (and features) an evaluation covers, as SQL predicates over a column. Built from code only: the
 * values they compare with are bound parameters.
 */
export interface EvaluationScope {
  customer(column: string): string;
  features(column: string): string;
  /**
   * Whether a customer-feature without stage history is `churned` when its snapshots (the import's backfill) were
   * engaged or adopted before the day. A few customers read them here; detection's whole-tenant batch reads them for
   * its first-seen rows alone, in a step of its own (adoption/detection-sql.ts 1b).
   */
  snapshotsTellChurned?: boolean;
}

/** `scoreFeatures`' scope: $2 customer ids (uuid[]), $3 feature ids (text[]; NULL = every feature). */
export const CUSTOMER_LIST_SCOPE: EvaluationScope = {
  customer: (column) => `${column} = ANY($2::uuid[])`,
  features: (column) => `($3::text[] IS NULL OR ${column} = ANY($3::text[]))`,
  snapshotsTellChurned: true,
};

/** Customer-features without stage history up to the day whose snapshots were engaged or adopted before it. */
function engagedInSnapshotsSql(scope: EvaluationScope): string {
  return `UNION
  SELECT s.customer_id, s.feature_id
    FROM adoption_snapshots s CROSS JOIN params p
   WHERE ${scope.customer('s.customer_id')} AND ${scope.features('s.feature_id')}
     AND s.as_of < p.as_of AND s.stage IN ('engaged', 'adopted')
     AND NOT EXISTS (SELECT 1 FROM feature_stage_history h
                      WHERE h.customer_id = s.customer_id AND h.feature_id = s.feature_id AND h.entered_on <= p.as_of)`;
}

/**
 * One row per activated customer-feature of the given customers as of the end of day $1:
 *   $1 as-of day (date), then the scope's parameters (`scoreFeatures`: $2 customer ids, $3 feature ids or NULL), then
 *   `rules`: the configured rules as jsonb (adoption/config/rules.ts `rulesParameter`), $4 unless said otherwise,
 *   `phrases`: the words of the reasons as jsonb (adoption/detection-phrases.ts `phrasesParameter`), $5 unless said otherwise.
 * Not-yet-activated customer-features have no row: they are `not_started` with score 0 and are never flagged.
 * Reads only rollups, the catalog, the customer, the segment benchmarks of $1, the stage history, earlier signals and
 * interventions. The numbers of the rules and the words of the reasons come from parameters; the text holds only code
 * constants.
 *
 * Rhythm: only customer-features that some 14-day rule would flag, and whose active days leave room for a
 * cadence, have their usage days read again: the quiet gaps between uses (active days more than `burst_gap_days`
 * apart), their median and the percentiles bounding their central `regular_share`, in one window and one aggregate.
 */
export function evaluationSql(scope: EvaluationScope, rules = '$4::jsonb', phrases = '$5::jsonb'): string {
  const say = (name: DetectionPhrase) => phraseSql(phrases, name);
  return `
WITH params AS NOT MATERIALIZED (
  -- Inlined wherever it is used, so the planner sees the day and the rules' numbers as constants (estimates, ranges).
  SELECT $1::date AS as_of, (($1::date + 1)::timestamp AT TIME ZONE 'UTC') AS end_at,
         (${rules} ->> 'engaged_from')::int AS engaged_from,
         (${rules} ->> 'adopted_from')::int AS adopted_from,
         (${rules} ->> 'not_started_after_days')::int AS not_started_after_days,
         (${rules} ->> 'min_peers')::int AS min_peers,
         (${rules} ->> 'dip_baseline_days')::int AS dip_baseline_days,
         (${rules} ->> 'dip_min_baseline_per_14')::int AS dip_min_baseline_per_14,
         (${rules} ->> 'dip_ratio')::numeric AS dip_ratio,
         (${rules} ->> 'rhythm_enabled')::boolean AS rhythm_enabled,
         (${rules} ->> 'rhythm_lookback_days')::int AS rhythm_lookback_days,
         (${rules} ->> 'rhythm_burst_gap_days')::int AS rhythm_burst_gap_days,
         (${rules} ->> 'rhythm_min_occasions')::int AS rhythm_min_occasions,
         (${rules} ->> 'rhythm_min_cadence_days')::int AS rhythm_min_cadence_days,
         (${rules} ->> 'rhythm_max_cadence_days')::int AS rhythm_max_cadence_days,
         (${rules} ->> 'rhythm_tolerance')::numeric AS rhythm_tolerance,
         (${rules} ->> 'rhythm_regular_share')::numeric AS rhythm_regular_share,
         (${rules} ->> 'signal_cooldown_days')::int AS signal_cooldown_days,
         (${rules} ->> 'intervention_cooldown_days')::int AS intervention_cooldown_days
),
segment_rules AS MATERIALIZED (
  -- One row per configured segment plus the global row (segment NULL), every value resolved.
  SELECT r.* FROM JSONB_TO_RECORDSET(${rules} -> 'segments')
           AS r(segment text, low_usage_below int, low_usage_min_days int, past_expected_below int, min_importance int)
),
batch AS (
  SELECT c.id AS customer_id, c.segment, c.seats,
         COALESCE(so.low_usage_below, sg.low_usage_below) AS cfg_low_usage_below,
         COALESCE(so.low_usage_min_days, sg.low_usage_min_days) AS cfg_low_usage_min_days,
         COALESCE(so.past_expected_below, sg.past_expected_below) AS cfg_past_expected_below,
         COALESCE(so.min_importance, sg.min_importance) AS cfg_min_importance
    FROM customers c
    JOIN segment_rules sg ON sg.segment IS NULL
    LEFT JOIN segment_rules so ON so.segment = c.segment
   WHERE ${scope.customer('c.id')}
),
history AS (
  SELECT d.customer_id, d.feature_id,
         LEAST(MIN(d.first_activated_at), MIN(d.first_used_at)) AS activated_at,
         MAX(d.last_used_at) AS last_used_at,
         COALESCE(SUM(d.used_events), 0) AS usage_count,
         COUNT(*) FILTER (WHERE d.used_events > 0 AND d.day > p.as_of - ${WINDOW_DAYS}) AS active_days_14,
         COALESCE(SUM(d.active_users) FILTER (WHERE d.day > p.as_of - ${WINDOW_DAYS}), 0) AS own_recent,
         COALESCE(SUM(d.active_users) FILTER (
           WHERE d.day <= p.as_of - ${WINDOW_DAYS} AND d.day > p.as_of - ${WINDOW_DAYS} - p.dip_baseline_days), 0) AS own_baseline,
         -- Enough to rule out a cadence without reading the days again (cadence_candidates).
         COUNT(*) FILTER (WHERE d.used_events > 0 AND d.day > p.as_of - p.rhythm_lookback_days) AS lookback_active_days,
         MIN(d.day) FILTER (WHERE d.used_events > 0 AND d.day > p.as_of - p.rhythm_lookback_days) AS lookback_first_active,
         MAX(d.day) FILTER (WHERE d.used_events > 0) AS lookback_last_active
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
  SELECT h.*, SUM(h.own_recent) OVER account AS account_recent, SUM(h.own_baseline) OVER account AS account_baseline,
         COUNT(*) OVER account AS account_features
    FROM history h
  WINDOW account AS (PARTITION BY h.customer_id)
),
reached_engaged AS (
  -- For \`churned\`: the customer-features that were engaged or adopted on a day before the as-of day (the stage
  -- history; without one, the snapshots when the scope says so).
  SELECT DISTINCT sh.customer_id, sh.feature_id
    FROM feature_stage_history sh CROSS JOIN params p
   WHERE ${scope.customer('sh.customer_id')} AND sh.entered_on < p.as_of AND sh.stage IN ('engaged', 'adopted')
  ${scope.snapshotsTellChurned ? engagedInSnapshotsSql(scope) : ''}
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
         h.account_features::int AS account_features,
         (h.account_recent - h.own_recent)::int AS others_recent,
         (h.account_baseline - h.own_baseline)::int AS others_baseline,
         COALESCE(cat.importance_score, 50) AS importance_score,
         COALESCE(cat.expected_adoption_days, 30) AS catalog_expected_days,
         COALESCE(fa.not_needed, FALSE) AS not_needed,
         fa.intervention_sent_at,
         b.cfg_low_usage_below, b.cfg_low_usage_min_days, b.cfg_past_expected_below, b.cfg_min_importance,
         h.lookback_active_days, h.lookback_first_active, h.lookback_last_active,
         (re.customer_id IS NOT NULL) AS reached_engaged
    FROM account_activity h
    JOIN batch b ON b.customer_id = h.customer_id
    CROSS JOIN params p
    LEFT JOIN feature_users fu ON fu.customer_id = h.customer_id AND fu.feature_id = h.feature_id
    LEFT JOIN account_users au ON au.customer_id = h.customer_id
    LEFT JOIN feature_catalog cat ON cat.feature_id = h.feature_id
    LEFT JOIN feature_adoption fa ON fa.customer_id = h.customer_id AND fa.feature_id = h.feature_id
    LEFT JOIN reached_engaged re ON re.customer_id = h.customer_id AND re.feature_id = h.feature_id
   WHERE h.activated_at IS NOT NULL AND ${scope.features('h.feature_id')}
),
scored AS (
  SELECT m.*, ${usageScoreSql('m.active_days_14', 'm.active_users_14', 'm.breadth_base')} AS usage_score
    FROM measured m
),
staged AS (
  -- The stage by score alone (PRD 4.3); \`churned\` is decided below, once the feature's rhythm is known.
  SELECT s.*, ${scoreStageSql('s.usage_score', 's.days_since_activation', 'p')} AS score_stage
    FROM scored s CROSS JOIN params p
),
benchmarked AS (
  SELECT st.*,
         COALESCE(sb.peer_count, 0) AS peer_count,
         sb.median_score AS peer_median_score,
         LEAST(${LAST_AGE_BUCKET}, st.days_since_activation / ${AGE_BUCKET_DAYS}) AS age_bucket,
         se.adopted_peers,
         CASE WHEN se.adopted_peers >= p.min_peers THEN se.median_days ELSE st.catalog_expected_days END AS expected_adoption_days,
         CASE WHEN se.adopted_peers >= p.min_peers THEN 'segment' ELSE 'catalog' END AS expected_days_source,
         CASE WHEN sb.peer_count >= p.min_peers THEN LEAST(st.cfg_low_usage_below, sb.median_score)
              ELSE st.cfg_low_usage_below END::numeric AS low_usage_threshold,
         CASE WHEN sb.peer_count >= p.min_peers THEN LEAST(st.cfg_past_expected_below, sb.median_score)
              ELSE st.cfg_past_expected_below END::numeric AS stall_score_threshold
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
         (bm.days_since_activation >= bm.cfg_low_usage_min_days AND bm.usage_score < bm.cfg_low_usage_below) AS prd_low_usage,
         (bm.score_stage <> 'adopted' AND bm.days_since_activation > bm.catalog_expected_days
            AND bm.usage_score < bm.cfg_past_expected_below) AS prd_past_expected,
         (bm.days_since_activation >= bm.cfg_low_usage_min_days AND bm.usage_score < bm.low_usage_threshold) AS low_usage,
         (bm.score_stage <> 'adopted' AND bm.days_since_activation > bm.expected_adoption_days
            AND bm.usage_score < bm.stall_score_threshold) AS past_expected,
         -- The account as a whole was active and dipped ...
         (bm.account_baseline * ${WINDOW_DAYS} >= p.dip_min_baseline_per_14 * p.dip_baseline_days
            AND bm.account_recent * p.dip_baseline_days < p.dip_ratio * ${WINDOW_DAYS} * bm.account_baseline) AS account_dipped,
         -- ... and so did the rest of it (its other tracked features, used or not). An account with one tracked
         -- feature has no rest to tell a holiday from a stall by: that is judged as a feature stall (docs/scoring.md).
         (bm.account_features > 1
            AND ((bm.others_baseline = 0 AND bm.others_recent = 0)
                 OR bm.others_recent * p.dip_baseline_days < p.dip_ratio * ${WINDOW_DAYS} * bm.others_baseline)) AS others_dipped
    FROM benchmarked bm CROSS JOIN params p
),
cadence_candidates AS (
  -- Only features a 14-day rule would flag, and of those only the ones whose active days leave room for a cadence:
  -- half the gaps at least min_cadence_days long means at least that many quiet days between the first and last use.
  SELECT r.customer_id, r.feature_id
    FROM ruled r CROSS JOIN params p
   WHERE p.rhythm_enabled AND (r.low_usage OR r.past_expected OR r.prd_low_usage OR r.prd_past_expected)
     AND r.lookback_active_days >= p.rhythm_min_occasions
     AND (r.lookback_last_active - r.lookback_first_active + 1 - r.lookback_active_days)
         >= ((p.rhythm_min_occasions) / 2) * (p.rhythm_min_cadence_days - 1)
),
use_gaps AS (
  -- The quiet gap before each active day; a gap over burst_gap_days starts a new use.
  SELECT d.customer_id, d.feature_id, d.day - LAG(d.day) OVER (PARTITION BY d.customer_id, d.feature_id ORDER BY d.day) AS gap
    FROM usage_daily d
    JOIN cadence_candidates cc ON cc.customer_id = d.customer_id AND cc.feature_id = d.feature_id
    CROSS JOIN params p
   WHERE d.used_events > 0 AND d.day <= p.as_of AND d.day > p.as_of - p.rhythm_lookback_days
),
cadence_stats AS (
  SELECT g.customer_id, g.feature_id, COUNT(*)::int + 1 AS uses, COUNT(*)::int AS gaps,
         PERCENTILE_CONT(ARRAY[(1 - p.rhythm_regular_share) / 2, 0.5, (1 + p.rhythm_regular_share) / 2]::float8[])
           WITHIN GROUP (ORDER BY g.gap) AS gap_percentiles
    FROM use_gaps g CROSS JOIN params p
   WHERE g.gap > p.rhythm_burst_gap_days
   GROUP BY g.customer_id, g.feature_id, p.rhythm_regular_share
),
cadence AS (
  -- A cadence: enough uses, a median gap in the configured range, and the central regular_share of the gaps within
  -- the tolerance of it (one aggregate: the percentiles at both ends of that central share).
  SELECT c.customer_id, c.feature_id, c.uses, c.gaps, ROUND(c.gap_percentiles[2])::int AS cadence_days,
         CEIL(c.gap_percentiles[2] * (1 + p.rhythm_tolerance))::int AS due_within_days
    FROM cadence_stats c CROSS JOIN params p
   WHERE c.uses >= p.rhythm_min_occasions
     AND c.gap_percentiles[2] BETWEEN p.rhythm_min_cadence_days AND p.rhythm_max_cadence_days
     AND c.gap_percentiles[1] >= (1 - p.rhythm_tolerance) * c.gap_percentiles[2]
     AND c.gap_percentiles[3] <= (1 + p.rhythm_tolerance) * c.gap_percentiles[2]
),
judged AS (
  SELECT r.*, cd.cadence_days, cd.uses AS cadence_uses, cd.due_within_days AS cadence_due_within_days,
         (p.as_of - (r.last_used_at AT TIME ZONE 'UTC')::date) AS days_since_last_use,
         (cd.customer_id IS NOT NULL AND p.as_of - (r.last_used_at AT TIME ZONE 'UTC')::date > cd.due_within_days) AS missed_cadence,
         (cd.customer_id IS NOT NULL AND p.as_of - (r.last_used_at AT TIME ZONE 'UTC')::date <= cd.due_within_days) AS on_cadence,
         (r.account_dipped AND r.others_dipped) AS account_dip,
         (r.account_dipped AND r.account_features = 1) AS lone_feature_dip
    FROM ruled r
    CROSS JOIN params p
    LEFT JOIN cadence cd ON cd.customer_id = r.customer_id AND cd.feature_id = r.feature_id
),
signal_history AS (
  SELECT f.customer_id, f.feature_id,
         (ARRAY_AGG(rs.id ORDER BY rs.created_at, rs.id) FILTER (WHERE rs.as_of = p.as_of))[1] AS todays_signal_id,
         MAX(COALESCE(rs.as_of, (rs.created_at AT TIME ZONE 'UTC')::date)) FILTER (
           WHERE rs.as_of IS DISTINCT FROM p.as_of
             AND ABS(COALESCE(rs.as_of, (rs.created_at AT TIME ZONE 'UTC')::date) - p.as_of) < p.signal_cooldown_days) AS recent_signal_on
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
   WHERE x.at < p.end_at AND (x.at AT TIME ZONE 'UTC')::date > p.as_of - p.intervention_cooldown_days
   GROUP BY x.customer_id, x.feature_id
),
decided AS (
  SELECT j.*, sh.todays_signal_id, sh.recent_signal_on, ih.last_intervention_at,
         -- Back under engaged after having been engaged or adopted, unless it keeps a cadence of its own.
         CASE WHEN j.score_stage IN ('not_started', 'started') AND j.reached_engaged AND NOT j.on_cadence THEN 'churned'
              ELSE j.score_stage END AS stage,
         CASE WHEN j.missed_cadence THEN 'missed_cadence'
              WHEN j.on_cadence THEN NULL
              WHEN j.low_usage AND j.past_expected THEN 'low_usage_14d+past_expected_timeline'
              WHEN j.low_usage THEN 'low_usage_14d'
              WHEN j.past_expected THEN 'past_expected_timeline'
              WHEN j.prd_low_usage AND j.prd_past_expected THEN 'low_usage_14d+past_expected_timeline'
              WHEN j.prd_low_usage THEN 'low_usage_14d'
              WHEN j.prd_past_expected THEN 'past_expected_timeline' END AS rule,
         CASE WHEN sh.todays_signal_id IS NOT NULL THEN 'signal'
              WHEN NOT (j.low_usage OR j.past_expected OR j.prd_low_usage OR j.prd_past_expected) THEN 'none'
              WHEN j.not_needed THEN 'suppressed'
              WHEN j.importance_score < j.cfg_min_importance THEN 'suppressed'
              WHEN j.on_cadence THEN 'suppressed'
              WHEN NOT (j.low_usage OR j.past_expected OR j.missed_cadence) THEN 'suppressed'
              WHEN j.account_dip THEN 'suppressed'
              WHEN sh.recent_signal_on IS NOT NULL THEN 'suppressed'
              WHEN ih.last_intervention_at IS NOT NULL THEN 'suppressed'
              ELSE 'signal' END AS decision,
         CASE WHEN sh.todays_signal_id IS NOT NULL THEN NULL
              WHEN NOT (j.low_usage OR j.past_expected OR j.prd_low_usage OR j.prd_past_expected) THEN NULL
              WHEN j.not_needed THEN 'not_needed'
              WHEN j.importance_score < j.cfg_min_importance THEN 'not_key_feature'
              WHEN j.on_cadence THEN 'on_cadence'
              WHEN NOT (j.low_usage OR j.past_expected OR j.missed_cadence) THEN 'segment_benchmark'
              WHEN j.account_dip THEN 'account_wide_dip'
              WHEN sh.recent_signal_on IS NOT NULL THEN 'recent_signal'
              WHEN ih.last_intervention_at IS NOT NULL THEN 'recent_intervention' END AS suppress_reason
    FROM judged j
    LEFT JOIN signal_history sh ON sh.customer_id = j.customer_id AND sh.feature_id = j.feature_id
    LEFT JOIN intervention_history ih ON ih.customer_id = j.customer_id AND ih.feature_id = j.feature_id
)
SELECT d.customer_id, d.feature_id, d.segment, d.activated_at, d.days_since_activation, d.last_used_at,
       d.usage_count, d.active_days_14, d.active_users_14, d.breadth_base, d.breadth_base_kind, d.usage_score,
       d.stage, d.importance_score, d.expected_adoption_days, d.expected_days_source, d.peer_count,
       d.peer_median_score, d.low_usage_threshold, d.stall_score_threshold,
       d.others_recent AS others_recent_user_days, d.others_baseline AS others_baseline_user_days,
       d.rule,
       NULLIF(CONCAT_WS(${say('clause_separator')},
         CASE WHEN d.rule = 'missed_cadence' THEN FORMAT(${say('missed_cadence')},
           d.cadence_days, d.cadence_uses, p.rhythm_lookback_days, TRIM_SCALE(ROUND(100 * p.rhythm_regular_share, 1)),
           TRIM_SCALE(ROUND(100 * p.rhythm_tolerance, 1)), d.days_since_last_use, d.cadence_due_within_days) END,
         CASE WHEN d.rule LIKE 'low_usage_14d%' THEN FORMAT(${say('low_usage')},
           d.usage_score,
           TRIM_SCALE(CASE WHEN d.low_usage THEN d.low_usage_threshold ELSE d.cfg_low_usage_below END),
           d.active_days_14, d.active_users_14, d.breadth_base,
           CASE d.breadth_base_kind WHEN 'seats' THEN ${say('breadth_of_seats')} ELSE ${say('breadth_of_account_users')} END,
           d.days_since_activation) END,
         CASE WHEN d.rule LIKE '%past_expected_timeline' THEN FORMAT(${say('past_expected')},
           d.days_since_activation,
           CASE WHEN d.past_expected THEN d.expected_adoption_days ELSE d.catalog_expected_days END,
           CASE WHEN d.past_expected AND d.expected_days_source = 'segment'
                THEN FORMAT(${say('expected_from_peers')}, d.adopted_peers, d.segment) ELSE ${say('expected_from_catalog')} END,
           FORMAT(${say('stage_with_score')}, d.stage, d.usage_score),
           TRIM_SCALE(CASE WHEN d.past_expected THEN d.stall_score_threshold ELSE d.cfg_past_expected_below END)) END,
         CASE WHEN d.rule IS NOT NULL AND d.lone_feature_dip THEN ${say('lone_feature_dip')} END,
         CASE WHEN d.rule IS NOT NULL AND d.stage = 'churned' THEN ${say('churned')} END), '') AS reason,
       d.decision,
       d.suppress_reason,
       CASE d.suppress_reason
         WHEN 'not_needed' THEN ${say('not_needed')}
         WHEN 'not_key_feature' THEN FORMAT(${say('not_key_feature')}, d.importance_score, d.cfg_min_importance)
         WHEN 'on_cadence' THEN FORMAT(${say('on_cadence')},
           d.cadence_days, d.cadence_uses, p.rhythm_lookback_days, TRIM_SCALE(ROUND(100 * p.rhythm_regular_share, 1)),
           TRIM_SCALE(ROUND(100 * p.rhythm_tolerance, 1)), d.days_since_last_use, d.cadence_due_within_days)
         WHEN 'segment_benchmark' THEN FORMAT(${say('segment_benchmark')},
           d.usage_score, TRIM_SCALE(d.peer_median_score), d.peer_count, d.segment, d.age_bucket)
         WHEN 'account_wide_dip' THEN FORMAT(${say('account_wide_dip')},
           d.account_recent, TRIM_SCALE(ROUND(d.account_baseline::numeric * ${WINDOW_DAYS} / p.dip_baseline_days, 1)),
           CASE WHEN p.dip_baseline_days % 7 = 0 THEN FORMAT(${say('span_in_weeks')}, p.dip_baseline_days / 7)
                ELSE FORMAT(${say('span_in_days')}, p.dip_baseline_days) END,
           d.others_recent, TRIM_SCALE(ROUND(d.others_baseline::numeric * ${WINDOW_DAYS} / p.dip_baseline_days, 1)))
         WHEN 'recent_signal' THEN FORMAT(${say('recent_signal')}, d.recent_signal_on, p.signal_cooldown_days)
         WHEN 'recent_intervention' THEN FORMAT(${say('recent_intervention')},
           TO_CHAR(d.last_intervention_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), p.intervention_cooldown_days)
       END AS suppress_detail,
       d.todays_signal_id AS signal_id,
       d.cadence_days, d.on_cadence, d.reached_engaged, d.cfg_low_usage_below, d.cfg_past_expected_below
  FROM decided d CROSS JOIN params p
`;
}
