import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import {
  emailDecisionSignal,
  ENABLEMENT_WORKFLOW,
  migrate,
  openDatabase,
  startEnablementForSignal,
  stateQuery,
  type Db,
  type EnablementState,
  type Plan,
} from '../../index';

/** Visibility query fragment for enablement runs, from the message contract's workflow type. */
export const ENABLEMENT_RUNS = `WorkflowType = '${ENABLEMENT_WORKFLOW}'`;
import { sleep, spawnNode, stopChild, type ChildHandle } from './servers';

/**
 * What every reliability scenario shares: a database of its own on the suite's Postgres, seeded customers (one per
 * run, so every message at a peer names its run), the worker as a child process that can be SIGKILLed, bounded
 * waits on the runs' `state` query, and the result table.
 */

export const RUNS = Math.max(10, Number(process.env.RELIABILITY_RUNS || 1000));
/** Smaller scenarios scale with RUNS: the full run (1,000) uses 200 for the parked runs of item 6, as the issue says. */
export const scaled = (full: number, min = 10) => Math.max(min, Math.round((full * RUNS) / 1000));

export interface ResultRow {
  scenario: string;
  tried: string;
  counted: string;
  expected: string;
  ok: boolean;
  seconds?: number;
}

export function record(row: ResultRow): void {
  const file = process.env.RELIABILITY_RESULTS;
  const line = `${row.ok ? 'ok  ' : 'FAIL'} ${row.scenario} | ${row.tried} | ${row.counted} | ${row.expected}\n`;
  process.stderr.write(`[reliability] ${line}`);
  if (file) fs.appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export function adminUrl(): string {
  const url = process.env.RELIABILITY_PG_URL;
  if (!url) throw new Error('RELIABILITY_PG_URL is unset: run through `npm run test:reliability`');
  return url;
}

export async function createDatabase(baseUrl = adminUrl()): Promise<{ db: Db; url: string; name: string }> {
  const name = `rel_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = await openDatabase({ databaseUrl: baseUrl });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), applicationName: 'reliability-suite' });
  await migrate(db);
  return { db, url: url.toString(), name };
}

export interface SeededRun {
  index: number;
  customerId: string;
  signalId: string;
  slackUser: string;
  /** The DM channel the Slack-protocol server gives this CSM: deliveries there belong to this run. */
  channel: string;
  champion: string;
  workflowId: string;
}

const CATALOG_ENTRY = {
  feature_id: 'advanced_analytics',
  feature_name: 'Advanced Analytics Dashboard',
  training_resources: [
    { type: 'video', title: 'Analytics Dashboard Overview', url: 'https://training.example.com/analytics', duration_minutes: 12, level: 'beginner' },
    { type: 'documentation', title: 'Quick Start Guide', url: 'https://docs.example.com/analytics' },
  ],
};

/**
 * `count` customers (each with its own CSM Slack user and champion address) with one stalled feature and one stored
 * `adoption_stalled` signal each. `withSignals: false` stores customers only (signals come later, e.g. one by one).
 */
export async function seedRuns(db: Db, count: number, tag: string, options: { withSignals?: boolean } = {}): Promise<SeededRun[]> {
  await db.query(
    `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days, key_benefit, training_resources)
     VALUES ($1, $2, 'analytics', 85, 30, 'spot trends early', $3::jsonb) ON CONFLICT (feature_id) DO NOTHING`,
    [CATALOG_ENTRY.feature_id, CATALOG_ENTRY.feature_name, JSON.stringify(CATALOG_ENTRY.training_resources)],
  );
  const customers = await db.query<{ id: string; i: number }>(
    `INSERT INTO customers (name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, champion_name, champion_email)
     SELECT 'Reliability ' || $1 || ' #' || i, 60000 + i, 'mid_market', 40, 'Dana Reyes', 'dana@vendor.example',
            'U' || upper($1) || 'X' || i, 'Champion ' || i, 'champion-' || $1 || '-' || i || '@customer.example'
       FROM generate_series(1, $2::int) AS i
     RETURNING id, (regexp_replace(csm_slack_user_id, '^.*X', ''))::int AS i`,
    [tag, count],
  );
  await db.query(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count, usage_score, stage, stall_detected_at)
     SELECT id, $2, $3, NOW() - INTERVAL '45 days', NOW() - INTERVAL '20 days', 6, 15, 'started', NOW()
       FROM customers WHERE name LIKE 'Reliability ' || $1 || ' #%'`,
    [tag, CATALOG_ENTRY.feature_id, CATALOG_ENTRY.feature_name],
  );
  const runs: SeededRun[] = customers.rows
    .sort((a, b) => a.i - b.i)
    .map((row) => {
      const slackUser = `U${tag.toUpperCase()}X${row.i}`;
      return {
        index: row.i,
        customerId: row.id,
        signalId: randomUUID(),
        slackUser,
        channel: `D${slackUser}`,
        champion: `champion-${tag}-${row.i}@customer.example`,
        workflowId: '',
      };
    });
  for (const run of runs) run.workflowId = `adoption-stalled/${run.customerId}/${run.signalId}`;
  if (options.withSignals !== false) {
    for (let start = 0; start < runs.length; start += 500) await insertSignals(db, runs.slice(start, start + 500));
  }
  return runs;
}

