import { evaluationSql, type EvaluationScope } from './scoring-evaluation-sql';

/**
 * The statements of one detection batch (adoption/detection.ts). A batch is a range of customer ids, (after, upTo],
 * either bound open: the default batch covers the whole tenant, so a daily pass is these few statements once.
 *
 * Every statement takes the same parameters: $1 the as-of day, $2 the last customer id before the batch (NULL: from
 * the first), $3 the batch's last customer id (NULL: to the last). CREATE_BATCH_TABLE also takes $4, the configured
 * rules (adoption/config/rules.ts `rulesParameter`), and $5, the phrases of the reasons (adoption/detection-phrases.ts);
 * later statements read their effect from the batch table.
 *
 * The batch's evaluations are computed once into the temporary table `detection_batch` (ANALYZEd, so the planner
 * knows how many rows and how many signals there are), and every later statement joins that table instead of
 * re-reading the day's rows of feature_evaluations, which the planner has no statistics for while they are being
 * written (bench/RESULTS.md: that and the per-batch round trips were most of the time).
 */

const RANGE_SCOPE: EvaluationScope = {
  customer: (column) => `(($2::uuid IS NULL OR ${column} > $2::uuid) AND ($3::uuid IS NULL OR ${column} <= $3::uuid))`,
  features: () => 'TRUE',
};

/** The customer-id range of the batch, over `column`. */
export const inBatch = (column: string) => RANGE_SCOPE.customer(column);

export const BATCH_TABLE = 'detection_batch';

export const DROP_BATCH_TABLE = `DROP TABLE IF EXISTS pg_temp.${BATCH_TABLE}`;

/**
 * 1. Evaluate the batch into the temporary table (the `signal_id` column gains the new signals in step 2,
 *    `stage_entered_on` the first-seen features' history in step 1b).
 */
export const CREATE_BATCH_TABLE = `
CREATE TEMPORARY TABLE ${BATCH_TABLE} ON COMMIT DROP AS
SELECT $1::date AS as_of, e.*, NULL::date AS stage_entered_on FROM (${evaluationSql(RANGE_SCOPE)}) e`;

/** A customer-feature of the batch has no stage history up to the as-of day $1: detection has not seen it yet. */
const FIRST_SEEN = `NOT EXISTS (SELECT 1 FROM feature_stage_history h
                      WHERE h.customer_id = e.customer_id AND h.feature_id = e.feature_id AND h.entered_on <= $1::date)`;

/**
 * 1a. First-seen customer-features under engaged whose snapshots stop short of the day before $1: the import's
 *     backfill did not reach back this far (imported long after, or with no backfill), or the events came another
 *     way. Their past is backfilled up to that day before step 1b reads it, so a feature that was engaged and then
 *     dropped away is `churned`, not taken for one never started (its score of 0 alone says `not_started`). A feature
 *     never used cannot have been engaged and is left out.
 */
export const FIRST_SEEN_WITHOUT_PAST = `
SELECT e.customer_id, e.feature_id
  FROM ${BATCH_TABLE} e
 WHERE e.stage IN ('not_started', 'started') AND NOT e.on_cadence AND e.days_since_activation > 0 AND e.usage_count > 0
   AND ${FIRST_SEEN}
   AND NOT EXISTS (SELECT 1 FROM adoption_snapshots s
                    WHERE s.customer_id = e.customer_id AND s.feature_id = e.feature_id AND s.as_of = $1::date - 1)`;

/**
 * 1b. Customer-features seen for the first time (no stage history up to the day): their past is in the daily
 *     snapshots the import backfilled from the usage history (adoption/ingest/backfill-snapshots.ts). From them:
 *     `churned` when the feature was engaged or adopted on an earlier day and is under engaged now, and the
 *     day the current stage began, the day after the last snapshot in another stage (a score of 0 counts as not
 *     started even in the first week, which PRD 4.3 only leaves unlabelled). Without snapshots: since activation.
 *     Only the first-seen rows are joined to the snapshots, so a tenant with history pays for its new features alone.
 *     Takes $1 the as-of day and $2 the phrases (a feature found churned here gains that clause in its reason, and
 *     its reason names that stage).
 */
