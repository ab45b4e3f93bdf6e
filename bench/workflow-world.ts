/**
 * What the workflow benchmarks share: the real Temporal dev server, a private Postgres cluster, the Slack-protocol and
 * SMTP servers on 127.0.0.1, a workflow bundle holding the package's workflows and the hand-written one, workers in
 * processes of their own (bench/bench-worker.ts), CPU read from /proc for every process involved, and the waits and
 * history figures the benchmarks print. Nothing is asserted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { openPostgres, type Db } from '../db/database';
import { migrate } from '../db/migrate';
import { seedStalledSignal } from '../testing/fixtures';
import { loadRiskSignal, loadRunFacts } from '../adoption/run-input';
import type { RunFacts } from '../adoption/model/run-facts';
import { startDevServer } from '../test/support/temporal';
import { startSlackServer, type SlackTestServer } from '../test/support/slack-server';
import { startSmtpServer, type SmtpTestServer } from '../test/support/smtp-server';
import { clusterCpuMs, machineLine, startBenchCluster, stopBenchCluster, stopOnSignal, type Cluster } from './bench-support';
import type { BenchWorkerConfig, WorkerStats } from './bench-worker';

export interface World {
  env: TestWorkflowEnvironment;
  client: Client;
  cluster: Cluster;
  db: Db;
  databaseUrl: string;
  slack: SlackTestServer;
  smtp: SmtpTestServer;
  bundlePath: string;
  devServerPid: number | null;
  close(): Promise<void>;
}

/** `tsc` copies no .hbs files: the compiled communicator agent reads its email template beside itself. */
function copyAgentTemplates(): void {
  const source = path.resolve(__dirname, '..', '..', '..', 'steps', 'delegate_to_agent', 'agents', 'templates');
  const target = path.resolve(__dirname, '..', 'steps', 'delegate_to_agent', 'agents', 'templates');
  if (fs.existsSync(source) && path.relative(source, target) !== '') fs.cpSync(source, target, { recursive: true });
}

/**
 * Runs a workflow benchmark in a world of its own, closed afterwards, with the machine's load printed before and
 * after: on a shared machine the figures mean little without it.
 */
export async function inWorld(work: (world: World) => Promise<void>): Promise<void> {
  console.log(`machine: ${machineLine()}`);
  const world = await startWorld();
  try {
    await work(world);
  } finally {
    await world.close();
  }
  console.log(`machine at the end: ${machineLine()}`);
}

export async function startWorld(): Promise<World> {
  copyAgentTemplates();
  const cluster = await startBenchCluster();
  let env: TestWorkflowEnvironment | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-workflows-'));
  const stopCluster = () => {
    stopBenchCluster(cluster);
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const detach = stopOnSignal(stopCluster);
  try {
    const admin = openPostgres({ connectionString: cluster.url, max: 1 });
    await admin.query('CREATE DATABASE bench');
    await admin.close();
    const url = new URL(cluster.url);
    url.pathname = '/bench';
    const databaseUrl = url.toString();
    const db = openPostgres({ connectionString: databaseUrl, max: 10, applicationName: 'bench-client' });
    await migrate(db);
    const before = childPids();
    env = await startDevServer();
    const devServerPid = [...childPids()].find((pid) => !before.has(pid) && /temporal/.test(commandOf(pid))) ?? null;
    const slack = await startSlackServer();
    const smtp = await startSmtpServer();
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./handwritten-workflows'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: console.error,
      },
    });
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    fs.writeFileSync(bundlePath, code);
    const started = env;
    return {
      env: started,
      client: started.client,
      cluster,
      db,
      databaseUrl,
      slack,
      smtp,
      bundlePath,
      devServerPid,
      async close() {
        await slack.close();
        await smtp.close();
        await db.close();
        await started.teardown();
        stopCluster();
        detach();
      },
    };
  } catch (error) {
    await env?.teardown();
    stopCluster();
    detach();
    throw error;
  }
}

