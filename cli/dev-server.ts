import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { packageRoot } from '../package-root';
import { PROVISIONED_PATHS_FILE, temporalBinaries } from './temporal-binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * The Temporal dev server `npm start` runs for you (the official `temporal` CLI, Web UI included), keeping its state
 * beside the embedded store so runs survive a restart.
 */
export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const CLI_TYPE: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', DOUBLE: 'Double' };

/** `--search-attribute Name=Type` for every attribute our runs carry, for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
}

/** TEMPORAL_CLI_PATH, else what the provisioning script installed, else `temporal` on PATH. */
function findTemporalCli(): string {
  if (!temporalBinaries().cli && !fs.existsSync(PROVISIONED_PATHS_FILE)) {
    spawnSync(process.execPath, [path.join(packageRoot(), 'scripts', 'provision-temporal.js')], { stdio: 'inherit' });
  }
  const { cli } = temporalBinaries();
  if (cli && fs.existsSync(cli)) return cli;
  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  throw new Error('no `temporal` CLI: set TEMPORAL_CLI_PATH, or TEMPORAL_ADDRESS to use a running Temporal server');
}

export async function startDevServer(options: { dataDir: string; port?: number; uiPort?: number }): Promise<DevServer> {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  if (await isListening(port)) throw new Error(`port ${port} is taken: another Temporal server? set TEMPORAL_ADDRESS to use it`);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--db-filename',
    path.join(options.dataDir, 'temporal.sqlite'),
    '--log-level',
    'error',
  ];
  args.push(...searchAttributeArgs());
  const child: ChildProcess = spawn(findTemporalCli(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let attempt = 0; attempt < 300 && !(await isListening(port)); attempt += 1) {
    if (exited) throw new Error(`the Temporal dev server exited at start (exit code ${child.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    async stop() {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    },
  };
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