export const STAGE_HISTORY_OF_FIRST_SEEN = `
WITH first_seen AS (
  SELECT e.customer_id, e.feature_id, e.stage, e.on_cadence, e.rule, e.activated_at
    FROM ${BATCH_TABLE} e
   WHERE ${FIRST_SEEN}
),
restaged AS (
  SELECT f.customer_id, f.feature_id, f.rule, f.activated_at,
         CASE WHEN f.stage IN ('not_started', 'started') AND NOT f.on_cadence
                   AND EXISTS (SELECT 1 FROM adoption_snapshots s
                                WHERE s.customer_id = f.customer_id AND s.feature_id = f.feature_id
                                  AND s.as_of < $1::date AND s.stage IN ('engaged', 'adopted'))
              THEN 'churned' ELSE f.stage END AS stage,
         f.stage AS evaluated_stage
    FROM first_seen f
),
entered AS (
  SELECT r.customer_id, r.feature_id,
         MAX(s.as_of) FILTER (WHERE s.stage <> r.stage AND NOT (r.stage = 'not_started' AND s.usage_score = 0)) + 1 AS after_other,
         MIN(s.as_of) AS first_snapshot
    FROM restaged r
    JOIN adoption_snapshots s ON s.customer_id = r.customer_id AND s.feature_id = r.feature_id AND s.as_of < $1::date
   GROUP BY r.customer_id, r.feature_id
)
UPDATE ${BATCH_TABLE} e
   SET stage = r.stage,
       reached_engaged = e.reached_engaged OR r.stage = 'churned',
       reason = CASE WHEN r.stage = 'churned' AND r.evaluated_stage <> 'churned' AND e.rule IS NOT NULL
                     THEN CONCAT_WS($2::jsonb ->> 'clause_separator',
                                    REPLACE(e.reason, FORMAT($2::jsonb ->> 'stage_with_score', r.evaluated_stage, e.usage_score),
                                            FORMAT($2::jsonb ->> 'stage_with_score', r.stage, e.usage_score)),
                                    $2::jsonb ->> 'churned')
                     ELSE e.reason END,
       stage_entered_on = GREATEST((r.activated_at AT TIME ZONE 'UTC')::date, COALESCE(en.after_other, en.first_snapshot))
  FROM restaged r
  LEFT JOIN entered en ON en.customer_id = r.customer_id AND en.feature_id = r.feature_id
 WHERE e.customer_id = r.customer_id AND e.feature_id = r.feature_id`;

/** The row count and the columns later statements filter on are what the planner needs; the wide text is not. */
export const ANALYZE_BATCH_TABLE = `ANALYZE pg_temp.${BATCH_TABLE} (customer_id, feature_id, decision, rule, signal_id, suppress_reason, stage)`;

const EVALUATION_COLUMNS = `customer_id, feature_id, segment, activated_at, days_since_activation,
  last_used_at, usage_count, active_days_14, active_users_14, breadth_base, breadth_base_kind, usage_score, stage,
  importance_score, expected_adoption_days, expected_days_source, peer_count, peer_median_score,
  low_usage_threshold, stall_score_threshold, others_recent_user_days, others_baseline_user_days, rule, reason,
  decision, suppress_reason, suppress_detail, signal_id, cadence_days`;

