/**
 * Detection scale benchmark (PRD-090 detection, `runDetection`), on a private throwaway Postgres cluster.
 *
 *   1. Cost vs tenant size: the same synthetic tenant shape at several sizes (default 250 and 2000 customers, one
 *      database each), `runDetection(db, { asOf, dryRun: true })` timed `--runs` times per size (median), and the
 *      time ratio next to the size ratio: close to the size ratio means detection is linear (set-based).
 *   2. Batch size at the largest size: `batchSize` 100 vs 500 vs 2000 (default), median each, ratios against 500.
 *
 * Timed runs of different sizes / batch sizes are interleaved round by round, so a noisy neighbour on a shared
 * machine hits all of them alike. Figures are printed, never asserted: only the ratios mean anything.
 *
 *   npm run bench -- [--sizes 250,2000] [--batch-sizes 100,500,2000] [--runs 3] [--as-of 2026-03-31]
 *                    [--history-days 7] [--load insert|import] [--seed 90]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openPostgres, quoteIdentifier, type Db } from '../db/database';
import { migrate } from '../db/migrate';
import { DEFAULT_BATCH_SIZE, runDetection, type DetectionReport } from '../adoption/detection';
import { importUsageFile, refreshRollups } from '../adoption/ingest/usage';
import { COOLDOWN_DAYS, addDays, isIsoDay } from '../adoption/scoring';
import { startTestPostgres, stopTestPostgres, type PostgresChoice } from '../test/support/postgres-server';

// ---------------------------------------------------------------------------------------------------------------
// Options

export interface Options {
  sizes: number[];
  batchSizes: number[];
  runs: number;
  asOf: string;
  historyDays: number;
  load: 'insert' | 'import';
  seed: number;
}

const USAGE = `usage: npm run bench -- [--sizes 250,2000] [--batch-sizes 100,500,2000] [--runs 3] [--as-of YYYY-MM-DD]
                        [--history-days 7] [--load insert|import] [--seed 90]`;

export function parseArgs(argv: string[]): Options {
  const options: Options = {
    sizes: [250, 2000],
    batchSizes: [100, DEFAULT_BATCH_SIZE, 2000],
    runs: 3,
    asOf: '2026-03-31',
    historyDays: 7,
    load: 'insert',
    seed: 90,
  };
  const positiveList = (name: string, value: string) => {
    const list = value.split(',').map((item) => Number(item.trim()));
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) fail(`${name}: positive whole numbers, comma-separated; got ${value}`);
    return list;
  };
  const whole = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`${name}: a whole number >= ${min}; got ${value}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) fail(`${name} needs a value`);
      i += 1;
      return next;
    };
    switch (name) {
      case '--sizes':
        options.sizes = [...new Set(positiveList(name, value()))].sort((a, b) => a - b);
        break;
      case '--batch-sizes':
        options.batchSizes = [...new Set(positiveList(name, value()))].sort((a, b) => a - b);
        break;
      case '--runs':
        options.runs = whole(name, value(), 1);
        break;
      case '--history-days':
        options.historyDays = whole(name, value(), 0);
        break;
      case '--seed':
        options.seed = whole(name, value(), 0);
        break;
      case '--as-of': {
        const day = value();
        if (!isIsoDay(day)) fail(`--as-of: YYYY-MM-DD; got ${day}`);
        options.asOf = day;
        break;
      }
      case '--load': {
        const how = value();
        if (how !== 'insert' && how !== 'import') fail(`--load: insert or import; got ${how}`);
        options.load = how;
        break;
      }
      default:
        fail(`unknown argument ${arg}`);
    }
  }
  return options;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic tenant: deterministic for a seed and size

/** mulberry32: a small seeded PRNG, so every run generates the same tenant. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const CATALOG = [
  { feature_id: 'analytics', feature_name: 'Advanced Analytics Dashboard', category: 'analytics', importance_score: 85, expected_adoption_days: 30 },
  { feature_id: 'automation', feature_name: 'Workflow Automation', category: 'automation', importance_score: 70, expected_adoption_days: 30 },
  { feature_id: 'reports', feature_name: 'Custom Reports', category: 'analytics', importance_score: 55, expected_adoption_days: 21 },
  { feature_id: 'exports', feature_name: 'Data Exports', category: 'integration', importance_score: 40, expected_adoption_days: 30 },
] as const;
type FeatureId = (typeof CATALOG)[number]['feature_id'];

const HISTORY_DAYS = 60;
/** The committed history runs end this many days before the as-of day (COOLDOWN_DAYS + 1). */
const HISTORY_GAP_DAYS = COOLDOWN_DAYS + 1;
type Profile = 'adopted' | 'stalled' | 'new' | 'dip';
/** Share of each profile in the tenant (cumulative order). */
const PROFILE_MIX: Array<[Profile, number]> = [
  ['adopted', 0.4],
  ['stalled', 0.3],
  ['new', 0.15],
  ['dip', 0.15],
];
const SEGMENTS = [
  { segment: 'smb', seats: [5, 15], arr: [5_000, 30_000] },
  { segment: 'mid_market', seats: [20, 60], arr: [30_000, 150_000] },
  { segment: 'enterprise', seats: [80, 200], arr: [150_000, 1_500_000] },
] as const;