/** Stores the runs' signals (the risk_signals trigger NOTIFYs `risk_signal_created` for each). */
export async function insertSignals(db: Db, runs: SeededRun[]): Promise<void> {
  if (!runs.length) return;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO risk_signals (id, customer_id, signal_type, priority, details)
       SELECT s, c, 'adoption_stalled', 80, '{}'::jsonb FROM unnest($1::uuid[], $2::uuid[]) AS t(s, c)`,
      [runs.map((r) => r.signalId), runs.map((r) => r.customerId)],
    );
    await tx.query(
      `INSERT INTO risk_signal_features (signal_id, customer_id, feature_id, stage, usage_score, days_since_activation, expected_adoption_days, rule, reason)
       SELECT s, c, $3, 'started', 15, 45, 30, 'low_usage_14d', 'usage score 15 < 20 for 20 days since activation'
         FROM unnest($1::uuid[], $2::uuid[]) AS t(s, c)`,
      [runs.map((r) => r.signalId), runs.map((r) => r.customerId), CATALOG_ENTRY.feature_id],
    );
  });
}

export async function connectClient(address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default' });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function startAll(client: Client, db: Db, runs: SeededRun[], plans: Plan[], taskQueue: string): Promise<number> {
  const results = await Promise.all(runs.map((run) => startWithRetry(client, db, run.signalId, plans, taskQueue)));
  return results.filter((r) => r.started).length;
}

async function startWithRetry(client: Client, db: Db, signalId: string, plans: Plan[], taskQueue: string) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startEnablementForSignal({ client, db, signalId, plans, taskQueue });
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(1_000 * attempt);
    }
  }
}

export async function queryState(client: Client, workflowId: string): Promise<EnablementState | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).query(stateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    return undefined;
  }
}

export const atApproval = (state: EnablementState | undefined) => state?.status === 'waiting' && state.step.id === 'await_approval';
export const atFollowUp = (state: EnablementState | undefined) => state?.status === 'waiting' && state.step.id === 'wait_for_adoption';

/**
 * Polls the runs' `state` until `predicate` holds for every one (each run leaves the pending set once it does),
 * at most `timeoutMs`. Returns how many reached it.
 */
export async function waitForAll(
  client: Client,
  runs: SeededRun[],
  predicate: (state: EnablementState | undefined) => boolean,
  timeoutMs: number,
  label: string,
  gate?: () => Promise<number>,
): Promise<number> {
  let pending = runs.slice();
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  // A cheap progress gate first (rows in Postgres), so the worker is not flooded with queries while it works.
  let gateStalledSince = Date.now();
  let lastGate = -1;
  while (gate && Date.now() < deadline) {
    const done = await gate();
    if (done >= runs.length) break;
    if (done !== lastGate) {
      lastGate = done;
      gateStalledSince = Date.now();
    } else if (Date.now() - gateStalledSince > 180_000) break; // no progress for 3 minutes: go and look at each run
    if (Date.now() - lastLog > 15_000) {
      process.stderr.write(`[reliability] ${label}: ${done}/${runs.length} (progress in Postgres)\n`);
      lastLog = Date.now();
    }
    await sleep(2_000);
  }
  while (pending.length && Date.now() < deadline) {
    const states = await mapLimit(pending, 16, (run) => queryState(client, run.workflowId));
    pending = pending.filter((_, i) => !predicate(states[i]));
    // A run that failed or ended will never get there: stop waiting for it (the caller's counts show it).
    const open = states.filter((state) => !predicate(state) && !(state && ['failed', 'completed', 'suppressed'].includes(state.status)));
    if (!open.length) break;
    if (Date.now() - lastLog > 15_000) {
      process.stderr.write(`[reliability] ${label}: ${runs.length - pending.length}/${runs.length}\n`);
      lastLog = Date.now();
    }
    if (pending.length) await sleep(2_000);
  }
  return runs.length - pending.length;
}

export async function approveAll(client: Client, runs: SeededRun[]): Promise<void> {
  await mapLimit(runs, 32, (run) =>
    client.workflow.getHandle(run.workflowId).signal(emailDecisionSignal, { decision: 'approve', by: 'dana@vendor.example' }),
  );
}

/** Tasks per workflow id, counted in Postgres. */
export async function taskCounts(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ workflow_id: string; n: number }>(`SELECT workflow_id, COUNT(*)::int AS n FROM tasks GROUP BY workflow_id`);
  return new Map(rows.map((row) => [row.workflow_id, row.n]));
}

/** How many of `runs` got exactly `expected` of something, and the total. */
export function exactly(runs: SeededRun[], countOf: (run: SeededRun) => number, expected: number): { exact: number; total: number; off: string[] } {
  let exact = 0;
  let total = 0;
  const off: string[] = [];
  for (const run of runs) {
    const n = countOf(run);
    total += n;
    if (n === expected) exact += 1;
    else if (off.length < 5) off.push(`${run.workflowId}: ${n}`);
  }
  return { exact, total, off };
}

export interface WorkerProcess {
  start(): Promise<void>;
  /** SIGKILL, by the pid we recorded. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  readonly kills: number;
  readonly starts: number;
  /** False once the child has exited (or before the first start). */
  readonly alive: boolean;
  output(): string;
}

export interface WorkerEnv {
  temporalAddress: string;
  taskQueue: string;
  databaseUrl: string;
  slackApiUrl: string;
  smtpUrl: string;
}

export function workerProcess(env: WorkerEnv): WorkerProcess {
  let handle: ChildHandle | undefined;
  let kills = 0;
  let starts = 0;
  let log = '';
  const script = path.join(__dirname, 'worker-child.js');
  return {
    async start() {
      if (handle) log += handle.output();
      handle = spawnNode(
        script,
        [],
        {
          RELIABILITY_TEMPORAL_ADDRESS: env.temporalAddress,
          RELIABILITY_TASK_QUEUE: env.taskQueue,
          RELIABILITY_DATABASE_URL: env.databaseUrl,
          RELIABILITY_SLACK_API_URL: env.slackApiUrl,
          RELIABILITY_SMTP_URL: env.smtpUrl,
          RELIABILITY_BUNDLE: process.env.RELIABILITY_BUNDLE,
        },
        /worker ready/,
      );
      starts += 1;
      await handle.ready;
    },
    async kill() {
      if (!handle) return;
      const { child } = handle;
      log += handle.output();
      await stopChild(child, 'SIGKILL', 5_000);
      kills += 1;
      handle = undefined;
    },
    async stop() {
      if (!handle) return;
      log += handle.output();
      await stopChild(handle.child, 'SIGTERM', 30_000);
      handle = undefined;
    },
    get kills() {
      return kills;
    },
    get starts() {
      return starts;
    },
    get alive() {
      return Boolean(handle && handle.child.exitCode === null && handle.child.signalCode === null);
    },
    output: () => log + (handle?.output() ?? ''),
  };
}

/**
 * Kills the worker with SIGKILL at random moments (1-`maxGapMs` after it became ready) and restarts it, `times`
 * times, or until stopped. The first kills can instead wait for a moment given by `moments` (e.g. a peer's next
 * acceptance, so the kill lands between the peer's `ok`/250 and the worker's record of it); a moment that does not
 * come (false) still kills, at that time. `atMoments` counts the kills that landed on their moment.
 */
export function chaos(
  worker: WorkerProcess,
  times: number,
  maxGapMs: number,
  random: () => number,
  moments: Array<() => Promise<boolean>> = [],
): { done: Promise<void>; stop(): void; readonly atMoments: number } {
  let stopped = false;
  let atMoments = 0;
  const done = (async () => {
    for (let k = 0; k < times && !stopped; k += 1) {
      if (k < moments.length) {
        if (await moments[k]()) atMoments += 1;
      } else {
        await sleep(1_000 + Math.floor(random() * maxGapMs));
      }
      if (stopped) break;
      await worker.kill();
      await sleep(Math.floor(random() * 1_500));
      await worker.start();
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
    },
    get atMoments() {
      return atMoments;
    },
  };
}

/** A small deterministic PRNG, so a failing run can be repeated with RELIABILITY_SEED. */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** Progress gates: runs whose last task before the approval wait exists / whose email was sent (rows in Postgres). */
export function tasksCreated(db: Db, runs: SeededRun[]): () => Promise<number> {
  const ids = runs.map((run) => run.workflowId);
  return async () =>
    (
      await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM tasks WHERE step_id = 'schedule_followup' AND workflow_id = ANY($1::text[])`, [
        ids,
      ])
    ).rows[0].n;
}

