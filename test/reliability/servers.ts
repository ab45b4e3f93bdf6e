import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeArgs } from '../../cli/dev-server';
import { temporalBinaries } from '../../cli/temporal-binaries';

/**
 * The real servers of the reliability suite, each one started (and restarted, cut off, killed) by the suite itself:
 * the Temporal dev server (official `temporal` CLI, its SQLite state file kept across restarts), a private Postgres
 * cluster (initdb/pg_ctl) behind a TCP cut-off switch, and child processes killed only by the pid recorded here.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function temporalCliPath(): string {
  const { cli } = temporalBinaries();
  if (!cli || !fs.existsSync(cli)) throw new Error('no `temporal` CLI: run `node scripts/provision-temporal.js` or set TEMPORAL_CLI_PATH');
  return cli;
}

/** Waits for a child to exit, at most `ms`; true when it did. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Stops a child we started: the signal, then SIGKILL after `graceMs` (by its pid only). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (!(await waitForExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

export interface DevServer {
  address: string;
  dbFile: string;
  /** SIGTERM (or SIGKILL), then the same command on the same port and state file. */
  restart(options?: { signal?: NodeJS.Signals; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** `temporal server start-dev` with a state file, so a restart keeps every run, timer and history. */
export async function startDevServer(options: { dbFile?: string } = {}): Promise<DevServer> {
  const cli = temporalCliPath();
  const port = await freePort();
  const dbFile = options.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-temporal-')), 'temporal.db');
  const address = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const logFile = `${dbFile}.log`;

  const launch = async () => {
    const httpPort = await freePort();
    const metricsPort = await freePort();
    const args = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--http-port',
      String(httpPort),
      '--metrics-port',
      String(metricsPort),
      '--headless',
      '--db-filename',
      dbFile,
      '--log-level',
      'error',
    ];
    // The package's own list (a hand-kept copy here once missed AdoptionOutcome, and completed runs would fail).
    args.push(...searchAttributeArgs());
    const out = fs.openSync(logFile, 'a');
    child = spawn(cli, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`temporal dev server exited (${child.exitCode}); log: ${logFile}\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await connection.close();
        }
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`temporal dev server not ready on ${address} after 60 s: ${(error as Error).message}`, { cause: error });
        await sleep(250);
      }
    }
  };
  await launch();
  return {
    address,
    dbFile,
    async restart({ signal = 'SIGTERM', downMs = 0 } = {}) {
      if (child) await stopChild(child, signal, 15_000);
      if (downMs) await sleep(downMs);
      await launch();
    },
    async stop() {
      if (child) await stopChild(child, 'SIGTERM', 15_000);
      // The state file is ours to remove when we chose where it lives.
      if (!options.dbFile) fs.rmSync(path.dirname(dbFile), { recursive: true, force: true });
    },
  };
}

export interface PostgresCluster {
  /** URL of the admin database, through the cut-off switch. */
  url: string;
  /** The server's own port (bypassing the switch). */
  directUrl: string;
  urlFor(database: string): string;
  /** pg_ctl restart -m fast: every connection is dropped, the server is back within seconds. */
  restart(): Promise<void>;
  /** For `ms`, connections through the switch are cut and refused (as an unreachable host would), then let through again. */
  cutOff(ms: number): Promise<void>;
  stop(): void;
}

function findPgBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot))
    candidates.push(
      ...fs
        .readdirSync(debianRoot)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debianRoot, v, 'bin')),
    );
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter));
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
  if (!dir) throw new Error('no initdb/pg_ctl found (apt-get install postgresql)');
  return dir;
}

/** A private cluster of our own (initdb + pg_ctl on its own port and data dir), as user postgres when root. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPgBin();
  const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-pg-'));
  if (runAs) spawnSync('chown', [runAs, dataDir]);
  const port = await freePort();
  const run = (file: string, args: string[]) => {
    const result = runAs
      ? spawnSync('runuser', ['-u', runAs, '--', path.join(bin, file), ...args], { encoding: 'utf8' })
      : spawnSync(path.join(bin, file), args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300`;
  const pgCtl = (action: string[]) =>
    run('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', path.join(dataDir, 'server.log'), '-w', '-t', '60', ...action]);
  pgCtl(['start']);

  const proxy = await startCutOffSwitch(port);
  const base = (p: number, database: string) => `postgres://postgres@127.0.0.1:${p}/${database}`;
  return {
    url: base(proxy.port, 'postgres'),
    directUrl: base(port, 'postgres'),
    urlFor: (database) => base(proxy.port, database),
    async restart() {
      pgCtl(['-m', 'fast', 'restart']);
    },
    async cutOff(ms) {
      await proxy.down();
      await sleep(ms);
      await proxy.up();
    },
    stop() {
      proxy.close();
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      } catch {
        /* already stopped */
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP relay on 127.0.0.1 in front of a server: `down()` destroys every relayed connection and stops listening
 * (new connections are refused), `up()` listens again on the same port.
 */
export async function startCutOffSwitch(targetPort: number): Promise<{ port: number; down(): Promise<void>; up(): Promise<void>; close(): void }> {
  const sockets = new Set<net.Socket>();
  const port = await freePort();
  let server: net.Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen();
  const down = async () => {
    const closing = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closing;
    server = undefined;
  };
  return {
    port,
    down,
    async up() {
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await listen();
        } catch (error) {
          if (attempt > 50) throw error;
          await sleep(100);
        }
      }
    },
    close() {
      void down();
    },
  };
}

/** A child Node process running one of this folder's scripts, killed only through its own handle. */
export interface ChildHandle {
  child: ChildProcess;
  ready: Promise<void>;
  output(): string;
}

export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv, readyLine: RegExp, readyTimeoutMs = 120_000): ChildHandle {
  const child = spawn(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(script)} not ready after ${readyTimeoutMs} ms:\n${output.slice(-3000)}`)),
      readyTimeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
      if (readyLine.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(script)} exited (${code ?? signal}) before ready:\n${output.slice(-3000)}`));
    });
  });
  ready.catch(() => undefined);
  return { child, ready, output: () => output };
}