/** 3. Store the evaluations (a re-run of the day overwrites them). */
export const STORE_EVALUATIONS = `
INSERT INTO feature_evaluations (as_of, ${EVALUATION_COLUMNS})
SELECT as_of, ${EVALUATION_COLUMNS} FROM ${BATCH_TABLE}
ON CONFLICT (as_of, customer_id, feature_id) DO UPDATE SET
  segment = EXCLUDED.segment, activated_at = EXCLUDED.activated_at,
  days_since_activation = EXCLUDED.days_since_activation, last_used_at = EXCLUDED.last_used_at,
  usage_count = EXCLUDED.usage_count, active_days_14 = EXCLUDED.active_days_14,
  active_users_14 = EXCLUDED.active_users_14, breadth_base = EXCLUDED.breadth_base,
  breadth_base_kind = EXCLUDED.breadth_base_kind, usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage,
  importance_score = EXCLUDED.importance_score, expected_adoption_days = EXCLUDED.expected_adoption_days,
  expected_days_source = EXCLUDED.expected_days_source, peer_count = EXCLUDED.peer_count,
  peer_median_score = EXCLUDED.peer_median_score, low_usage_threshold = EXCLUDED.low_usage_threshold,
  stall_score_threshold = EXCLUDED.stall_score_threshold,
  others_recent_user_days = EXCLUDED.others_recent_user_days,
  others_baseline_user_days = EXCLUDED.others_baseline_user_days, rule = EXCLUDED.rule, reason = EXCLUDED.reason,
  decision = EXCLUDED.decision, suppress_reason = EXCLUDED.suppress_reason,
  suppress_detail = EXCLUDED.suppress_detail, signal_id = EXCLUDED.signal_id, cadence_days = EXCLUDED.cadence_days,
  evaluated_at = NOW()`;

/**
 * 2. One signal per customer with all its features due one; priority from importance and ARR:
 *    round(0.6 * max importance + 0.4 * min(100, 25 * log10(1 + ARR / 1000))). The new signals' ids go onto the
 *    batch table's evaluations before they are stored (step 3), so no stored row is updated afterwards.
 */
export const CREATE_SIGNALS = `
WITH due AS (
  SELECT e.* FROM ${BATCH_TABLE} e WHERE e.decision = 'signal' AND e.signal_id IS NULL AND e.rule IS NOT NULL
),
per_customer AS (
  SELECT d.customer_id, c.arr, MAX(d.importance_score) AS max_importance,
         ROUND(0.6 * MAX(d.importance_score) + 0.4 * LEAST(100, 25 * LOG(1 + GREATEST(c.arr, 0) / 1000.0)))::int AS priority,
         ARRAY_AGG(d.feature_id ORDER BY d.importance_score DESC, d.feature_id) AS feature_ids
    FROM due d JOIN customers c ON c.id = d.customer_id
   GROUP BY d.customer_id, c.arr
),
created AS (
  INSERT INTO risk_signals (customer_id, signal_type, priority, as_of, details)
  SELECT pc.customer_id, 'adoption_stalled', pc.priority, $1::date,
         JSONB_BUILD_OBJECT('source', 'detection', 'asOf', TO_CHAR($1::date, 'YYYY-MM-DD'),
                            'featureIds', TO_JSONB(pc.feature_ids),
                            'priorityInputs', JSONB_BUILD_OBJECT('maxImportance', pc.max_importance, 'arr', pc.arr))
    FROM per_customer pc
  RETURNING id, customer_id
),
features AS (
  INSERT INTO risk_signal_features (signal_id, customer_id, feature_id, stage, usage_score, days_since_activation,
                                    expected_adoption_days, rule, reason)
  SELECT cr.id, d.customer_id, d.feature_id, d.stage, d.usage_score, d.days_since_activation,
         d.expected_adoption_days, d.rule, COALESCE(d.reason, d.rule)
    FROM due d JOIN created cr ON cr.customer_id = d.customer_id
  RETURNING signal_id, customer_id, feature_id
)
UPDATE ${BATCH_TABLE} e SET signal_id = f.signal_id
  FROM features f
 WHERE e.customer_id = f.customer_id AND e.feature_id = f.feature_id`;

/** Customer-features whose state moves forward with this day (a run for an older day only reports). */
const CURRENT = `(fa.evaluated_as_of IS NULL OR fa.evaluated_as_of <= $1::date)`;

/**
 * 4. Close stall episodes: not needed, or recovered: no rule fires and either the score is back at the configured
 *    threshold of the rule that flagged it (adoption/outcome.ts `recoveryThresholdOf` with the defaults) or the
 *    feature keeps its own cadence again (a monthly feature never scores 20 over 14 days).
 */
