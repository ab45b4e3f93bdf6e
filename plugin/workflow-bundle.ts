import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

/** Where `npm run build` writes the prebuilt bundle, beside the compiled code. */
export const PREBUILT_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

/** The workflows entry point, as TypeScript source or compiled JavaScript, whichever this file runs from. */
const WORKFLOWS_PATH = require.resolve('../workflows');

export async function buildWorkflowBundle(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
}

/** The prebuilt bundle when there is one (fast worker start, no webpack in production); otherwise bundle now. */
export async function workflowBundle(): Promise<WorkflowBundleOption> {
  if (fs.existsSync(PREBUILT_BUNDLE_PATH)) return { codePath: PREBUILT_BUNDLE_PATH };
  return buildWorkflowBundle();
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
};
