import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, record } from './harness';
import { PROJECT_ROOT, freePort, sleep, spawnNode, startDevServer, stopChild, waitForExit, type DevServer } from './servers';

/**
 * Item 7: Ctrl-C (SIGINT) and SIGTERM on `start`, `worker`, `listen` and `api` drain and exit 0; a second Ctrl-C
 * while draining exits at once. And the main test harness (`npx jest`) stops the Postgres cluster it started when
 * its set-up fails half-way (no Temporal binary).
 */
const only = process.env.RELIABILITY_SCENARIOS?.split(',');
const enabled = (id: string) => !only || only.includes(id);
const HOOK = path.join(__dirname, 'ts-hook.js');
const CLI = path.join(PROJECT_ROOT, 'cli', 'main.ts');

interface CommandCase {
  name: 'start' | 'worker' | 'listen' | 'api';
  args: (port: number) => string[];
  ready: RegExp;
}

const COMMANDS: CommandCase[] = [
  { name: 'start', args: (port) => ['start', '--no-demo', '--api-port', String(port)], ready: /running; Ctrl-C to stop/ },
  { name: 'worker', args: () => ['worker'], ready: /worker on / },
  { name: 'listen', args: () => ['listen'], ready: /listening for risk_signal_created/ },
  { name: 'api', args: (port) => ['api', '--port', String(port)], ready: /API on / },
];

(enabled('7') ? describe : describe.skip)('7. clean shutdown', () => {
  let dev: DevServer;
  let databaseUrl: string;
  let closeDb: () => Promise<void>;

  beforeAll(async () => {
    dev = await startDevServer();
    const database = await createDatabase();
    databaseUrl = database.url;
    closeDb = () => database.db.close();
  });
  afterAll(async () => {
    await closeDb?.();
    await dev?.stop();
  });

  async function launch(command: CommandCase) {
    const port = await freePort();
    const handle = spawnNode(
      CLI,
      command.args(port),
      {
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: dev.address,
        TEMPORAL_TASK_QUEUE: `reliability-shutdown-${command.name}`,
        NODE_OPTIONS: `--require ${HOOK}`,
        SLACK_BOT_TOKEN: '',
        SMTP_URL: '',
      },
      command.ready,
      180_000,
    );
    await handle.ready;
    return handle;
  }

  test('SIGINT and SIGTERM drain and exit 0; a second Ctrl-C exits at once', async () => {
    const outcomes: string[] = [];
    let clean = 0;
    let tried = 0;
    for (const command of COMMANDS) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        tried += 1;
        const handle = await launch(command);
        const sent = Date.now();
        handle.child.kill(signal);
        const exited = await waitForExit(handle.child, 60_000);
        if (!exited) await stopChild(handle.child, 'SIGKILL');
        const code = handle.child.exitCode;
        const ms = Date.now() - sent;
        const ok = exited && code === 0 && !/Not running/.test(handle.output());
        if (ok) clean += 1;
        else outcomes.push(`${command.name} ${signal}: exit ${code ?? handle.child.signalCode} after ${ms} ms: ${handle.output().slice(-400)}`);
      }
    }
    // A second Ctrl-C while draining: `start` and `worker` (the ones with a worker to drain).
    let immediate = 0;
    for (const command of COMMANDS.filter((c) => c.name === 'start' || c.name === 'worker')) {
      const handle = await launch(command);
      handle.child.kill('SIGINT');
      await sleep(50);
      const second = Date.now();
      handle.child.kill('SIGINT');
      const exited = await waitForExit(handle.child, 5_000);
      if (!exited) await stopChild(handle.child, 'SIGKILL');
      const ms = Date.now() - second;
      // 130 from the second-signal handler; 0, or killed by that SIGINT, if the drain had already finished within
      // those 50 ms and the process was on its way out.
      if (exited && ms < 5_000 && (handle.child.exitCode === 130 || handle.child.exitCode === 0 || handle.child.signalCode === 'SIGINT'))
        immediate += 1;
      else outcomes.push(`${command.name} second SIGINT: exit ${handle.child.exitCode ?? handle.child.signalCode} after ${ms} ms`);
    }
    record({
      scenario: '7. Ctrl-C / SIGTERM on start, worker, listen, api',
      tried: `${tried} runs (4 commands x SIGINT, SIGTERM); 2 double Ctrl-C (start, worker)`,
      counted: `${clean} drained and exited 0; ${immediate} exited at once on the second Ctrl-C${outcomes.length ? `; ${outcomes.join(' / ').slice(0, 300)}` : ''}`,
      expected: `${tried}; 2`,
      ok: clean === tried && immediate === 2,
    });
    expect(outcomes).toEqual([]);
  });

  test('the main test harness stops its Postgres cluster when its set-up fails half-way', async () => {
    // A private TMPDIR: the harness's cluster data dir lands there, so what it leaves behind is ours to see.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-harness-'));
    fs.chmodSync(tmp, 0o755); // the cluster runs as user postgres when we are root: it must reach its data dir
    try {
      const jest = spawn(
        process.execPath,
        [
          '--experimental-vm-modules',
          path.join(PROJECT_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--runInBand',
          '--cacheDirectory',
          path.join(os.tmpdir(), 'jest_0'),
          '--testPathPattern',
          'test/unit/',
          '--testNamePattern',
          'no-such-test-name-reliability',
        ],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, TMPDIR: tmp, TEMPORAL_CLI_PATH: path.join(tmp, 'no-temporal-binary'), DATABASE_URL: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      jest.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      jest.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      if (!(await waitForExit(jest, 600_000))) await stopChild(jest, 'SIGTERM');
      const result = { status: jest.exitCode, stdout: output, stderr: '' };
      const leftDirs = fs.readdirSync(tmp).filter((name) => name.startsWith('adoption-pg-'));
      const running = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((line) => line.includes(tmp) && line.includes('postgres'));
      for (const line of running) {
        // Only a postmaster of this test's own TMPDIR: stop it by its data dir.
        const dataDir = /-D\s+(\S+)/.exec(line)?.[1];
        if (dataDir) spawnSync('runuser', ['-u', 'postgres', '--', 'pg_ctl', '-D', dataDir, '-m', 'immediate', 'stop']);
      }
      const failedAsExpected =
        result.status !== 0 && /TEMPORAL_CLI_PATH|no-temporal-binary|Temporal dev server/.test(`${result.stdout}${result.stderr}`);
      record({
        scenario: '7. `npx jest` set-up failing half-way (no Temporal binary)',
        tried: 'jest with TEMPORAL_CLI_PATH pointing nowhere',
        counted: `set-up failed: ${failedAsExpected ? 'yes' : `no (exit ${result.status}: ${result.stdout.slice(-300)})`}; Postgres servers left running: ${running.length}; data dirs left: ${leftDirs.length}`,
        expected: 'yes; 0; 0',
        ok: failedAsExpected && running.length === 0 && leftDirs.length === 0,
      });
      expect({ failedAsExpected, running: running.length, leftDirs: leftDirs.length }).toEqual({ failedAsExpected: true, running: 0, leftDirs: 0 });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
