import fs from 'node:fs';
import path from 'node:path';
import { bundledModules, testWorkflowBundle } from '../test/support/workflow-bundle';

/**
 * The sandbox boundary, proven on the built bundle: every module webpack put into the workflow bundle is listed from
 * its source map and checked. Workflow code must not reach anything with I/O, clocks of its own or worker-only
 * dependencies; a step kind's `activity.ts` is the usual way to get that wrong (import it as a value, not a type).
 */
const ROOT = path.resolve(__dirname, '..');

const WORKER_ONLY_PACKAGES = [
  'pg',
  'nodemailer',
  'fastify',
  '@slack/web-api',
  'handlebars',
  'ajv',
  'yaml',
  '@electric-sql/pglite',
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
  'commander',
];
const ALLOWED_PACKAGES = ['@temporalio/common', '@temporalio/workflow', 'nexus-rpc', 'ms', 'long'];

/** The pure folders: the only project code the bundle may hold. Nothing else is excepted. */
const BUNDLE_SAFE_FOLDERS = ['workflows/', 'steps/', 'definitions/language/', 'adoption/model/'];
/** Inside steps/, each kind's I/O half: its activity, the Slack messages it renders, the built-in agents. */
const WORKER_ONLY_IN_STEPS = /(^|\/)activit(y|ies)\.ts$|^steps\/[^/]+\/(messages|agents)\//;

function sandboxProblems(modules: Pick<ReturnType<typeof bundledModules>, 'projectFiles' | 'packages' | 'other'>): string[] {
  const problems: string[] = [];
  for (const file of modules.projectFiles) {
    const inSafeFolder = BUNDLE_SAFE_FOLDERS.some((folder) => file.startsWith(folder));
    if (WORKER_ONLY_IN_STEPS.test(file) || !inSafeFolder) problems.push(`project module ${file} is worker-only`);
  }
  for (const name of modules.packages) {
    if (WORKER_ONLY_PACKAGES.includes(name)) problems.push(`package ${name} is worker-only`);
    else if (!ALLOWED_PACKAGES.includes(name)) problems.push(`package ${name} is not known to be bundle-safe`);
  }
  for (const source of modules.other) {
    if (/^node:|^(fs|path|crypto|net|http|https|os|child_process)$/.test(source)) problems.push(`Node module ${source}`);
  }
  return problems;
}

describe('the workflow bundle', () => {
  it('contains only bundle-safe modules: workflow code, step definitions and executors, pure core', async () => {
    const { codePath } = await testWorkflowBundle();
    const modules = bundledModules(fs.readFileSync(codePath, 'utf8'));
    expect(modules.projectFiles).toEqual(expect.arrayContaining(['workflows/enablement.ts', 'steps/index.ts', 'steps/send_email/executor.ts']));
    expect(sandboxProblems(modules)).toEqual([]);
  });

  it('has no clock, randomness, process or require of its own in any of our modules', async () => {
    const { codePath } = await testWorkflowBundle();
    const { projectFiles } = bundledModules(fs.readFileSync(codePath, 'utf8'));
    // The sandbox makes Date deterministic; steps/workflow-clock.ts is the one audited place that reads it.
    const offending = projectFiles
      .filter((file) => file !== 'steps/workflow-clock.ts')
      .filter((file) => /\bDate\.now\(|\bnew Date\(\)|Math\.random|\bprocess\.|\brequire\(/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('the check names each worker-only module it is shown', () => {
    const problems = sandboxProblems({
      projectFiles: [
        'workflows/enablement.ts',
        'steps/send_email/activity.ts',
        'steps/activities.ts',
        'steps/delegate_to_agent/agents/researcher.ts',
        'db/database.ts',
        'activities/index.ts',
      ],
      packages: ['@temporalio/workflow', 'pg', 'nodemailer', 'left-pad'],
      other: ['node:fs', 'webpack/bootstrap'],
    });
    expect(problems).toEqual([
      'project module steps/send_email/activity.ts is worker-only',
      'project module steps/activities.ts is worker-only',
      'project module steps/delegate_to_agent/agents/researcher.ts is worker-only',
      'project module db/database.ts is worker-only',
      'project module activities/index.ts is worker-only',
      'package pg is worker-only',
      'package nodemailer is worker-only',
      'package left-pad is not known to be bundle-safe',
      'Node module node:fs',
    ]);
  });
});
