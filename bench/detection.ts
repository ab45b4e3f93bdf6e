/**
 * Detection benchmark (issue 11, part 1), on a private throwaway Postgres cluster and embedded PGlite.
 *
 *   1. The full pass at the main size (default 10,000 customers x 10 features x 90 days), in a transaction rolled back
 *      afterwards so every run sees the same data. With `--before 1`, interleaved with the batched pass it replaced
 *      (bench/detection-before.ts) and checked to write identical rows; off by default, since the old pass alone
 *      takes longer than the rest of `npm run bench`'s 15-minute budget allows.
 *   2. pg_stat_statements of one pass of each: where the time goes.
 *   3. The straightforward PRD 4.3 loop (bench/detection-straightforward.ts) on a sample of customers: time per
 *      customer-feature next to the set-based pass's, and the two agree verdict for verdict.
 *   4. A committed full pass, then one new day of events through the importer and the daily pass for it.
 *   5. Linearity: the set-based pass at each size, interleaved; time ratio next to the size ratio.
 *   6. PGlite against Postgres on the same smaller tenant.
 *
 *   npm run bench -- detection [--sizes 10000,20000] [--runs 1] [--before 0] [--history-days 3] [--sample 200] [--pglite 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgres, quoteIdentifier, type Db } from '../db/database';
import { openEmbedded } from '../db/embedded';
import { migrate } from '../db/migrate';
import { detectAll, readReport, type DetectionReport } from '../adoption/detection';
import { COOLDOWN_DAYS } from '../adoption/model/rules';
import { addDays } from '../adoption/dates';
import { detectAllBefore, beginRunBefore } from './detection-before';
import { detectStraightforward, type Verdict } from './detection-straightforward';
import { addDayOfEvents, generateTenant, type TenantShape } from './detection-tenant';
import {
  fmt,
  machineLine,
  medianTiming,
  parseOptions,
  positiveInt,
  ratio,
  startBenchCluster,
  stopBenchCluster,
  stopOnSignal,
  table,
  timed,
  type Cluster,
  type Timing,
} from './bench-support';

const USAGE = `usage: npm run bench -- detection [--sizes 10000,20000] [--features 10] [--days 90] [--runs 1] [--before 0]
        [--history-days 3] [--sample 200] [--pglite 1000] [--as-of 2026-03-31] [--seed 90]`;

const defaults = {
  // What `npm run bench` runs within its 15 minutes; the issue's linearity pair is `--sizes 10000,40000` (the
  // 40,000-customer tenant alone takes 6-8 minutes to generate here).
  sizes: '10000,20000',
  features: '10',
  days: '90',
  runs: '1',
  before: '0',
  'history-days': '3',
  sample: '200',
  pglite: '1000',
  'as-of': '2026-03-31',
  seed: '90',
};

interface Tenant {
  size: number;
  db: Db;
  shape: TenantShape;
  dailyRows: number;
  userDayRows: number;
  activated: number;
  prepareMs: number;
}

class Rollback extends Error {}

let databases = 0;

/** Runs `work` in a transaction and rolls it back, so the next run sees the same data. */
async function rolledBack<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  let value: T | undefined;
  try {
    await db.transaction(async (tx) => {
      value = await work(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return value as T;
}

type Pass = 'set-based' | 'batched (before)';

async function fullPass(db: Db, pass: Pass, asOf: string): Promise<void> {
  if (pass === 'set-based') await detectAll(db, { asOf });
  else await detectAllBefore(db, { asOf });
}

async function prepareTenant(
  cluster: Cluster | null,
  adminDb: Db | null,
  size: number,
  options: Options,
  kind: 'postgres' | 'pglite',
): Promise<Tenant> {
  const shape: TenantShape = { customers: size, features: options.features, days: options.days, asOf: options.asOf, seed: options.seed };
  let db: Db;
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-bench-pglite-'));
    db = await openEmbedded(dir);
    const close = db.close.bind(db);
    db = {
      ...db,
      close: async () => {
        await close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    const name = `bench_detection_${size}_${(databases += 1)}`;
    await adminDb!.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    const url = new URL(cluster!.url);
    url.pathname = `/${name}`;
    db = openPostgres({ connectionString: url.toString(), max: 2, applicationName: 'adoption-bench' });
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public');
  }
  await migrate(db);
  const { timing, result } = await timed(null, async () => {
    const counts = await generateTenant(db, shape);
    // A tenant that has been running: committed daily passes of earlier days (evaluations for the segment peers,
    // stage history, stall episodes, feature_adoption, earlier signals), ending past the 30-day signal cooldown so
    // the measured day still creates signals. ANALYZE after each, as autovacuum would do after such a change.
    await db.query('ANALYZE');
    for (let d = options.historyDays - 1; d >= 0; d -= 1) {
      await detectAll(db, { asOf: addDays(options.asOf, -(COOLDOWN_DAYS + 1 + d)) });
      await db.query('ANALYZE');
    }
    if (kind === 'postgres') await db.query('VACUUM ANALYZE');
    return counts;
  });
  return { size, db, shape, ...result, prepareMs: timing.wallMs };
}

// ---------------------------------------------------------------------------------------------------------------
// Identical rows: a digest per table of everything a pass writes, generated ids and clock times left out.

const DIGESTS: Record<string, string> = {
  feature_evaluations: `SELECT e.customer_id, e.feature_id, e.segment, e.activated_at, e.days_since_activation, e.last_used_at,
      e.usage_count, e.active_days_14, e.active_users_14, e.breadth_base, e.breadth_base_kind, e.usage_score, e.stage,
      e.importance_score, e.expected_adoption_days, e.expected_days_source, e.peer_count, e.peer_median_score,
      e.low_usage_threshold, e.stall_score_threshold, e.others_recent_user_days, e.others_baseline_user_days, e.rule,
      e.reason, e.decision, e.suppress_reason, e.suppress_detail, rs.customer_id AS signal_customer, rs.as_of AS signal_as_of
    FROM feature_evaluations e LEFT JOIN risk_signals rs ON rs.id = e.signal_id WHERE e.as_of = $1::date`,
  risk_signals: `SELECT customer_id, signal_type, priority, as_of, details FROM risk_signals WHERE as_of = $1::date`,
  risk_signal_features: `SELECT f.customer_id, f.feature_id, f.stage, f.usage_score, f.days_since_activation,
      f.expected_adoption_days, f.rule, f.reason, rs.as_of
    FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id WHERE rs.as_of = $1::date`,
  feature_stalls: `SELECT s.customer_id, s.feature_id, s.rule, s.detected_on, s.score_at_detection, rs.as_of AS signal_as_of,
      s.closed_on, s.closed_reason, s.score_at_close FROM feature_stalls s LEFT JOIN risk_signals rs ON rs.id = s.signal_id
    WHERE $1::date IS NOT NULL`,
  feature_stage_history: `SELECT customer_id, feature_id, entered_on, stage, previous_stage, usage_score
    FROM feature_stage_history WHERE $1::date IS NOT NULL`,
  feature_adoption: `SELECT customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count, usage_score, stage,
      expected_adoption_days, stall_detected_at, stall_rule, recovered_at, evaluated_as_of, stage_changed_at, not_needed
    FROM feature_adoption WHERE $1::date IS NOT NULL`,
  adoption_snapshots: `SELECT customer_id, feature_id, as_of, usage_score, stage, active_days_14, active_users_14,
      days_since_activation FROM adoption_snapshots WHERE as_of = $1::date`,
  segment_benchmarks: `SELECT segment, feature_id, age_bucket, peer_count, median_score FROM segment_benchmarks WHERE as_of = $1::date`,
  detection_runs: `SELECT as_of, evaluated FROM detection_runs WHERE as_of = $1::date`,
};

async function digests(db: Db, asOf: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(DIGESTS)) {
    const { rows } = await db.query<{ n: number; digest: string }>(
      `SELECT COUNT(*)::int AS n, MD5(COALESCE(STRING_AGG(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM (${sql}) t`,
      [asOf],
    );
    out[name] = `${rows[0].n} rows ${rows[0].digest.slice(0, 12)}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

interface Options {
  sizes: number[];
  features: number;
  days: number;
  runs: number;
  /** 1: also time the batched pass the set-based one replaced (bench/detection-before.ts). */
  before: boolean;
  historyDays: number;
  sample: number;
  pglite: number;
  asOf: string;
  seed: number;
}

function readOptions(): Options {
  const raw = parseOptions(process.argv.slice(2), defaults, USAGE);
  const sizes = raw.sizes
    .split(',')
    .map((s) => positiveInt('sizes', s.trim()))
    .filter((n) => n > 0);
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    features: positiveInt('features', raw.features),
    days: positiveInt('days', raw.days),
    runs: Math.max(1, positiveInt('runs', raw.runs)),
    before: positiveInt('before', raw.before) > 0,
    historyDays: positiveInt('history-days', raw['history-days']),
    sample: positiveInt('sample', raw.sample),
    pglite: positiveInt('pglite', raw.pglite),
    asOf: raw['as-of'],
    seed: positiveInt('seed', raw.seed),
  };
}

const cfPerSecond = (cf: number, ms: number) => fmt(cf / (ms / 1000));

function timingCells(t: Timing): string[] {
  return [fmt(t.wallMs), fmt(t.serverCpuMs), fmt(t.clientCpuMs)];
}

async function topStatements(db: Db, limit = 6): Promise<string[]> {
  const { rows } = await db.query<{ calls: number; total: number; rows: number; query: string; blks: number }>(
    `SELECT calls::int, total_exec_time AS total, rows::bigint AS rows, shared_blks_hit + shared_blks_read AS blks,
            REGEXP_REPLACE(LEFT(REGEXP_REPLACE(query, '\\s+', ' ', 'g'), 90), '^ ', '') AS query
       FROM public.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT $1`,
    [limit],
  );
  return rows.map(
    (r) => `   ${fmt(Number(r.total)).padStart(7)} ms  ${String(r.calls).padStart(4)} calls  ${fmt(Number(r.rows)).padStart(8)} rows  ${r.query}`,
  );
}

async function main(): Promise<void> {
  const options = readOptions();
  const started = Date.now();
  let cluster: Cluster | undefined;
  const tenants: Tenant[] = [];
  let adminDb: Db | undefined;
  const release = stopOnSignal(() => stopBenchCluster(cluster));
  try {
    cluster = await startBenchCluster();
    adminDb = openPostgres({ connectionString: cluster.url, max: 1, applicationName: 'adoption-bench' });
    console.log(
      `detection: ${options.features} features x ${options.days} days of usage, sizes ${options.sizes.join(', ')} customers, ` +
        `${options.runs} timed runs each (+1 warm-up), ${options.historyDays} committed daily passes of history, as of ${options.asOf}`,
    );
    console.log(`machine: ${machineLine()}; ${cluster.version}, private cluster (fsync off, shared_buffers 1GB)`);
    console.log('times in ms: wall / server CPU (all cluster processes) / client CPU; wall stretches with the neighbours, CPU much less\n');

    const prepare = async (size: number) => {
      process.stdout.write(`preparing ${fmt(size)} customers ... `);
      const t = await prepareTenant(cluster!, adminDb!, size, options, 'postgres');
      tenants.push(t);
      console.log(
        `${fmt(t.dailyRows)} daily rows, ${fmt(t.userDayRows)} user-day rows, ${fmt(t.activated)} activated customer-features; ` +
          `generated + ${options.historyDays} history passes in ${fmt(t.prepareMs / 1000, 1)} s\n`,
      );
      return t;
    };
    // The main size first and measured before the larger ones are generated, so its figures come early.
    const main = await prepare(options.sizes[0]);
    const asOf = options.asOf;
    const evaluatedOf = (t: Tenant) => t.size * options.features;

    // 1. Set-based (and with --before, the batched pass it replaced), interleaved, rolled back.
    const passes: Pass[] = options.before ? ['set-based', 'batched (before)'] : ['set-based'];
    const times = new Map<Pass, Timing[]>(passes.map((p) => [p, []]));
    const written = new Map<Pass, Record<string, string>>();
    let report: DetectionReport | undefined;
    for (let round = 0; round <= options.runs; round += 1) {
      for (const pass of passes) {
        const { timing } = await timed(cluster, () => rolledBack(main.db, (tx) => fullPass(tx, pass, asOf)));
        if (round > 0) times.get(pass)!.push(timing);
        if (round === 0) {
          // The warm-up also records what each pass writes (untimed).
          await rolledBack(main.db, async (tx) => {
            await fullPass(tx, pass, asOf);
            written.set(pass, await digests(tx, asOf));
            if (pass === 'set-based') report = await readReport(tx, asOf);
          });
        }
      }
    }
    const fast = medianTiming(times.get('set-based')!);
    console.log(
      `1. Full detection pass at ${fmt(main.size)} customers (${fmt(evaluatedOf(main))} customer-features, ${fmt(main.activated)} activated), median of ${options.runs}, each rolled back\n`,
    );
    console.log(
      table(
        ['pass', 'wall ms', 'server cpu ms', 'client cpu ms', 'cust-features/s', 'runs (wall ms)'],
        passes.map((p) => {
          const m = medianTiming(times.get(p)!);
          return [
            p,
            ...timingCells(m),
            cfPerSecond(evaluatedOf(main), m.wallMs),
            times
              .get(p)!
              .map((t) => fmt(t.wallMs))
              .join('/'),
          ];
        }),
      ),
    );
    if (options.before) {
      const before = medianTiming(times.get('batched (before)')!);
      console.log(
        `\n   set-based vs before: ${ratio(before.wallMs / fast.wallMs)} faster (wall), ${ratio(before.serverCpuMs / fast.serverCpuMs)} less server CPU`,
      );
    }
    const reasons = new Map<string, number>();
    for (const s of report?.suppressed ?? []) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    console.log(
      `   the pass: ${report?.evaluated} evaluated, ${report?.signals.length} signals naming ${report?.signals.reduce((n, s) => n + s.features.length, 0)} features, ` +
        `suppressed ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}, ${report?.recovered.length} recovered`,
    );
    const a = written.get('set-based')!;
    const b = written.get('batched (before)') ?? a;
    const differing = Object.keys(a).filter((k) => a[k] !== b[k]);
    console.log(
      !options.before
        ? `   rows written: ${Object.entries(a)
            .map(([k, v]) => `${k} ${v.split(' ')[0]}`)
            .join(', ')}`
        : differing.length === 0
          ? `   same rows written by both: ${Object.entries(a)
              .map(([k, v]) => `${k} ${v.split(' ')[0]}`)
              .join(', ')} (digests equal)`
          : `   ROWS DIFFER in ${differing.map((k) => `${k} (set-based ${a[k]}, before ${b[k]})`).join('; ')}`,
    );

    // 2. Where the time goes.
    console.log(`\n2. pg_stat_statements, one pass each at ${fmt(main.size)} customers (top statements by total time)\n`);
    for (const pass of passes) {
      await main.db.query('SELECT public.pg_stat_statements_reset()');
      await rolledBack(main.db, (tx) => fullPass(tx, pass, asOf));
      console.log(`   ${pass}:`);
      for (const line of await topStatements(main.db)) console.log(line);
    }

    // 3. The straightforward loop on a sample, compared verdict by verdict with a committed set-based pass.
    const committed = await timed(cluster, () => detectAll(main.db, { asOf }));
    await main.db.query('ANALYZE');
    if (options.sample > 0) {
      const { rows } = await main.db.query<{ id: string }>(`SELECT id FROM customers ORDER BY id LIMIT $1`, [options.sample]);
      const ids = rows.map((r) => r.id);
      const loop = await timed(cluster, () =>
        rolledBack(main.db, async (tx) => {
          await beginRunBefore(tx, asOf);
          return detectStraightforward(tx, asOf, ids);
        }),
      );
      const verdicts: Verdict[] = loop.result;
      const stored = await main.db.query<{
        customer_id: string;
        feature_id: string;
        usage_score: number;
        stage: string;
        rule: string | null;
        decision: string;
        suppress_reason: string | null;
      }>(
        `SELECT customer_id, feature_id, usage_score, stage, rule, decision, suppress_reason
           FROM feature_evaluations WHERE as_of = $1::date AND customer_id = ANY($2::uuid[])`,
        [asOf, ids],
      );
      const byKey = new Map(stored.rows.map((r) => [`${r.customer_id}/${r.feature_id}`, r]));
      const mismatches = verdicts.filter((v) => {
        const s = byKey.get(`${v.customerId}/${v.featureId}`);
        return (
          !s ||
          s.usage_score !== v.usageScore ||
          s.stage !== v.stage ||
          s.rule !== v.rule ||
          s.decision !== v.decision ||
          s.suppress_reason !== v.suppressReason
        );
      });
      const perCf = loop.timing.wallMs / verdicts.length;
      const fastPerCf = committed.timing.wallMs / main.activated;
      console.log(
        `\n3. Straightforward PRD 4.3 loop (one customer-feature at a time) on the first ${ids.length} customers, against the set-based pass\n`,
      );
      console.log(
        table(
          ['implementation', 'activated cust-features', 'wall ms', 'server cpu ms', 'ms per cust-feature', `whole tenant (${fmt(main.activated)})`],
          [
            [
              'straightforward loop',
              fmt(verdicts.length),
              ...timingCells(loop.timing).slice(0, 2),
              fmt(perCf, 3),
              `~${fmt((perCf * main.activated) / 1000, 1)} s (extrapolated)`,
            ],
            [
              'set-based pass (committed)',
              fmt(main.activated),
              ...timingCells(committed.timing).slice(0, 2),
              fmt(fastPerCf, 3),
              `${fmt(committed.timing.wallMs / 1000, 2)} s (measured)`,
            ],
          ],
        ),
      );
      console.log(
        `\n   set-based vs straightforward: ${ratio(perCf / fastPerCf)} per customer-feature (wall), ` +
          `${ratio(loop.timing.serverCpuMs / verdicts.length / (committed.timing.serverCpuMs / main.activated))} (server CPU)`,
      );
      console.log(
        mismatches.length === 0
          ? `   verdicts agree: score, stage, rule, decision and suppression reason equal for all ${verdicts.length} customer-features of the sample`
          : `   VERDICTS DIFFER for ${mismatches.length} of ${verdicts.length}, e.g. ${JSON.stringify(mismatches[0])} vs ${JSON.stringify(byKey.get(`${mismatches[0].customerId}/${mismatches[0].featureId}`))}`,
      );
    }

    // 4. The daily pass: one more day of events through the importer's rollup refresh, then detection for that day.
    const nextDay = addDays(asOf, 1);
    const loaded = await addDayOfEvents(main.db, main.shape, nextDay);
    await main.db.query('ANALYZE');
    const daily = await timed(cluster, () => detectAll(main.db, { asOf: nextDay }));
    console.log(`\n4. Committed passes at ${fmt(main.size)} customers\n`);
    console.log(
      table(
        ['pass', 'wall ms', 'server cpu ms', 'client cpu ms', 'vs full pass (wall)'],
        [
          [`full pass ${asOf} (committed)`, ...timingCells(committed.timing), '1.00x'],
          [
            `daily pass ${nextDay} after ${fmt(loaded)} customer-features had events`,
            ...timingCells(daily.timing),
            ratio(daily.timing.wallMs / committed.timing.wallMs),
          ],
        ],
      ),
    );

    // 5. Linearity.
    for (const size of options.sizes.slice(1)) await prepare(size);
    if (tenants.length > 1) {
      const bySize = new Map<number, Timing[]>(tenants.map((t) => [t.size, []]));
      for (let round = 0; round <= options.runs; round += 1) {
        for (const t of tenants) {
          const { timing } = await timed(cluster, () => rolledBack(t.db, (tx) => fullPass(tx, 'set-based', t === main ? nextDay : asOf)));
          if (round > 0) bySize.get(t.size)!.push(timing);
        }
      }
      const ref = medianTiming(bySize.get(main.size)!);
      console.log(`\n5. Set-based pass vs tenant size (median of ${options.runs}, rolled back, interleaved)\n`);
      console.log(
        table(
          ['customers', 'activated cust-features', 'wall ms', 'server cpu ms', 'client cpu ms', 'time ratio', 'cpu ratio', 'size ratio', 'time/size'],
          tenants.map((t) => {
            const m = medianTiming(bySize.get(t.size)!);
            const sizeRatio = t.size / main.size;
            return [
              fmt(t.size),
              fmt(t.activated),
              ...timingCells(m),
              ratio(m.wallMs / ref.wallMs),
              ratio(m.serverCpuMs / ref.serverCpuMs),
              ratio(sizeRatio),
              (m.wallMs / ref.wallMs / sizeRatio).toFixed(2),
            ];
          }),
        ),
      );
    }

    // 6. PGlite against Postgres, same smaller tenant.
    if (options.pglite > 0) {
      process.stdout.write(`\npreparing ${fmt(options.pglite)} customers on PGlite and on Postgres ... `);
      const onPglite = await prepareTenant(null, null, options.pglite, options, 'pglite');
      const onPostgres = await prepareTenant(cluster, adminDb, options.pglite, options, 'postgres');
      console.log(`generated in ${fmt(onPglite.prepareMs / 1000, 1)} s (PGlite), ${fmt(onPostgres.prepareMs / 1000, 1)} s (Postgres)`);
      const result = new Map<string, Timing[]>([
        ['PGlite', []],
        ['Postgres', []],
      ]);
      for (let round = 0; round <= options.runs; round += 1) {
        for (const [name, t] of [
          ['PGlite', onPglite],
          ['Postgres', onPostgres],
        ] as const) {
          const { timing } = await timed(name === 'Postgres' ? cluster : null, () => rolledBack(t.db, (tx) => fullPass(tx, 'set-based', asOf)));
          if (round > 0) result.get(name)!.push(timing);
        }
      }
      const pg = medianTiming(result.get('Postgres')!);
      const lite = medianTiming(result.get('PGlite')!);
      const sameRows =
        JSON.stringify(
          await rolledBack(onPglite.db, async (tx) => {
            await fullPass(tx, 'set-based', asOf);
            return digests(tx, asOf);
          }),
        ) ===
        JSON.stringify(
          await rolledBack(onPostgres.db, async (tx) => {
            await fullPass(tx, 'set-based', asOf);
            return digests(tx, asOf);
          }),
        );
      console.log(
        `\n6. Embedded PGlite vs Postgres, ${fmt(options.pglite)} customers (${fmt(onPglite.activated)} activated customer-features), set-based pass, median of ${options.runs}\n`,
      );
      console.log(
        table(
          ['store', 'wall ms', 'server cpu ms', 'client cpu ms', 'vs Postgres (wall)'],
          [
            ['Postgres 15 (private cluster)', ...timingCells(pg), '1.00x'],
            ['PGlite (in this process)', ...timingCells(lite), ratio(lite.wallMs / pg.wallMs)],
          ],
        ),
      );
      console.log(`   ${sameRows ? 'same rows written on both stores (digests equal)' : 'ROWS DIFFER between PGlite and Postgres'}`);
      await onPglite.db.close();
      await onPostgres.db.close();
    }
    console.log(
      `\ntotal ${fmt((Date.now() - started) / 1000, 1)} s. Shared, noisy machine: compare ratios measured side by side, not the milliseconds.`,
    );
  } finally {
    for (const t of tenants) await t.db.close().catch(() => undefined);
    await adminDb?.close().catch(() => undefined);
    stopBenchCluster(cluster);
    release();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
