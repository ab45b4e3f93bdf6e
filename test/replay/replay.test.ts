import fs from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { testWorkflowBundle } from '../support/workflow-bundle';

/** Every committed history must replay on the current workflow code (see HISTORIES.md: never regenerate them). */
const HISTORIES_DIR = path.join(__dirname, 'histories');
const historyFiles = fs
  .readdirSync(HISTORIES_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();

function loadHistory(file: string) {
  return historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
}

describe('replay of committed histories', () => {
  it('has the recorded scenarios', () => {
    expect(historyFiles).toEqual(
      expect.arrayContaining([
        'enablement-happy-path.json',
        'enablement-email-rejected.json',
        'enablement-approval-timed-out.json',
        'enablement-recovered-early.json',
        'enablement-three-stalled-features.json',
        'enablement-agent-fails-twice.json',
        'enablement-feature-not-needed.json',
        'enablement-training-booked.json',
        'enablement-resources-shared.json',
        'detection-explicit-day.json',
        'detection-scheduled.json',
        'detection-follow-up-sweep.json',
      ]),
    );
  });

  it.each(historyFiles)('%s replays on the current workflow code', async (file) => {
    const bundle = await testWorkflowBundle();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, loadHistory(file), file)).resolves.toBeUndefined();
  });

  it('a deliberately changed interpreter fails replay with a determinism error', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: require.resolve('./changed-interpreter/workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const replay = Worker.runReplayHistory({ workflowBundle: changed }, loadHistory('enablement-happy-path.json'), 'changed');
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
