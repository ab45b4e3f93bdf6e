/**
 * What the benchmarks share: a private Postgres cluster of their own (with pg_stat_statements), CPU accounting that
 * stays meaningful on a busy machine, medians, tables and argument parsing. Figures are printed, never asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTestPostgres, stopTestPostgres, type PostgresChoice } from '../test/support/postgres-server';

export type Cluster = Extract<PostgresChoice, { kind: 'cluster' }> & { version: string };

/**
 * A throwaway cluster made with this machine's initdb/pg_ctl (never DATABASE_URL: the benchmark only touches a
 * server it started), restarted once with pg_stat_statements preloaded and production-like memory settings.
 */
export async function startBenchCluster(): Promise<Cluster> {
  delete process.env.DATABASE_URL;
  const choice = await startTestPostgres();
  if (choice.kind !== 'cluster') throw new Error('no Postgres server binaries (initdb/pg_ctl) found: install postgresql or set PG_BIN_DIR');
  const conf = path.join(choice.dataDir, 'postgresql.auto.conf');
  fs.appendFileSync(
    conf,
    [
      "shared_preload_libraries = 'pg_stat_statements'",
      "shared_buffers = '1GB'",
      "max_wal_size = '8GB'",
      "maintenance_work_mem = '512MB'",
      'track_io_timing = on',
      '',
    ].join('\n'),
  );
  if (choice.runAs) execFileSync('chown', [choice.runAs, conf]);
  // With a log file, as at the first start: otherwise the server keeps this process's output pipe open.
  const args = ['-D', choice.dataDir, '-l', path.join(choice.dataDir, 'server.log'), '-w', 'restart'];
  const result = choice.runAs
    ? spawnSync('runuser', ['-u', choice.runAs, '--', choice.pgCtl, ...args], { encoding: 'utf8' })
    : spawnSync(choice.pgCtl, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pg_ctl restart failed: ${result.stdout}\n${result.stderr}`);
  let version = 'PostgreSQL';
  try {
    version = execFileSync(choice.pgCtl, ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^pg_ctl \(PostgreSQL\) /, 'PostgreSQL ');
  } catch {
    // the version is only printed
  }
  return { ...choice, version };
}

export function stopBenchCluster(cluster: Cluster | undefined): void {
  if (cluster) stopTestPostgres(cluster);
}

/** Stops the cluster on Ctrl-C too. */
export function stopOnSignal(stop: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

const CLOCK_TICKS = 100;

/**
 * CPU seconds spent by the cluster's processes: the backends and parallel workers alive now plus those the postmaster
 * has already reaped (its children's times). On a machine shared with other work, wall time stretches with the
 * neighbours while CPU time mostly does not, so both are reported.
 */
export function clusterCpuMs(cluster: Cluster): number {
  const postmaster = Number(fs.readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let ticks = 0;
  const own = readStat(postmaster);
  if (own) ticks += own.utime + own.stime + own.cutime + own.cstime;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === postmaster) ticks += stat.utime + stat.stime;
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

function readStat(pid: number): { ppid: number; utime: number; stime: number; cutime: number; cstime: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: fields are counted after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
  } catch {
    return null;
  }
}

export interface Timing {
  wallMs: number;
  /** Server CPU (all cluster processes); NaN when not measured (PGlite runs in this process). */
  serverCpuMs: number;
  /** This process's CPU (the client, or PGlite itself). */
  clientCpuMs: number;
}

export async function timed<T>(cluster: Cluster | null, work: () => Promise<T>): Promise<{ timing: Timing; result: T }> {
  const cpu0 = cluster ? clusterCpuMs(cluster) : NaN;
  const client0 = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const wallMs = performance.now() - start;
  const client = process.cpuUsage(client0);
  const serverCpuMs = cluster ? clusterCpuMs(cluster) - cpu0 : NaN;
  return { timing: { wallMs, serverCpuMs, clientCpuMs: (client.user + client.system) / 1000 }, result };
}

export function median(values: number[]): number {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function medianTiming(timings: Timing[]): Timing {
  return {
    wallMs: median(timings.map((t) => t.wallMs)),
    serverCpuMs: median(timings.map((t) => t.serverCpuMs)),
    clientCpuMs: median(timings.map((t) => t.clientCpuMs)),
  };
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const fmt = (n: number, digits = 0) =>
  Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '-');

export function machineLine(): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${load}`;
}

/** `--name value` / `--name=value` options; unknown names are refused. */
export function parseOptions<T extends Record<string, string>>(argv: string[], defaults: T, usage: string): T {
  const options: Record<string, string> = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--/, '');
    if (!arg.startsWith('--') || !(name in defaults)) {
      console.error(`unknown argument ${arg}\n${usage}`);
      process.exit(2);
    }
    options[name] = eq > 0 ? arg.slice(eq + 1) : (argv[++i] ?? '');
  }
  return options as T;
}

export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: a whole number >= 0; got ${value}`);
  return n;
}
