import fs from 'node:fs';
import path from 'node:path';
import { Worker, type ReplayResult, type ReplayWorkerOptions } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { packageRoot } from '../package-root';

/**
 * Our committed replay histories: recorded from real dev-server runs of every scenario, never regenerated. In the
 * package they sit in `dist/testing/histories/` (copied at build); in this repository in `test/replay/histories/`.
 */
export function historiesDir(): string {
  const packaged = path.join(__dirname, 'histories');
  if (fs.existsSync(packaged)) return packaged;
  return path.join(packageRoot(__dirname), 'test', 'replay', 'histories');
}

/** File names of the committed histories (`enablement-happy-path.json`, `detection-scheduled.json`, ...). */
export function listHistories(): string[] {
  return fs
    .readdirSync(historiesDir())
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/**
 * One history, ready for `Worker.runReplayHistory`; its workflow id is the file name without `.json`. The package
 * loads the binary copy written at build (see copy-histories.ts); this repository parses the committed JSON.
 */
export function loadHistory(name: string): { workflowId: string; history: temporal.api.history.v1.IHistory } {
  const workflowId = name.replace(/\.json$/, '');
  const binary = path.join(historiesDir(), `${workflowId}.binpb`);
  if (fs.existsSync(binary)) return { workflowId, history: temporal.api.history.v1.History.decode(fs.readFileSync(binary)) };
  const json = JSON.parse(fs.readFileSync(path.join(historiesDir(), `${workflowId}.json`), 'utf8'));
  return { workflowId, history: historyFromJSON(json) };
}

export class ReplayFailedError extends Error {
  override readonly name = 'ReplayFailedError';
  constructor(readonly failures: ReplayResult[]) {
    super(
      `${failures.length} of our committed histories failed to replay:\n` +
        failures.map((result) => `  ${result.workflowId}: ${result.error?.message ?? 'unknown error'}`).join('\n'),
    );
  }
}

/**
 * Replays every committed history on the given replay worker options, as a platform wires its worker, e.g.
 * `replayAll({ workflowsPath: require.resolve('./workflows'), plugins: [plugin] })` or `replayAll({ plugins: [plugin] })`.
 * Resolves with the replayed workflow ids; rejects with `ReplayFailedError` naming each history that failed.
 */
export async function replayAll(options: ReplayWorkerOptions, names: string[] = listHistories()): Promise<string[]> {
  const failures: ReplayResult[] = [];
  const replayed: string[] = [];
  const histories = names.map((name) => loadHistory(name));
  for await (const result of Worker.runReplayHistories(options, histories)) {
    replayed.push(result.workflowId);
    if (result.error) failures.push(result);
  }
  if (failures.length > 0) throw new ReplayFailedError(failures);
  return replayed;
}
