/**
 * The detection pass as it was before the set-based rewrite (adoption/detection.ts at commit c462f03, verbatim but
 * for the names): batches of 500 customer ids, each re-reading the day's rows of feature_evaluations. The benchmark
 * runs it next to the current code on the same data, to compare the time and to check that both write the same rows.
 */
import type { Db } from '../db/database';
import { AGE_BUCKET_DAYS, BENCHMARK_LOOKBACK_DAYS, LAST_AGE_BUCKET, LOW_USAGE_THRESHOLD, STALL_SCORE_THRESHOLD } from '../adoption/scoring-rules';
import { CUSTOMER_LIST_SCOPE, evaluationSql } from '../adoption/scoring-evaluation-sql';
import { DEFAULT_RULES, rulesParameter } from '../adoption/config/rules';
import { phrasesParameter } from '../adoption/detection-phrases';
import { DETECTION_LOCK_KEY, type DetectionOptions, type DetectionProgress } from '../adoption/detection';

const DEFAULT_BATCH_SIZE = 500;

/**
 * The evaluation under the default rules, written into the text as a literal (built from code constants only, never
 * from input) as this pass had them; the phrases of its reasons bound as $4.
 */
const EVALUATION_SQL = evaluationSql(CUSTOMER_LIST_SCOPE, `'${rulesParameter(DEFAULT_RULES)}'::jsonb`, '$4::jsonb');

/** The batched detection as it was (commit c462f03), for side-by-side timing and row-by-row comparison. */
export async function detectAllBefore(db: Db, options: DetectionOptions): Promise<DetectionProgress> {
  const asOf = options.asOf;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  let progress: DetectionProgress =
    options.resume && options.resume.asOf === asOf ? { ...options.resume } : { asOf, afterCustomerId: null, batches: 0, evaluated: 0 };
  if (progress.afterCustomerId === null) await beginRunBefore(db, asOf);
  for (;;) {
    const ids = await nextBatch(db, progress.afterCustomerId, batchSize);
    if (ids.length === 0) break;
    const evaluated = await db.transaction((tx) => detectBatch(tx, asOf, ids));
    progress = {
      asOf,
      afterCustomerId: ids[ids.length - 1],
      batches: progress.batches + 1,
      evaluated: progress.evaluated + evaluated,
    };
    await options.onProgress?.(progress);
    if (ids.length < batchSize) break;
  }
  await db.query(`UPDATE detection_runs SET completed_at = NOW(), evaluated = $2, batches = $3 WHERE as_of = $1::date`, [
    asOf,
    progress.evaluated,
    progress.batches,
  ]);
  return progress;
}

