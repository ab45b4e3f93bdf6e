import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The domain as a platform's own TypeScript calls it: `npm pack`, installed into a new project, a program that
 * imports `adoption-enablement/domain` compiled with `tsc --strict` against the package's own declarations, then run
 * on a real database: a customer and a catalog stored, usage ingested (a repeat is stored once), adoption read back.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
let project: string;
let database: TestDatabase;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-domain-'));
  await run('npm', ['pack', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const tarball = path.join(
    work,
    fs.readdirSync(work).find((name) => name.endsWith('.tgz'))!,
  );
  project = path.join(work, 'domain');
  fs.cpSync(path.join(__dirname, 'platform', 'domain'), project, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  manifest.dependencies = { 'adoption-enablement': `file:${tarball}` };
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--loglevel=error'], {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
  });
  database = await createTestDatabase();
}, 300_000);

afterAll(async () => {
  await database?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function writeTsconfig(moduleResolution: 'node10' | 'node16'): void {
  const options = {
    strict: true,
    target: 'ES2022',
    module: moduleResolution === 'node16' ? 'node16' : 'commonjs',
    moduleResolution,
    outDir: 'out',
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  };
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['platform.ts'] }, null, 2));
}

it('a platform stores customers and a catalog, ingests usage and reads adoption through the typed domain API', async () => {
  writeTsconfig('node16');
  await run('node', [TSC, '-p', project], { cwd: project });
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url ?? '', DATA_DIR: path.join(work, 'data') };
  if (!database.url) delete env.DATABASE_URL;
  const { stdout } = await run('node', ['out/platform.js'], { cwd: project, env, timeout: 120_000 });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  expect(line).toBeDefined();
  const result = JSON.parse(line!.slice('RESULT '.length));
  expect(result).toEqual({
    customers: 1,
    features: 2,
    usage: { read: 41, imported: 41, issues: 0 },
    again: { read: 5, imported: 0 },
    customerId: '5b0c3f3e-2f4c-4a43-9d61-0e5a3c1d2b10',
    reports: { stage: expect.any(String), usageScore: expect.any(Number) },
  });
  expect(result.reports.usageScore).toBeGreaterThan(0);
  const rows = await database.db.query<{ count: number }>(`SELECT COUNT(*)::int AS count FROM usage_events WHERE customer_id = $1`, [
    result.customerId,
  ]);
  if (database.url) expect(rows.rows[0].count).toBe(41);
});

it('a type error against the domain API fails the platform build', async () => {
  writeTsconfig('node16');
  const broken = path.join(project, 'broken.ts');
  fs.writeFileSync(broken, "import { upsertCustomers } from 'adoption-enablement/domain';\nvoid upsertCustomers(null as never, [{ id: 42 }]);\n");
  const failure = await run('node', [TSC, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', broken], {
    cwd: project,
  }).catch((error: { stdout: string }) => error);
  expect('stdout' in failure ? failure.stdout : '').toMatch(/broken\.ts\(2,\d+\): error TS2/);
});