interface CustomerRow {
  id: string;
  name: string;
  arr: number;
  segment: string;
  seats: number;
  profile: Profile;
}

interface EventRow {
  key: string;
  customerId: string;
  featureId: FeatureId;
  event: 'activated' | 'used';
  occurredAt: string;
  userId: string | null;
  count: number;
  day: string;
}

/**
 * How one customer-feature is used: activated `activatedAgo` days before the as-of day (undefined: never), and on
 * each day `ago` days before the as-of day used with probability `p(ago)` by 1..`users(ago)` users.
 */
interface Pattern {
  activatedAgo?: number;
  p: (ago: number) => number;
  users: number;
}

function patterns(profile: Profile, random: () => number): Record<FeatureId, Pattern> {
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const never: Pattern = { p: () => 0, users: 0 };
  switch (profile) {
    case 'adopted': {
      // Every feature used on most days by several users; exports now and then.
      const since = between(40, HISTORY_DAYS - 1);
      return {
        analytics: { activatedAgo: since, p: () => 0.85, users: 4 },
        automation: { activatedAgo: since, p: () => 0.9, users: 4 },
        reports: { activatedAgo: since - between(0, 10), p: () => 0.75, users: 3 },
        exports: { activatedAgo: since - between(0, 10), p: () => 0.65, users: 2 },
      };
    }
    case 'stalled': {
      // The account is busy (automation daily) while analytics fades out and reports was never really used.
      const since = between(35, HISTORY_DAYS - 1);
      return {
        analytics: { activatedAgo: since, p: (ago) => (ago >= 14 ? 0.5 : 0.15), users: 2 },
        automation: { activatedAgo: since, p: () => 0.9, users: 4 },
        reports: { activatedAgo: since - between(0, 5), p: (ago) => (ago >= 25 ? 0.1 : 0), users: 1 },
        exports: never,
      };
    }
    case 'new': {
      // Activated in the last 10 days: too young to be a stall.
      return {
        analytics: { activatedAgo: between(3, 10), p: () => 0.7, users: 3 },
        automation: { activatedAgo: between(3, 10), p: () => 0.6, users: 2 },
        reports: random() < 0.5 ? { activatedAgo: between(2, 8), p: () => 0.5, users: 1 } : never,
        exports: never,
      };
    }
    case 'dip': {
      // Busy on every feature, then the whole account goes quiet for the last 15 days (holiday): an account-wide dip.
      const since = between(45, HISTORY_DAYS - 1);
      const busyUntil = (p: number) => (ago: number) => (ago >= 15 ? p : 0);
      return {
        analytics: { activatedAgo: since, p: busyUntil(0.85), users: 3 },
        automation: { activatedAgo: since, p: busyUntil(0.9), users: 4 },
        reports: { activatedAgo: since, p: busyUntil(0.7), users: 3 },
        exports: { activatedAgo: since, p: busyUntil(0.4), users: 2 },
      };
    }
  }
}

interface Tenant {
  customers: CustomerRow[];
  /** Events per customer, in customer order (loaded customer by customer in chunks). */
  events: EventRow[][];
  eventCount: number;
  profiles: Record<Profile, number>;
}

