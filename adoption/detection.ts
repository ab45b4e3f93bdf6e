import type { Db } from '../db/database';
import { AGE_BUCKET_DAYS, BENCHMARK_LOOKBACK_DAYS, LAST_AGE_BUCKET } from './scoring-rules';
import { endOfUtcDay, isIsoDay } from './dates';
import { rulesParameter, type LoadedRules } from './config/rules';
import { resolveRules } from './config/load';
import { phrasesParameter } from './detection-phrases';
import { backfillSnapshots } from './ingest/backfill-snapshots';
import { addDays } from './dates';
import {
  ANALYZE_BATCH_TABLE,
  CLOSE_STALLS,
  COUNT_EVALUATED,
  CREATE_BATCH_TABLE,
  CREATE_SIGNALS,
  DROP_BATCH_TABLE,
  DROP_UNCHANGED_STAGES,
  FIRST_SEEN_WITHOUT_PAST,
  NEXT_BATCH,
  OPEN_STALLS,
  RECORD_STAGE_CHANGES,
  STAGE_HISTORY_OF_FIRST_SEEN,
  STORE_EVALUATIONS,
  STORE_SNAPSHOTS,
  UPDATE_FEATURE_ADOPTION,
} from './detection-sql';

/**
 * Adoption stall detection over all customers, as a handful of set-based SQL statements per batch of
 * customers (never a query per customer or per feature; adoption/detection-sql.ts holds them):
 *
 *   once per run   refresh the segment benchmarks of the as-of day from earlier evaluations
 *   per batch      1. evaluate every activated customer-feature (scoring.ts `evaluationSql`) into a temporary table,
 *                     1a. features seen for the first time that the import's backfill did not reach get their past,
 *                     1b. features seen for the first time take their stage's start (and `churned`) from history
 *                  2. one risk signal per customer for its features due a signal, with its priority
 *                  3. store the evaluations, with their signals, in feature_evaluations
 *                  4. close recovered stall episodes, 5. open new ones
 *                  6. stage history, 7. feature_adoption, 8. adoption_snapshots
 *
 * A batch is a range of customer ids; the default batch size covers any tenant we have measured in one batch, so a
 * daily pass is these statements once (bench/RESULTS.md: per-batch round trips and re-reading the day's rows were most
 * of the time). Each batch is one transaction under an advisory lock, so a retried or concurrent run for the same day
 * finds the signals already stored (a signal of the same as-of day is reported, never created twice). The report is
 * read back from the stored rows, so running a day twice prints the same JSON and creates nothing new.
 */

export const DETECTION_LOCK_KEY = 90_090_002;

/**
 * For the transaction only. A whole-tenant pass aggregates millions of rollup rows and hundreds of thousands of
 * evaluations: hash aggregates that fit in memory instead of spilling, and no JIT compilation, which such row estimates
 * trigger (about a second of compiling for a statement that runs in less; bench/RESULTS.md).
 */
const SESSION_SETTINGS = `SELECT set_config('work_mem', '64MB', TRUE), set_config('jit', 'off', TRUE)`;
/** Customers per batch (one transaction each); a tenant up to this size is evaluated in one pass. */
export const DEFAULT_BATCH_SIZE = 50_000;

export interface DetectionOptions {
  /** 'YYYY-MM-DD': evaluate as of the end of this UTC day. */
  asOf: string;
  batchSize?: number;
  /** Compute and report everything, then roll it all back. */
  dryRun?: boolean;
  /** Resume after this customer id (a retried activity passes its last heartbeat). */
  resume?: DetectionProgress;
  /** Called after each committed batch (the activity heartbeats here). */
  onProgress?: (progress: DetectionProgress) => void | Promise<void>;
  /** The rules to judge by (adoption/config); absent: the file `configFile` names, else `ADOPTION_CONFIG`, else defaults. */
  rules?: LoadedRules;
  /** A rules file (adoption.config.yaml); an invalid one is refused before anything is evaluated. */
  configFile?: string;
}

export interface DetectionProgress {
  asOf: string;
  afterCustomerId: string | null;
  batches: number;
  evaluated: number;
}