export const CLOSE_STALLS = `
UPDATE feature_stalls s
   SET closed_on = $1::date,
       closed_reason = CASE WHEN COALESCE(fa.not_needed, FALSE) THEN 'not_needed' ELSE 'recovered' END,
       score_at_close = e.usage_score
  FROM ${BATCH_TABLE} e
  LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
 WHERE s.closed_on IS NULL AND s.customer_id = e.customer_id AND s.feature_id = e.feature_id
   AND s.detected_on < $1::date AND ${CURRENT}
   AND (COALESCE(fa.not_needed, FALSE)
        OR (e.rule IS NULL AND (e.on_cadence OR e.usage_score >=
              CASE WHEN s.rule LIKE '%past_expected_timeline%' THEN e.cfg_past_expected_below ELSE e.cfg_low_usage_below END)))`;

/**
 * 5. Open an episode for each stalled feature without one (signalled now, or held back by a cooldown); a new signal
 *    for an open episode becomes the episode's signal.
 */
export const OPEN_STALLS = `
INSERT INTO feature_stalls (customer_id, feature_id, rule, detected_on, score_at_detection, signal_id)
SELECT e.customer_id, e.feature_id, e.rule, $1::date, e.usage_score, e.signal_id
  FROM ${BATCH_TABLE} e
  LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
 WHERE e.rule IS NOT NULL AND ${CURRENT}
   AND (e.decision = 'signal' OR e.suppress_reason IN ('recent_signal', 'recent_intervention'))
ON CONFLICT (customer_id, feature_id) WHERE closed_on IS NULL DO UPDATE
   SET signal_id = COALESCE(EXCLUDED.signal_id, feature_stalls.signal_id), rule = EXCLUDED.rule
 -- An open episode that stays as it was is not rewritten (most of them, every day).
 WHERE EXCLUDED.signal_id IS NOT NULL AND EXCLUDED.signal_id IS DISTINCT FROM feature_stalls.signal_id
    OR EXCLUDED.rule IS DISTINCT FROM feature_stalls.rule`;

/**
 * The latest stage history row up to the as-of day of each customer-feature of the batch, as one set (a merge of the
 * history's primary key in order) rather than one index probe per customer-feature.
 */
const LATEST_STAGE = `
  SELECT DISTINCT ON (h.customer_id, h.feature_id) h.customer_id, h.feature_id, h.stage, h.entered_on
    FROM feature_stage_history h
   WHERE h.entered_on <= $1::date AND ${inBatch('h.customer_id')}
   ORDER BY h.customer_id, h.feature_id, h.entered_on DESC`;

/**
 * 6. Stage history: a row when the stage differs from the latest one. A customer-feature seen for the first time
 *    entered its stage when its history says (step 1b), else at activation.
 */
export const RECORD_STAGE_CHANGES = `
INSERT INTO feature_stage_history (customer_id, feature_id, entered_on, stage, previous_stage, usage_score)
SELECT e.customer_id, e.feature_id,
       CASE WHEN last.stage IS NULL THEN COALESCE(e.stage_entered_on, (e.activated_at AT TIME ZONE 'UTC')::date) ELSE $1::date END,
       e.stage, last.stage, e.usage_score
  FROM ${BATCH_TABLE} e
  LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
  LEFT JOIN (${LATEST_STAGE}) last ON last.customer_id = e.customer_id AND last.feature_id = e.feature_id
 WHERE ${CURRENT} AND (last.stage IS NULL OR last.stage <> e.stage)
ON CONFLICT (customer_id, feature_id, entered_on) DO UPDATE
   SET stage = EXCLUDED.stage, usage_score = EXCLUDED.usage_score, recorded_at = NOW()`;

/** 6b. A re-run of the same day that went back to the earlier stage leaves no change behind. */
export const DROP_UNCHANGED_STAGES = `
DELETE FROM feature_stage_history
 WHERE entered_on = $1::date AND ${inBatch('customer_id')} AND stage = previous_stage`;

