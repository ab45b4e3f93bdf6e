import fs from 'node:fs';
import { PREBUILT_BUNDLE_PATH, buildWorkflowBundle } from '../plugin/workflow-bundle';

/** `npm run build` step: writes the prebuilt workflow bundle the worker loads. */
async function main(): Promise<void> {
  const { code } = await buildWorkflowBundle();
  fs.writeFileSync(PREBUILT_BUNDLE_PATH, code);
  process.stdout.write(`workflow bundle: ${PREBUILT_BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`building the workflow bundle failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