export interface DetectionFeature {
  featureId: string;
  stage: string;
  usageScore: number;
  daysSinceActivation: number | null;
  expectedAdoptionDays: number | null;
  rule: string;
  reason: string;
}

export interface DetectionSignal {
  signalId: string;
  customerId: string;
  priority: number;
  features: DetectionFeature[];
}

/** Which configuration judged a run: its digest (sha256 of the resolved rules) and where it came from. */
export interface DetectionConfiguration {
  digest: string | null;
  source: string | null;
}

/** The JSON `detect --json` prints. */
export interface DetectionReport {
  asOf: string;
  evaluated: number;
  configuration: DetectionConfiguration;
  signals: DetectionSignal[];
  suppressed: Array<{ customerId: string; featureId: string; reason: string }>;
  recovered: Array<{ customerId: string; featureId: string }>;
}

/** Counts only: what the detection workflow keeps in its history. */
export interface DetectionSummary {
  asOf: string;
  evaluated: number;
  batches: number;
  signals: number;
  suppressed: number;
  recovered: number;
}

class DryRunRollback extends Error {
  constructor(readonly report: DetectionReport) {
    super('dry run: rolled back');
  }
}

export async function runDetection(db: Db, options: DetectionOptions): Promise<DetectionReport> {
  if (!isIsoDay(options.asOf)) throw new Error(`--as-of must be a day, YYYY-MM-DD; got ${JSON.stringify(options.asOf)}`);
  options = { ...options, rules: options.rules ?? resolveRules(options.configFile) };
  if (!options.dryRun) {
    await detectAll(db, options);
    return readReport(db, options.asOf);
  }
  try {
    await db.transaction(async (tx) => {
      await detectAll(tx, options);
      throw new DryRunRollback(await readReport(tx, options.asOf));
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
  throw new Error('unreachable');
}

/** Runs every batch; returns the progress at the end. Used by the CLI and the detection activity. */
export async function detectAll(db: Db, options: DetectionOptions): Promise<DetectionProgress> {
  const asOf = options.asOf;
  const rules = options.rules ?? resolveRules(options.configFile);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  let progress: DetectionProgress =
    options.resume && options.resume.asOf === asOf ? { ...options.resume } : { asOf, afterCustomerId: null, batches: 0, evaluated: 0 };
  if (progress.afterCustomerId === null) await beginRun(db, asOf, rules);
  else await refuseOtherRules(db, asOf, rules);
  for (;;) {
    const batch = await nextBatch(db, progress.afterCustomerId, batchSize);
    if (!batch) break;
    const after = progress.afterCustomerId;
    // The last batch is open-ended, so the range still holds every customer when it is the whole tenant.
    const upTo = batch.customers < batchSize ? null : batch.lastId;
    const evaluated = await db.transaction((tx) => detectBatch(tx, asOf, after, upTo, batch.customers, rules));
    progress = {
      asOf,
      afterCustomerId: batch.lastId,
      batches: progress.batches + 1,
      evaluated: progress.evaluated + evaluated,
    };
    await options.onProgress?.(progress);
    if (batch.customers < batchSize) break;
  }
  await db.query(`UPDATE detection_runs SET completed_at = NOW(), evaluated = $2, batches = $3 WHERE as_of = $1::date`, [
    asOf,
    progress.evaluated,
    progress.batches,
  ]);
  return progress;
}

async function nextBatch(db: Db, afterCustomerId: string | null, size: number): Promise<{ lastId: string; customers: number } | null> {
  const { rows } = await db.query<{ last_id: string | null; customers: number }>(NEXT_BATCH, [afterCustomerId, size]);
  const row = rows[0];
  return row && row.last_id !== null && row.customers > 0 ? { lastId: row.last_id, customers: row.customers } : null;
}

/**
 * Records the run (with the digest of the rules that judge it) and refreshes the segment benchmarks of the day from
 * the evaluations before it. A resumed run keeps the rules it began with: a retry that finds a different digest
 * refuses to mix two configurations in one day's verdicts.
 */
async function beginRun(db: Db, asOf: string, rules: LoadedRules): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DETECTION_LOCK_KEY]);
    await tx.query(SESSION_SETTINGS);
    await tx.query(
      `INSERT INTO detection_runs (as_of, config_digest, config_source) VALUES ($1::date, $2, $3)
       ON CONFLICT (as_of) DO UPDATE SET started_at = NOW(), completed_at = NULL, runs = detection_runs.runs + 1,
         config_digest = EXCLUDED.config_digest, config_source = EXCLUDED.config_source`,
      [asOf, rules.digest, rules.source],
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

async function refuseOtherRules(db: Db, asOf: string, rules: LoadedRules): Promise<void> {
  const { rows } = await db.query<{ config_digest: string | null }>(`SELECT config_digest FROM detection_runs WHERE as_of = $1::date`, [asOf]);
  const began = rows[0]?.config_digest;
  if (began && began !== rules.digest) {
    throw new Error(
      `the detection run of ${asOf} began with rules ${began.slice(0, 12)} and is resumed with ${rules.digest.slice(0, 12)} (${rules.source}): run the day again from the start`,
    );
  }
}

/**
 * The statements of one batch, the customers in (after, upTo] (NULL: unbounded), in one transaction. Returns how many
 * customer-features the batch evaluated.
 */
async function detectBatch(tx: Db, asOf: string, after: string | null, upTo: string | null, customers: number, rules: LoadedRules): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [DETECTION_LOCK_KEY]);
  await tx.query(SESSION_SETTINGS);
  const params = [asOf, after, upTo];
  await tx.query(DROP_BATCH_TABLE);
  await tx.query(CREATE_BATCH_TABLE, [...params, rulesParameter(rules.rules), phrasesParameter()]);
  const withoutPast = await tx.query<{ customer_id: string; feature_id: string }>(FIRST_SEEN_WITHOUT_PAST, [asOf]);
  await backfillSnapshots(
    tx,
    withoutPast.rows.map((row) => ({ customerId: row.customer_id, featureId: row.feature_id })),
    { lastDay: addDays(asOf, -1), rules: rules.rules },
  );
  await tx.query(STAGE_HISTORY_OF_FIRST_SEEN, [asOf, phrasesParameter()]);
  await tx.query(ANALYZE_BATCH_TABLE);
  // Signals first, so the evaluations are stored once with their signal ids instead of being updated afterwards.
  await tx.query(CREATE_SIGNALS, [asOf]);
  await tx.query(STORE_EVALUATIONS);
  await tx.query(CLOSE_STALLS, [asOf]);
  await tx.query(OPEN_STALLS, [asOf]);
  await tx.query(RECORD_STAGE_CHANGES, params);
  await tx.query(DROP_UNCHANGED_STAGES, params);
  await tx.query(UPDATE_FEATURE_ADOPTION, params);
  await tx.query(STORE_SNAPSHOTS);
  const { rows } = await tx.query<{ evaluated: number }>(COUNT_EVALUATED, [customers]);
  await tx.query(DROP_BATCH_TABLE);
  return Number(rows[0].evaluated);
}

