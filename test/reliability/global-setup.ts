import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildWorkflowBundle } from '../../index';
import { startPostgresCluster, type PostgresCluster } from './servers';

/**
 * The suite's shared pieces: a private Postgres cluster (scenarios that restart or cut off Postgres start their own)
 * and the workflow bundle, built once from the working tree, that every worker child loads. If anything fails
 * half-way, what was started is stopped before the error propagates.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-'));
  let cluster: PostgresCluster | undefined;
  try {
    cluster = await startPostgresCluster();
    const { code } = await buildWorkflowBundle();
    const bundle = path.join(dir, 'workflow-bundle.js');
    fs.writeFileSync(bundle, code);
    process.env.RELIABILITY_PG_URL = cluster.url;
    process.env.RELIABILITY_BUNDLE = bundle;
    process.env.RELIABILITY_RESULTS = path.join(dir, 'results.jsonl');
    process.env.RELIABILITY_STARTED = String(started);
    fs.writeFileSync(process.env.RELIABILITY_RESULTS, '');
    (globalThis as Record<string, unknown>).__reliability = { cluster, dir };
    process.stderr.write(
      `\n[reliability] Postgres ${cluster.directUrl}; bundle ${bundle}; RELIABILITY_RUNS=${process.env.RELIABILITY_RUNS || 1000}\n`,
    );
  } catch (error) {
    cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