/** 7. feature_adoption (the PRD's table) follows the newest evaluated day. */
export const UPDATE_FEATURE_ADOPTION = `
INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count,
  usage_score, stage, expected_adoption_days, evaluated_as_of, stage_changed_at, stall_detected_at, stall_rule,
  recovered_at, updated_at)
SELECT e.customer_id, e.feature_id, COALESCE(cat.feature_name, e.feature_id), e.activated_at, e.last_used_at,
       LEAST(e.usage_count, 2147483647), e.usage_score, e.stage, e.expected_adoption_days, $1::date,
       (sh.entered_on::timestamp AT TIME ZONE 'UTC'),
       CASE WHEN op.detected_on IS NOT NULL THEN (op.detected_on + 1)::timestamp AT TIME ZONE 'UTC' - INTERVAL '1 millisecond' END,
       op.rule,
       CASE WHEN cl.id IS NOT NULL THEN (($1::date + 1)::timestamp AT TIME ZONE 'UTC') - INTERVAL '1 millisecond' END,
       NOW()
  FROM ${BATCH_TABLE} e
  LEFT JOIN feature_catalog cat ON cat.feature_id = e.feature_id
  LEFT JOIN feature_stalls op
         ON op.customer_id = e.customer_id AND op.feature_id = e.feature_id AND op.closed_on IS NULL
  LEFT JOIN feature_stalls cl
         ON cl.customer_id = e.customer_id AND cl.feature_id = e.feature_id
        AND cl.closed_on = $1::date AND cl.closed_reason = 'recovered'
  LEFT JOIN (${LATEST_STAGE}) sh ON sh.customer_id = e.customer_id AND sh.feature_id = e.feature_id
ON CONFLICT (customer_id, feature_id) DO UPDATE SET
  activated_at = EXCLUDED.activated_at, last_used_at = EXCLUDED.last_used_at,
  usage_count = EXCLUDED.usage_count, usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage,
  expected_adoption_days = EXCLUDED.expected_adoption_days, evaluated_as_of = EXCLUDED.evaluated_as_of,
  stage_changed_at = EXCLUDED.stage_changed_at,
  stall_detected_at = COALESCE(EXCLUDED.stall_detected_at, feature_adoption.stall_detected_at),
  stall_rule = COALESCE(EXCLUDED.stall_rule, feature_adoption.stall_rule),
  recovered_at = COALESCE(EXCLUDED.recovered_at, feature_adoption.recovered_at),
  updated_at = NOW()
WHERE feature_adoption.evaluated_as_of IS NULL OR feature_adoption.evaluated_as_of <= EXCLUDED.evaluated_as_of`;

/** 8. Snapshots for trends (shared with the API). */
export const STORE_SNAPSHOTS = `
INSERT INTO adoption_snapshots (customer_id, feature_id, as_of, usage_score, stage, active_days_14,
  active_users_14, days_since_activation)
SELECT e.customer_id, e.feature_id, e.as_of, e.usage_score, e.stage, e.active_days_14, e.active_users_14,
       e.days_since_activation
  FROM ${BATCH_TABLE} e
ON CONFLICT (customer_id, feature_id, as_of) DO UPDATE SET
  usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage, active_days_14 = EXCLUDED.active_days_14,
  active_users_14 = EXCLUDED.active_users_14, days_since_activation = EXCLUDED.days_since_activation`;

/**
 * Every customer-feature considered: each customer of the batch ($1 of them) against every catalog feature, plus
 * activated features that are not in the catalog.
 */
export const COUNT_EVALUATED = `
SELECT $1::int * (SELECT COUNT(*) FROM feature_catalog)
     + (SELECT COUNT(*) FROM ${BATCH_TABLE} e
         WHERE NOT EXISTS (SELECT 1 FROM feature_catalog c WHERE c.feature_id = e.feature_id)) AS evaluated`;

/** The next batch: up to $2 customers after $1 (NULL: from the first); its last id and how many it holds. */
export const NEXT_BATCH = `
SELECT (ARRAY_AGG(id ORDER BY id DESC))[1] AS last_id, COUNT(*)::int AS customers
  FROM (SELECT id FROM customers WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2) batch`;