/** The report of a day, read back from what is stored. */
export async function readReport(db: Db, asOf: string): Promise<DetectionReport> {
  const run = await db.query<{ evaluated: number; config_digest: string | null; config_source: string | null }>(
    `SELECT evaluated, config_digest, config_source FROM detection_runs WHERE as_of = $1::date`,
    [asOf],
  );
  const signals = await db.query<{
    signal_id: string;
    customer_id: string;
    priority: number;
    features: DetectionFeature[];
  }>(
    `SELECT rs.id AS signal_id, rs.customer_id, rs.priority,
            (SELECT JSON_AGG(JSON_BUILD_OBJECT(
                      'featureId', f.feature_id, 'stage', f.stage, 'usageScore', f.usage_score,
                      'daysSinceActivation', f.days_since_activation, 'expectedAdoptionDays', f.expected_adoption_days,
                      'rule', f.rule, 'reason', f.reason)
                    ORDER BY COALESCE(cat.importance_score, 50) DESC, f.usage_score, f.feature_id)
               FROM risk_signal_features f LEFT JOIN feature_catalog cat ON cat.feature_id = f.feature_id
              WHERE f.signal_id = rs.id) AS features
       FROM risk_signals rs JOIN customers c ON c.id = rs.customer_id
      WHERE rs.as_of = $1::date AND rs.signal_type = 'adoption_stalled' AND rs.details->>'source' = 'detection'
      ORDER BY rs.priority DESC, c.arr DESC, rs.customer_id, rs.id`,
    [asOf],
  );
  const suppressed = await db.query<{ customer_id: string; feature_id: string; suppress_reason: string }>(
    `SELECT customer_id, feature_id, suppress_reason FROM feature_evaluations
      WHERE as_of = $1::date AND decision = 'suppressed' ORDER BY customer_id, feature_id`,
    [asOf],
  );
  const recovered = await db.query<{ customer_id: string; feature_id: string }>(
    `SELECT customer_id, feature_id FROM feature_stalls
      WHERE closed_on = $1::date AND closed_reason = 'recovered' ORDER BY customer_id, feature_id`,
    [asOf],
  );
  return {
    asOf,
    evaluated: Number(run.rows[0]?.evaluated ?? 0),
    configuration: { digest: run.rows[0]?.config_digest ?? null, source: run.rows[0]?.config_source ?? null },
    signals: signals.rows.map((row) => ({
      signalId: row.signal_id,
      customerId: row.customer_id,
      priority: Number(row.priority),
      features: row.features ?? [],
    })),
    suppressed: suppressed.rows.map((row) => ({
      customerId: row.customer_id,
      featureId: row.feature_id,
      reason: row.suppress_reason,
    })),
    recovered: recovered.rows.map((row) => ({ customerId: row.customer_id, featureId: row.feature_id })),
  };
}