async function nextBatch(db: Db, afterCustomerId: string | null, size: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM customers WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`, [
    afterCustomerId,
    size,
  ]);
  return rows.map((row) => row.id);
}

/** Records the run and refreshes the FR-1.6 benchmarks of the day from the evaluations before it. */
export async function beginRunBefore(db: Db, asOf: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DETECTION_LOCK_KEY]);
    await tx.query(
      `INSERT INTO detection_runs (as_of) VALUES ($1::date)
       ON CONFLICT (as_of) DO UPDATE SET started_at = NOW(), completed_at = NULL, runs = detection_runs.runs + 1`,
      [asOf],
    );
    await tx.query(`DELETE FROM segment_benchmarks WHERE as_of = $1::date`, [asOf]);
    // Peers at the same age: one average score per customer and age bucket, then the median over customers.
    await tx.query(
      `INSERT INTO segment_benchmarks (as_of, segment, feature_id, age_bucket, peer_count, median_score)
       SELECT $1::date, per_customer.segment, per_customer.feature_id, per_customer.age_bucket, COUNT(*),
              ROUND(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY per_customer.score)::numeric, 2)
         FROM (SELECT c.segment, e.feature_id, LEAST(${LAST_AGE_BUCKET}, e.days_since_activation / ${AGE_BUCKET_DAYS}) AS age_bucket,
                      e.customer_id, AVG(e.usage_score) AS score
                 FROM feature_evaluations e JOIN customers c ON c.id = e.customer_id
                WHERE e.as_of < $1::date AND e.as_of >= $1::date - ${BENCHMARK_LOOKBACK_DAYS}
                GROUP BY 1, 2, 3, 4) per_customer
        GROUP BY per_customer.segment, per_customer.feature_id, per_customer.age_bucket`,
      [asOf],
    );
    await tx.query(`DELETE FROM segment_expected_days WHERE as_of = $1::date`, [asOf]);
    // The segment's timeline: days from activation to the first observed entry into `adopted`.
    await tx.query(
      `INSERT INTO segment_expected_days (as_of, segment, feature_id, adopted_peers, median_days)
       SELECT $1::date, c.segment, a.feature_id, COUNT(*),
              ROUND(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a.adopted_on - (fa.activated_at AT TIME ZONE 'UTC')::date))::int
         FROM (SELECT customer_id, feature_id, MIN(entered_on) AS adopted_on
                 FROM feature_stage_history
                WHERE stage = 'adopted' AND previous_stage IS NOT NULL AND entered_on < $1::date
                GROUP BY customer_id, feature_id) a
         JOIN feature_adoption fa ON fa.customer_id = a.customer_id AND fa.feature_id = a.feature_id
         JOIN customers c ON c.id = a.customer_id
        WHERE fa.activated_at IS NOT NULL
        GROUP BY c.segment, a.feature_id`,
      [asOf],
    );
  });
}

/** The statements of one batch, in one transaction. Returns how many customer-features the batch evaluated. */
async function detectBatch(tx: Db, asOf: string, customerIds: string[]): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [DETECTION_LOCK_KEY]);
  const params = [asOf, customerIds];

  // 1. Evaluate.
  await tx.query(
    `INSERT INTO feature_evaluations (as_of, customer_id, feature_id, segment, activated_at, days_since_activation,
       last_used_at, usage_count, active_days_14, active_users_14, breadth_base, breadth_base_kind, usage_score, stage,
       importance_score, expected_adoption_days, expected_days_source, peer_count, peer_median_score,
       low_usage_threshold, stall_score_threshold, others_recent_user_days, others_baseline_user_days, rule, reason,
       decision, suppress_reason, suppress_detail, signal_id)
     SELECT $1::date, e.customer_id, e.feature_id, e.segment, e.activated_at, e.days_since_activation, e.last_used_at,
       e.usage_count, e.active_days_14, e.active_users_14, e.breadth_base, e.breadth_base_kind, e.usage_score, e.stage,
       e.importance_score, e.expected_adoption_days, e.expected_days_source, e.peer_count, e.peer_median_score,
       e.low_usage_threshold, e.stall_score_threshold, e.others_recent_user_days, e.others_baseline_user_days, e.rule,
       e.reason, e.decision, e.suppress_reason, e.suppress_detail, e.signal_id
       FROM (${EVALUATION_SQL}) e
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
       suppress_detail = EXCLUDED.suppress_detail, signal_id = EXCLUDED.signal_id, evaluated_at = NOW()`,
    [asOf, customerIds, null, phrasesParameter()],
  );

  // 2. One signal per customer with all its features due one; priority from importance and ARR (FR-2.3):
  //    round(0.6 * max importance + 0.4 * min(100, 25 * log10(1 + ARR / 1000))).
  await tx.query(
    `WITH due AS (
       SELECT e.* FROM feature_evaluations e
        WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[]) AND e.decision = 'signal'
          AND e.signal_id IS NULL AND e.rule IS NOT NULL
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
     UPDATE feature_evaluations e SET signal_id = f.signal_id
       FROM features f
      -- The batch's customers bound the scan: without it each batch re-reads the whole day's evaluations so far
      -- (bench/detection-scale.ts measured detection growing with the square of the tenant size).
      WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[])
        AND e.customer_id = f.customer_id AND e.feature_id = f.feature_id`,
    params,
  );

  // Customer-features whose state moves forward with this day (a run for an older day only reports).
  const current = `(fa.evaluated_as_of IS NULL OR fa.evaluated_as_of <= $1::date)`;

  // 3. Close stall episodes: recovered (no rule fires, score back at the flagging rule's threshold) or not needed.
  await tx.query(
    `UPDATE feature_stalls s
        SET closed_on = $1::date,
            closed_reason = CASE WHEN COALESCE(fa.not_needed, FALSE) THEN 'not_needed' ELSE 'recovered' END,
            score_at_close = e.usage_score
       FROM feature_evaluations e
       LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
      WHERE s.closed_on IS NULL AND s.customer_id = e.customer_id AND s.feature_id = e.feature_id
        AND e.as_of = $1::date AND e.customer_id = ANY($2::uuid[]) AND s.detected_on < $1::date AND ${current}
        AND (COALESCE(fa.not_needed, FALSE)
             OR (e.rule IS NULL AND e.usage_score >= CASE WHEN s.rule LIKE '%past_expected_timeline%'
                                                          THEN ${STALL_SCORE_THRESHOLD} ELSE ${LOW_USAGE_THRESHOLD} END))`,
    params,
  );

  // 4. Open an episode for each stalled feature without one (signalled now, or held back by a cooldown); a new
  //    signal for an open episode becomes the episode's signal.
  await tx.query(
    `INSERT INTO feature_stalls (customer_id, feature_id, rule, detected_on, score_at_detection, signal_id)
     SELECT e.customer_id, e.feature_id, e.rule, $1::date, e.usage_score, e.signal_id
       FROM feature_evaluations e
       LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
      WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[]) AND e.rule IS NOT NULL AND ${current}
        AND (e.decision = 'signal' OR e.suppress_reason IN ('recent_signal', 'recent_intervention'))
     ON CONFLICT (customer_id, feature_id) WHERE closed_on IS NULL DO UPDATE
        SET signal_id = COALESCE(EXCLUDED.signal_id, feature_stalls.signal_id), rule = EXCLUDED.rule`,
    params,
  );

  // 5. Stage history: a row when the stage differs from the latest one. A customer-feature seen for the first time
  //    is taken to have been in its stage since activation.
  await tx.query(
    `INSERT INTO feature_stage_history (customer_id, feature_id, entered_on, stage, previous_stage, usage_score)
     SELECT e.customer_id, e.feature_id,
            CASE WHEN last.stage IS NULL THEN (e.activated_at AT TIME ZONE 'UTC')::date ELSE $1::date END,
            e.stage, last.stage, e.usage_score
       FROM feature_evaluations e
       LEFT JOIN feature_adoption fa ON fa.customer_id = e.customer_id AND fa.feature_id = e.feature_id
       LEFT JOIN LATERAL (
         SELECT h.stage FROM feature_stage_history h
          WHERE h.customer_id = e.customer_id AND h.feature_id = e.feature_id AND h.entered_on <= $1::date
          ORDER BY h.entered_on DESC LIMIT 1) last ON TRUE
      WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[]) AND ${current}
        AND (last.stage IS NULL OR last.stage <> e.stage)
     ON CONFLICT (customer_id, feature_id, entered_on) DO UPDATE
        SET stage = EXCLUDED.stage, usage_score = EXCLUDED.usage_score, recorded_at = NOW()`,
    params,
  );
  // A re-run of the same day that went back to the earlier stage leaves no change behind.
  await tx.query(
    `DELETE FROM feature_stage_history
      WHERE entered_on = $1::date AND customer_id = ANY($2::uuid[]) AND stage = previous_stage`,
    params,
  );

  // 6. feature_adoption (the PRD's table) follows the newest evaluated day.
  await tx.query(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count,
       usage_score, stage, expected_adoption_days, evaluated_as_of, stage_changed_at, stall_detected_at, stall_rule,
       recovered_at, updated_at)
     SELECT e.customer_id, e.feature_id, COALESCE(cat.feature_name, e.feature_id), e.activated_at, e.last_used_at,
            LEAST(e.usage_count, 2147483647), e.usage_score, e.stage, e.expected_adoption_days, $1::date,
            (sh.entered_on::timestamp AT TIME ZONE 'UTC'),
            CASE WHEN op.detected_on IS NOT NULL THEN (op.detected_on + 1)::timestamp AT TIME ZONE 'UTC' - INTERVAL '1 millisecond' END,
            op.rule,
            CASE WHEN cl.id IS NOT NULL THEN (($1::date + 1)::timestamp AT TIME ZONE 'UTC') - INTERVAL '1 millisecond' END,
            NOW()
       FROM feature_evaluations e
       LEFT JOIN feature_catalog cat ON cat.feature_id = e.feature_id
       LEFT JOIN feature_stalls op
              ON op.customer_id = e.customer_id AND op.feature_id = e.feature_id AND op.closed_on IS NULL
       LEFT JOIN feature_stalls cl
              ON cl.customer_id = e.customer_id AND cl.feature_id = e.feature_id
             AND cl.closed_on = $1::date AND cl.closed_reason = 'recovered'
       LEFT JOIN LATERAL (
         SELECT h.entered_on FROM feature_stage_history h
          WHERE h.customer_id = e.customer_id AND h.feature_id = e.feature_id AND h.entered_on <= $1::date
          ORDER BY h.entered_on DESC LIMIT 1) sh ON TRUE
      WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[])
     ON CONFLICT (customer_id, feature_id) DO UPDATE SET
       activated_at = EXCLUDED.activated_at, last_used_at = EXCLUDED.last_used_at,
       usage_count = EXCLUDED.usage_count, usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage,
       expected_adoption_days = EXCLUDED.expected_adoption_days, evaluated_as_of = EXCLUDED.evaluated_as_of,
       stage_changed_at = EXCLUDED.stage_changed_at,
       stall_detected_at = COALESCE(EXCLUDED.stall_detected_at, feature_adoption.stall_detected_at),
       stall_rule = COALESCE(EXCLUDED.stall_rule, feature_adoption.stall_rule),
       recovered_at = COALESCE(EXCLUDED.recovered_at, feature_adoption.recovered_at),
       updated_at = NOW()
     WHERE feature_adoption.evaluated_as_of IS NULL OR feature_adoption.evaluated_as_of <= EXCLUDED.evaluated_as_of`,
    params,
  );

  // 7. Snapshots for trends (shared with the API).
  await tx.query(
    `INSERT INTO adoption_snapshots (customer_id, feature_id, as_of, usage_score, stage, active_days_14,
       active_users_14, days_since_activation)
     SELECT e.customer_id, e.feature_id, e.as_of, e.usage_score, e.stage, e.active_days_14, e.active_users_14,
            e.days_since_activation
       FROM feature_evaluations e
      WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[])
     ON CONFLICT (customer_id, feature_id, as_of) DO UPDATE SET
       usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage, active_days_14 = EXCLUDED.active_days_14,
       active_users_14 = EXCLUDED.active_users_14, days_since_activation = EXCLUDED.days_since_activation`,
    params,
  );

  // Every customer-feature considered: each customer against every catalog feature, plus activated features that
  // are not in the catalog.
  const { rows } = await tx.query<{ evaluated: number }>(
    `SELECT (SELECT COUNT(*) FROM feature_catalog) * CARDINALITY($2::uuid[])
          + (SELECT COUNT(*) FROM feature_evaluations e
              WHERE e.as_of = $1::date AND e.customer_id = ANY($2::uuid[])
                AND NOT EXISTS (SELECT 1 FROM feature_catalog c WHERE c.feature_id = e.feature_id)) AS evaluated`,
    params,
  );
  return Number(rows[0].evaluated);
}
