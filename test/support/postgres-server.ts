import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The Postgres the tests run against, chosen once per `npm test`:
 *   1. DATABASE_URL, when set (CI can point at any server);
 *   2. a private throwaway cluster made with this machine's initdb/pg_ctl (Debian's postgresql in CI);
 *   3. embedded PGlite, when no server binaries exist, so `npm test` still runs everywhere (and says so).
 */
export type PostgresChoice =
  { kind: 'url'; url: string } | { kind: 'cluster'; url: string; dataDir: string; pgCtl: string; runAs?: string } | { kind: 'pglite' };

export async function startTestPostgres(): Promise<PostgresChoice> {
  if (process.env.DATABASE_URL) return { kind: 'url', url: process.env.DATABASE_URL };
  const binDir = findPostgresBinDir();
  if (!binDir) return { kind: 'pglite' };
  const initdb = path.join(binDir, 'initdb');
  const pgCtl = path.join(binDir, 'pg_ctl');
  // Postgres refuses to run as root; the Debian package creates a `postgres` user for exactly this.
  const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-pg-'));
  if (runAs) execFileSync('chown', [runAs, dataDir]);
  const port = await freePort();
  const run = (file: string, args: string[]) => {
    const command = runAs ? 'runuser' : file;
    const fullArgs = runAs ? ['-u', runAs, '--', file, ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  };
  try {
    run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
    run(pgCtl, ['-D', dataDir, '-o', serverOptions, '-l', path.join(dataDir, 'server.log'), '-w', 'start']);
  } catch (error) {
    // A set-up failing half-way leaves nothing behind: no data directory, no half-started server.
    stopTestPostgres({ kind: 'cluster', url: '', dataDir, pgCtl, runAs });
    throw error;
  }
  return { kind: 'cluster', url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, pgCtl, runAs };
}

export function stopTestPostgres(choice: PostgresChoice): void {
  if (choice.kind !== 'cluster') return;
  const args = ['-D', choice.dataDir, '-m', 'immediate', 'stop'];
  if (choice.runAs) spawnSync('runuser', ['-u', choice.runAs, '--', choice.pgCtl, ...args]);
  else spawnSync(choice.pgCtl, args);
  fs.rmSync(choice.dataDir, { recursive: true, force: true });
}

function findPostgresBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs.readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debianRoot, version, 'bin')));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) candidates.push(dir);
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
}

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