export function summarise(report: DetectionReport, batches: number): DetectionSummary {
  return {
    asOf: report.asOf,
    evaluated: report.evaluated,
    batches,
    signals: report.signals.length,
    suppressed: report.suppressed.length,
    recovered: report.recovered.length,
  };
}

/** Recovered stall episodes of a day whose enablement run has not been told yet. */
export interface PendingRecovery {
  stallId: number;
  customerId: string;
  featureId: string;
  signalId: string;
  detectedAt: string;
}

export async function pendingRecoveries(db: Db, asOf: string): Promise<PendingRecovery[]> {
  const { rows } = await db.query<{ id: number; customer_id: string; feature_id: string; signal_id: string }>(
    `SELECT id, customer_id, feature_id, signal_id FROM feature_stalls
      WHERE closed_on = $1::date AND closed_reason = 'recovered' AND signal_id IS NOT NULL
        AND recovery_notified_at IS NULL
      ORDER BY id`,
    [asOf],
  );
  return rows.map((row) => ({
    stallId: Number(row.id),
    customerId: row.customer_id,
    featureId: row.feature_id,
    signalId: row.signal_id,
    detectedAt: endOfUtcDay(asOf),
  }));
}

export async function markRecoveryNotified(db: Db, stallId: number): Promise<void> {
  await db.query(`UPDATE feature_stalls SET recovery_notified_at = NOW() WHERE id = $1 AND recovery_notified_at IS NULL`, [stallId]);
}

/** Detection signals of a day (for starting their enablement runs), highest priority first. */
export async function signalsOfDay(db: Db, asOf: string): Promise<Array<{ signalId: string; workflowId: string | null }>> {
  const { rows } = await db.query<{ id: string; workflow_id: string | null }>(
    `SELECT rs.id, rs.workflow_id FROM risk_signals rs
      WHERE rs.as_of = $1::date AND rs.signal_type = 'adoption_stalled' AND rs.details->>'source' = 'detection'
      ORDER BY rs.priority DESC, rs.created_at, rs.id`,
    [asOf],
  );
  return rows.map((row) => ({ signalId: row.id, workflowId: row.workflow_id }));
}