function childPids(): Set<number> {
  const pids = new Set<number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === process.pid) pids.add(Number(entry));
  }
  return pids;
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function procStat(pid: number): { ppid: number; cpuTicks: number; rssPages: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
  } catch {
    return null;
  }
}

/** A process's own CPU (all its threads) in milliseconds, from /proc; NaN when it is gone or unknown. */
export function processCpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  const stat = procStat(pid);
  return stat ? stat.cpuTicks * 10 : NaN;
}

/** The CPU of every process taking part, read at one moment; `since` gives the difference to an earlier reading. */
export interface CpuReading {
  wallMs: number;
  worker: number;
  server: number;
  postgres: number;
  bench: number;
}

export function readCpu(world: World, workerPid: number | null): CpuReading {
  const own = process.cpuUsage();
  return {
    wallMs: performance.now(),
    worker: processCpuMs(workerPid),
    server: processCpuMs(world.devServerPid),
    postgres: clusterCpuMs(world.cluster),
    bench: (own.user + own.system) / 1000,
  };
}

export function since(start: CpuReading, end: CpuReading): CpuReading {
  return {
    wallMs: end.wallMs - start.wallMs,
    worker: end.worker - start.worker,
    server: end.server - start.server,
    postgres: end.postgres - start.postgres,
    bench: end.bench - start.bench,
  };
}

export function addCpu(a: CpuReading, b: CpuReading): CpuReading {
  return {
    wallMs: a.wallMs + b.wallMs,
    worker: a.worker + b.worker,
    server: a.server + b.server,
    postgres: a.postgres + b.postgres,
    bench: a.bench + b.bench,
  };
}

export const NO_CPU: CpuReading = { wallMs: 0, worker: 0, server: 0, postgres: 0, bench: 0 };

export interface BenchWorker {
  pid: number;
  taskQueue: string;
  stats(): Promise<WorkerStats>;
  stop(): Promise<void>;
}

/** Starts bench/bench-worker.ts in a process of its own and waits until it polls. */
/** What a benchmark chooses for its worker; the world supplies the servers and the bundle. */
export type WorkerOptions = Omit<BenchWorkerConfig, 'address' | 'databaseUrl' | 'slackApiUrl' | 'smtpUrl' | 'bundlePath'>;
/** The knobs under measurement, the task queue left to the trial. */
export type WorkerTuning = Omit<WorkerOptions, 'taskQueue'>;