export function emailsSent(db: Db, runs: SeededRun[]): () => Promise<number> {
  const keys = runs.map((run) => `${run.workflowId}/send_enablement_email`);
  return async () =>
    (
      await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM outbox WHERE channel = 'email' AND delivered AND idempotency_key = ANY($1::text[])`,
        [keys],
      )
    ).rows[0].n;
}

/**
 * Emails counted at the SMTP server, both ways (docs/delivery.md): the distinct Message-IDs per champion (the messages
 * a mail store keeps) must be exactly one per run; the SMTP transactions are reported as they are, each one beyond
 * the distinct count a resend of a message in doubt (same Message-ID) after the worker died between SMTP's 250 and
 * our mark.
 */
export function emailCounts(
  smtp: { messages: Array<{ messageId: string | null }>; distinctMessagesTo(address: string): string[] },
  runs: SeededRun[],
): { exact: number; distinct: number; transactions: number; resends: number; off: string[]; counted: string } {
  const perRun = exactly(runs, (run) => smtp.distinctMessagesTo(run.champion).length, 1);
  const transactions = smtp.messages.length;
  const resends = transactions - new Set(smtp.messages.map((m, index) => m.messageId ?? `(none #${index})`)).size;
  return {
    exact: perRun.exact,
    distinct: perRun.total,
    transactions,
    resends,
    off: perRun.off,
    counted:
      `${perRun.total} distinct Message-IDs (what a mail store keeps), ${perRun.exact} runs with exactly 1; ` +
      `${transactions} SMTP transactions (${resends} in-doubt resends of a Message-ID already accepted)${perRun.off.length ? `; off: ${perRun.off.join(', ')}` : ''}`,
  };
}

/** Outbox rows of `runs` an attempt found in doubt, by how the doubt was resolved (in Postgres, our own record). */
export async function doubtCounts(db: Db, runs: SeededRun[]): Promise<string> {
  const { rows } = await db.query<{ channel: string; resolution: string | null; n: number }>(
    `SELECT channel, doubt_resolution AS resolution, COUNT(*)::int AS n FROM outbox
      WHERE in_doubt_count > 0 AND regexp_replace(idempotency_key, '/[^/]+$', '') = ANY($1::text[])
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [runs.map((run) => run.workflowId)],
  );
  return rows.length ? rows.map((row) => `${row.channel} ${row.resolution ?? 'unresolved'} ${row.n}`).join(', ') : 'none';
}
