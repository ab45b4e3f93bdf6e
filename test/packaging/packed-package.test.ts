import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The package as a platform gets it: `npm pack`, installed from the tarball into a new project that has a workflow
 * and an activity of its own, one worker with the plugin on the dev server running both its own workflow and an
 * enablement run to the CSM's approval, then our committed histories replayed through the plugin. Once from a
 * CommonJS project (require, the worker bundles the platform's workflows file) and once from an ESM project
 * (import, the platform bundles with the plugin itself; a workflows file without the re-export is refused).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PLATFORM = path.join(__dirname, 'platform');
const run = promisify(execFile);
const SDK_VERSION = JSON.parse(fs.readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')).version as string;

let work: string;
let project: string;
let tarball: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-packed-'));
  // `npm pack` runs `prepare` (the build: dist/, the workflow bundle, the histories) before packing.
  await run('npm', ['pack', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  tarball = path.join(
    work,
    fs.readdirSync(work).find((name) => name.endsWith('.tgz'))!,
  );

  project = path.join(work, 'platform');
  fs.cpSync(PLATFORM, project, { recursive: true });
  const sdk = Object.fromEntries(['activity', 'client', 'common', 'worker', 'workflow'].map((name) => [`@temporalio/${name}`, SDK_VERSION]));
  const manifest = { name: 'platform', private: true, dependencies: { 'adoption-enablement': `file:${tarball}`, ...sdk } };
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  // The registry only for what the local npm cache lacks; no install scripts (none of ours or the SDK's is needed).
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
}, 300_000);

afterAll(async () => {
  for (const database of databases) await database.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

interface PlatformResult {
  own: string;
  started: boolean;
  waitingFor: string;
  afterApproval: string;
  outbox: Array<{ channel: string; recipient: string }>;
  replayed: string[];
  missingError?: { isMissingWorkflowsError: boolean; message: string };
}

async function runPlatformWorker(kind: 'cjs' | 'esm'): Promise<PlatformResult> {
  const database = await createTestDatabase();
  databases.push(database);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TASK_QUEUE: `platform-${kind}-${randomUUID()}`,
    DATABASE_URL: database.url ?? '',
    // On the PGlite fallback the child opens an embedded store of its own.
    DATA_DIR: path.join(work, `data-${kind}`),
  };
  if (!database.url) delete env.DATABASE_URL;
  const { stdout } = await run('node', ['worker.js'], { cwd: path.join(project, kind), env, maxBuffer: 64 * 1024 * 1024, timeout: 150_000 });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (!line) throw new Error(`the ${kind} platform worker printed no result:\n${stdout.slice(-4000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as PlatformResult;
}

function expectEnablementAndOwnWorkflow(result: PlatformResult, name: string): void {
  expect(result.own).toBe(`welcome aboard, ${name}`);
  expect(result.started).toBe(true);
  expect(result.waitingFor).toBe('CSM approval of the enablement email');
  expect(result.afterApproval).toBe('wait_for_adoption');
  expect(result.outbox).toEqual([
    { channel: 'slack', recipient: 'U0CSM0001' },
    { channel: 'email', recipient: 'priya@techcorp.example' },
  ]);
  expect(result.replayed).toEqual(expect.arrayContaining(['enablement-happy-path', 'detection-scheduled']));
  expect(result.replayed).toHaveLength(fs.readdirSync(path.join(ROOT, 'test', 'replay', 'histories')).filter((f) => f.endsWith('.json')).length);
}

it('the tarball holds what a platform needs and no tests or fixtures', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout
    .split('\n')
    .filter(Boolean)
    .map((file) => file.replace(/^package\//, ''));
  for (const needed of [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'dist/index.js',
    'dist/plugin/index.d.ts',
    'dist/workflows/index.js',
    'dist/testing/index.js',
    'dist/workflow-bundle.js',
    'dist/testing/histories/enablement-happy-path.binpb',
    // The documented starting point for a team's own rules (`ADOPTION_CONFIG`).
    'adoption.config.yaml',
  ]) {
    expect(files).toContain(needed);
  }
  expect(files.filter((file) => file.startsWith('db/migrations/')).length).toBeGreaterThan(0);
  expect(files.filter((file) => file.endsWith('.yaml')).length).toBeGreaterThan(0);
  expect(files.filter((file) => /(^|\/)test\/|\.test\.|\.map$|fixtures\/|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
});

it('a CommonJS platform (require) runs its own workflow and an enablement run to approval, then replays our histories', async () => {
  expectEnablementAndOwnWorkflow(await runPlatformWorker('cjs'), 'Ada');
});

it('an ESM platform (import) does the same, and a workflows file without the re-export is refused with the line to add', async () => {
  const result = await runPlatformWorker('esm');
  expectEnablementAndOwnWorkflow(result, 'Grace');
  expect(result.missingError?.isMissingWorkflowsError).toBe(true);
  expect(result.missingError?.message).toContain('workflows-without-ours.js does not export enablementWorkflow, detectionWorkflow');
  expect(result.missingError?.message).toContain("export * from 'adoption-enablement/workflows';");
});