export async function spawnWorker(
  world: World,
  options: WorkerOptions,
  /** Extra environment of the worker process (e.g. MALLOC_ARENA_MAX). */
  extraEnv: Record<string, string> = {},
): Promise<BenchWorker> {
  const config: BenchWorkerConfig = {
    address: world.env.address,
    databaseUrl: world.databaseUrl,
    slackApiUrl: world.slack.apiUrl,
    smtpUrl: world.smtp.url,
    bundlePath: world.bundlePath,
    ...options,
  };
  const child: ChildProcess = fork(path.join(__dirname, 'bench-worker.js'), [], {
    // BENCH_WORKER_NODE_ARGS (space-separated, opt-in) adds node flags to the worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    execArgv: ['--expose-gc', ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, ...extraEnv, BENCH_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench worker exited before it was ready (code ${code})`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== 'ready') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve();
    };
    child.once('exit', onExit);
    child.on('message', onMessage);
  });
  return {
    pid: child.pid!,
    taskQueue: options.taskQueue,
    stats: () =>
      new Promise<WorkerStats>((resolve) => {
        const onMessage = (message: WorkerStats) => {
          if (message.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `count` customers, each with one stored `adoption_stalled` signal naming two stalled features (testing/fixtures). */
export async function seedSignals(db: Db, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) ids.push((await seedStalledSignal(db, { customerName: `${prefix} ${i}` })).signalId);
  return ids;
}

/** The run facts of stored signals, loaded as `startEnablementForSignal` loads them (before any timing starts). */
export async function loadFacts(db: Db, signalIds: string[]): Promise<RunFacts[]> {
  return mapLimit(signalIds, 10, async (id) => loadRunFacts(db, await loadRiskSignal(db, id)));
}

export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Polls `count()` until it reaches `target`; fails naming what never arrived (a stuck run must not hang the bench). */
export async function waitForCount(what: string, count: () => Promise<number> | number, target: number, timeoutMs = 300_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = 0;
  while (performance.now() < deadline) {
    seen = await count();
    if (seen >= target) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: ${seen} of ${target} after ${timeoutMs / 1000} s`);
}

/** Runs that reached the CSM's approval: the last activity before the wait (`schedule_followup`) wrote its task row. */
/** Runs of these signals that reached the CSM's approval (the same mark as `countAtApproval`, by signal). */
export async function countAtApprovalBySignal(db: Db, signalIds: string[]): Promise<number> {
  const result = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM risk_signals s JOIN tasks t ON t.workflow_id = s.workflow_id AND t.step_id = 'schedule_followup' WHERE s.id = ANY($1)`,
    [signalIds],
  );
  return Number(result.rows[0].n);
}

export async function countAtApproval(db: Db, workflowIds: string[]): Promise<number> {
  const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE step_id = 'schedule_followup' AND workflow_id = ANY($1)`, [
    workflowIds,
  ]);
  return Number(result.rows[0].n);
}

export interface HistoryFigures {
  events: number;
  bytes: number;
  /** The run is parked at the 14-day follow-up timer (its last command started it). */
  parked: boolean;
  /** Schedule-to-start latency of each workflow task and each activity, milliseconds. */
  workflowTaskLatencies: number[];
  activityLatencies: number[];
}

const FOURTEEN_DAYS_S = 14 * 24 * 3600;

export async function historyFigures(client: Client, workflowId: string): Promise<HistoryFigures> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const time = (event: temporal.api.history.v1.IHistoryEvent) =>
    Number(event.eventTime?.seconds ?? 0) * 1000 + Number(event.eventTime?.nanos ?? 0) / 1e6;
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const workflowTaskLatencies: number[] = [];
  const activityLatencies: number[] = [];
  let parked = false;
  for (const event of events) {
    const started = event.workflowTaskStartedEventAttributes;
    if (started) {
      const scheduled = byId.get(Number(started.scheduledEventId));
      if (scheduled) workflowTaskLatencies.push(time(event) - time(scheduled));
    }
    const activity = event.activityTaskStartedEventAttributes;
    if (activity) {
      const scheduled = byId.get(Number(activity.scheduledEventId));
      if (scheduled) activityLatencies.push(time(event) - time(scheduled));
    }
    const timer = event.timerStartedEventAttributes;
    if (timer && Number(timer.startToFireTimeout?.seconds ?? 0) === FOURTEEN_DAYS_S) parked = true;
  }
  const bytes = temporal.api.history.v1.History.encode({ events }).finish().length;
  return { events: events.length, bytes, parked, workflowTaskLatencies, activityLatencies };
}

/** Waits until every run's history shows the 14-day timer started, and returns their figures. */
export async function waitUntilParked(client: Client, workflowIds: string[], timeoutMs = 300_000): Promise<HistoryFigures[]> {
  const deadline = performance.now() + timeoutMs;
  const figures = new Map<string, HistoryFigures>();
  while (figures.size < workflowIds.length) {
    const waiting = workflowIds.filter((id) => !figures.has(id));
    if (performance.now() > deadline) throw new Error(`${waiting.length} of ${workflowIds.length} runs never reached the 14-day timer`);
    await mapLimit(waiting, 10, async (id) => {
      const result = await historyFigures(client, id);
      if (result.parked) figures.set(id, result);
    });
    if (figures.size < workflowIds.length) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return workflowIds.map((id) => figures.get(id)!);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** CPU as a share of one core over the wall time: "worker 85 %" means the worker kept one core 85 % busy. */
export function coreShare(cpuMs: number, wallMs: number): string {
  return Number.isFinite(cpuMs) && wallMs > 0 ? `${Math.round((cpuMs / wallMs) * 100)} %` : '-';
}