export function generateTenant(size: number, asOf: string, seed: number): Tenant {
  const random = prng(seed * 1_000_003 + size);
  const customers: CustomerRow[] = [];
  const events: EventRow[][] = [];
  const profiles: Record<Profile, number> = { adopted: 0, stalled: 0, new: 0, dip: 0 };
  let eventCount = 0;
  for (let c = 0; c < size; c += 1) {
    const id = uuidFrom(random);
    const roll = random();
    let cumulative = 0;
    const profile = PROFILE_MIX.find(([, share]) => (cumulative += share) > roll)?.[0] ?? 'adopted';
    profiles[profile] += 1;
    const seg = SEGMENTS[Math.floor(random() * SEGMENTS.length)];
    const seats = seg.seats[0] + Math.floor(random() * (seg.seats[1] - seg.seats[0] + 1));
    const arr = Math.round(seg.arr[0] + random() * (seg.arr[1] - seg.arr[0]));
    customers.push({ id, name: `Bench customer ${c + 1}`, arr, segment: seg.segment, seats, profile });

    const pool = Math.max(1, Math.min(seats, 12));
    const own: EventRow[] = [];
    let n = 0;
    const at = (day: string) => {
      const seconds = Math.floor(random() * 86_400);
      return new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000).toISOString();
    };
    const push = (featureId: FeatureId, event: EventRow['event'], day: string, userId: string | null, count: number) => {
      n += 1;
      // The key the importer gives an event with an eventId (activities/import-usage.ts).
      own.push({ key: `id:${id}:bench-${n}`, customerId: id, featureId, event, occurredAt: at(day), userId, count, day });
    };
    const features = patterns(profile, random);
    for (const { feature_id: featureId } of CATALOG) {
      const pattern = features[featureId];
      if (pattern.activatedAgo === undefined) continue;
      const activatedAgo = Math.min(HISTORY_DAYS - 1, pattern.activatedAgo);
      push(featureId, 'activated', addDays(asOf, -activatedAgo), `u${1 + Math.floor(random() * pool)}`, 1);
      for (let ago = activatedAgo; ago >= 0; ago -= 1) {
        if (random() >= pattern.p(ago)) continue;
        const day = addDays(asOf, -ago);
        const users = 1 + Math.floor(random() * Math.min(pool, pattern.users));
        const first = Math.floor(random() * pool);
        for (let u = 0; u < users; u += 1) {
          push(featureId, 'used', day, `u${1 + ((first + u) % pool)}`, 1 + Math.floor(random() * 5));
        }
      }
    }
    events.push(own);
    eventCount += own.length;
  }
  return { customers, events, eventCount, profiles };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

async function loadCatalogAndCustomers(db: Db, tenant: Tenant): Promise<void> {
  await db.query(
    `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days)
     SELECT * FROM UNNEST($1::varchar[], $2::varchar[], $3::varchar[], $4::int[], $5::int[])`,
    [
      CATALOG.map((f) => f.feature_id),
      CATALOG.map((f) => f.feature_name),
      CATALOG.map((f) => f.category),
      CATALOG.map((f) => f.importance_score),
      CATALOG.map((f) => f.expected_adoption_days),
    ],
  );
  const rows = tenant.customers;
  await db.query(
    `INSERT INTO customers (id, name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id)
     SELECT id, name, arr, segment, seats, 'Dana Reyes', 'dana@vendor.example', 'U0CSM0001'
       FROM UNNEST($1::uuid[], $2::varchar[], $3::numeric[], $4::varchar[], $5::int[]) AS x(id, name, arr, segment, seats)`,
    [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.arr), rows.map((r) => r.segment), rows.map((r) => r.seats)],
  );
}

/** Bulk INSERT of the events with bound parameters, then the importer's own rollup refresh, per chunk of customers. */
async function loadEventsByInsert(db: Db, tenant: Tenant, eventsPerChunk = 50_000): Promise<void> {
  let chunk: EventRow[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const events = chunk;
    chunk = [];
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id, "count")
         SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::varchar[], $7::int[])
         ON CONFLICT (event_key) DO NOTHING`,
        [
          events.map((e) => e.key),
          events.map((e) => e.customerId),
          events.map((e) => e.featureId),
          events.map((e) => e.event),
          events.map((e) => e.occurredAt),
          events.map((e) => e.userId),
          events.map((e) => e.count),
        ],
      );
      await refreshRollups(
        tx,
        events.map((e) => ({ customer_id: e.customerId, feature_id: e.featureId, day: e.day })),
      );
    });
  };
  for (const own of tenant.events) {
    chunk.push(...own);
    if (chunk.length >= eventsPerChunk) await flush();
  }
  await flush();
}

/** Through the real importer: an NDJSON file in a temporary folder, `importUsageFile` (1000-line chunks). */
async function loadEventsByImport(db: Db, tenant: Tenant): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-bench-'));
  try {
    const file = path.join(dir, 'usage.ndjson');
    const out = fs.createWriteStream(file);
    for (const own of tenant.events) {
      const text = own
        .map((e) =>
          JSON.stringify({
            customerId: e.customerId,
            featureId: e.featureId,
            event: e.event,
            occurredAt: e.occurredAt,
            userId: e.userId,
            count: e.count,
            eventId: e.key.slice(e.key.lastIndexOf(':') + 1),
          }),
        )
        .join('\n');
      if (text && !out.write(`${text}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const summary = await importUsageFile(db, file);
    if (summary.skipped > 0) throw new Error(`import skipped ${summary.skipped} lines: ${summary.issues[0]?.message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

export interface Prepared {
  size: number;
  db: Db;
  events: number;
  activatedFeatures: number;
  loadMs: number;
  historyMs: number;
  profiles: Record<Profile, number>;
  /** The report of the last dry run (for the sanity columns). */
  report?: DetectionReport;
}

export async function prepare(adminDb: Db, baseUrl: string, size: number, options: Options): Promise<Prepared> {
  const name = `bench_n${size}`;
  await adminDb.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = openPostgres({ connectionString: url.toString(), max: 2, applicationName: 'adoption-bench' });
  await migrate(db);

  const tenant = generateTenant(size, options.asOf, options.seed);
  const loadStart = performance.now();
  await loadCatalogAndCustomers(db, tenant);
  if (options.load === 'import') await loadEventsByImport(db, tenant);
  else await loadEventsByInsert(db, tenant);
  const loadMs = performance.now() - loadStart;

  // A tenant that has been running: committed daily runs of earlier days, so evaluations (segment peers), stage
  // history, stall episodes, feature_adoption and earlier signals exist. They end HISTORY_GAP_DAYS before the as-of
  // day, past the 30-day signal cooldown, so the as-of day still creates signals instead of only suppressing them.
  const historyStart = performance.now();
  for (let d = options.historyDays - 1; d >= 0; d -= 1) {
    await runDetection(db, { asOf: addDays(options.asOf, -(HISTORY_GAP_DAYS + d)) });
  }
  const historyMs = performance.now() - historyStart;
  await db.query('VACUUM ANALYZE');

  const { rows } = await db.query<{ events: number; activated: number }>(
    `SELECT (SELECT COUNT(*) FROM usage_events) AS events,
            (SELECT COUNT(*) FROM (SELECT DISTINCT customer_id, feature_id FROM usage_daily
                                    WHERE day <= $1::date) x) AS activated`,
    [options.asOf],
  );
  if (Number(rows[0].events) !== tenant.eventCount) {
    throw new Error(`loaded ${rows[0].events} events, generated ${tenant.eventCount}`);
  }
  return {
    size,
    db,
    events: Number(rows[0].events),
    activatedFeatures: Number(rows[0].activated),
    loadMs,
    historyMs,
    profiles: tenant.profiles,
  };
}

async function timeDetection(prepared: Prepared, asOf: string, batchSize?: number): Promise<number> {
  const start = performance.now();
  const report = await runDetection(prepared.db, { asOf, dryRun: true, batchSize });
  const ms = performance.now() - start;
  prepared.report = report;
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number) => `${n.toFixed(2)}x`;

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  // Always a private cluster of our own: never a server named by DATABASE_URL.
  delete process.env.DATABASE_URL;
  let cluster: PostgresChoice | undefined;
  const stop = () => {
    if (cluster) stopTestPostgres(cluster);
    cluster = undefined;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const prepared: Prepared[] = [];
  let adminDb: Db | undefined;
  try {
    cluster = await startTestPostgres();
    if (cluster.kind !== 'cluster') {
      throw new Error('no Postgres server binaries (initdb/pg_ctl) found: install postgresql or set PG_BIN_DIR');
    }
    const version = spawnVersion(cluster.pgCtl);
    console.log(
      `detection-scale: as of ${options.asOf}, sizes ${options.sizes.join(', ')}, batch sizes ${options.batchSizes.join(', ')}, ` +
        `${options.runs} timed dry runs each (+1 warm-up), history: ${options.historyDays} committed daily runs ending ${HISTORY_GAP_DAYS} days before, load=${options.load}`,
    );
    console.log(`machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ${version}; private cluster, fsync off`);
    adminDb = openPostgres({ connectionString: cluster.url, max: 1, applicationName: 'adoption-bench' });

    for (const size of options.sizes) {
      process.stdout.write(`preparing N=${size} ... `);
      const p = await prepare(adminDb, cluster.url, size, options);
      prepared.push(p);
      console.log(
        `${fmt(p.events)} events loaded in ${fmt(p.loadMs / 1000, 1)} s (${fmt(p.events / (p.loadMs / 1000))} events/s), ` +
          `${options.historyDays} history runs in ${fmt(p.historyMs / 1000, 1)} s ` +
          `[profiles: ${Object.entries(p.profiles).map(([k, v]) => `${k} ${v}`).join(', ')}]`,
      );
    }

    // 1. Detection cost vs tenant size (default batch size). One warm-up each, then interleaved rounds.
    const bySize = new Map<number, number[]>(options.sizes.map((size) => [size, []]));
    for (const p of prepared) await timeDetection(p, options.asOf);
    for (let round = 0; round < options.runs; round += 1) {
      for (const p of prepared) bySize.get(p.size)!.push(await timeDetection(p, options.asOf));
    }
    const smallest = prepared[0];
    const smallestMs = median(bySize.get(smallest.size)!);
    console.log(`\n1. Detection cost vs tenant size (runDetection dry run, batchSize ${DEFAULT_BATCH_SIZE}, median of ${options.runs})\n`);
    console.log(
      table(
        ['customers', 'cust-features', 'activated', 'events', 'signals', 'suppressed', 'median ms', 'runs ms', 'ms/1k cust-feat', 'time ratio', 'size ratio'],
        prepared.map((p) => {
          const ms = median(bySize.get(p.size)!);
          const evaluated = p.report?.evaluated ?? 0;
          return [
            fmt(p.size),
            fmt(evaluated),
            fmt(p.activatedFeatures),
            fmt(p.events),
            fmt(p.report?.signals.length ?? 0),
            fmt(p.report?.suppressed.length ?? 0),
            fmt(ms, 1),
            bySize.get(p.size)!.map((v) => fmt(v, 0)).join('/'),
            fmt((ms / evaluated) * 1000, 1),
            ratio(ms / smallestMs),
            ratio(p.size / smallest.size),
          ];
        }),
      ),
    );
    for (const p of prepared) {
      const reasons = new Map<string, number>();
      for (const s of p.report?.suppressed ?? []) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
      const stalled = (p.report?.signals ?? []).reduce((sum, s) => sum + s.features.length, 0);
      console.log(
        `   N=${p.size}: ${stalled} stalled features in ${p.report?.signals.length ?? 0} signals; suppressed: ` +
          ([...reasons].map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none'),
      );
    }
    if (prepared.length > 1) {
      const largest = prepared[prepared.length - 1];
      const timeRatio = median(bySize.get(largest.size)!) / smallestMs;
      const sizeRatio = largest.size / smallest.size;
      console.log(
        `\n   N=${largest.size} vs N=${smallest.size}: time ${ratio(timeRatio)} for ${ratio(sizeRatio)} the customers ` +
          `(time ratio / size ratio = ${(timeRatio / sizeRatio).toFixed(2)}; ~1 linear, < 1 fixed costs amortised, > 1 super-linear)`,
      );
    }

    // 2. Batch size at the largest size. One warm-up each, then interleaved rounds.
    const largest = prepared[prepared.length - 1];
    const byBatch = new Map<number, number[]>(options.batchSizes.map((b) => [b, []]));
    for (const b of options.batchSizes) await timeDetection(largest, options.asOf, b);
    for (let round = 0; round < options.runs; round += 1) {
      for (const b of options.batchSizes) byBatch.get(b)!.push(await timeDetection(largest, options.asOf, b));
    }
    const reference = options.batchSizes.includes(DEFAULT_BATCH_SIZE) ? DEFAULT_BATCH_SIZE : options.batchSizes[0];
    const referenceMs = median(byBatch.get(reference)!);
    console.log(`\n2. Batch size at N=${largest.size} (runDetection dry run, median of ${options.runs}, ratios against batchSize ${reference})\n`);
    console.log(
      table(
        ['batchSize', 'batches', 'median ms', 'runs ms', 'ms/1k cust-feat', 'vs ' + reference],
        options.batchSizes.map((b) => {
          const ms = median(byBatch.get(b)!);
          return [
            fmt(b),
            fmt(Math.ceil(largest.size / b)),
            fmt(ms, 1),
            byBatch.get(b)!.map((v) => fmt(v, 0)).join('/'),
            fmt((ms / (largest.report?.evaluated ?? 1)) * 1000, 1),
            ratio(ms / referenceMs),
          ];
        }),
      ),
    );
    console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s. Shared, noisy machine: compare the ratios, not the milliseconds.`);
  } finally {
    for (const p of prepared) await p.db.close().catch(() => undefined);
    await adminDb?.close().catch(() => undefined);
    stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function spawnVersion(pgCtl: string): string {
  try {
    return execFileSync(pgCtl, ['--version'], { encoding: 'utf8' }).trim().replace(/^pg_ctl \(PostgreSQL\) /, 'PostgreSQL ');
  } catch {
    return 'PostgreSQL (version unknown)';
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exitCode = 1;
  });
}
