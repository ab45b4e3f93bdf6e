import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { compileDefinition, loadShippedPlans, type Plan } from '../../index';
import {
  approveAll,
  atApproval,
  atFollowUp,
  emailsSent,
  exactly,
  mapLimit,
  queryState,
  record,
  scaled,
  seedRuns,
  startAll,
  taskCounts,
  tasksCreated,
  waitForAll,
} from './harness';
import { scenarioEnv } from './scenario-env';
import { PROJECT_ROOT } from './servers';

/**
 * Item 8: upgrade safety. (a) Every committed history (recorded by earlier releases' workers) replays on today's
 * workflow bundle. (b) The shipped definition is edited (a new version, one more task) while runs of it are in flight:
 * those keep their pinned plan (2 tasks), new runs take the edit (one more step, 3 tasks), and both are found by
 * `DefinitionVersion` in Temporal's visibility (what the Web UI searches).
 */
const only = process.env.RELIABILITY_SCENARIOS?.split(',');
/** The version the edited definition gets: never the shipped one. */
const EDITED_VERSION = 'edited-in-flight';
const enabled = (id: string) => !only || only.includes(id);

function editedDefinition(): Plan {
  const file = path.join(PROJECT_ROOT, 'definitions', 'feature_adoption_enablement.yaml');
  const source = fs.readFileSync(file, 'utf8');
  // Whatever the shipped version is, the edit is a version of its own.
  const lines = source.replace(/^version:.*$/m, `version: "${EDITED_VERSION}"`).split('\n');
  let at = lines.findIndex((line) => line.startsWith('  - id: await_approval'));
  if (at < 0) throw new Error('the shipped definition has no await_approval step to insert before');
  while (at > 0 && lines[at - 1].trimStart().startsWith('#')) at -= 1;
  lines.splice(
    at,
    0,
    '  - id: book_training',
    '    action: create_task',
    '    config:',
    '      title: "Book a training session on {{feature_name}} for {{customer.name}}"',
    '      due_date_offset_days: 7',
    '      priority: medium',
    '',
  );
  const edited = lines.join('\n');
  const { plan, diagnostics } = compileDefinition(edited, 'feature_adoption_enablement.yaml');
  if (!plan) throw new Error(`the edited definition does not compile: ${JSON.stringify(diagnostics)}`);
  return plan;
}

(enabled('8') ? test : test.skip)('8. upgrade safety: committed histories replay; runs keep their pinned plan across a definition edit', async () => {
  // (a) histories recorded by earlier workers, replayed on this bundle.
  const dir = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  let replayed = 0;
  const replayErrors: string[] = [];
  for (const file of files) {
    try {
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: process.env.RELIABILITY_BUNDLE! } },
        historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))),
        file,
      );
      replayed += 1;
    } catch (error) {
      replayErrors.push(`${file}: ${(error as Error).message.slice(0, 120)}`);
    }
  }
  record({
    scenario: '8. committed histories (earlier releases) replay on this worker',
    tried: `${files.length} histories in test/replay/histories`,
    counted: `${replayed} replayed without nondeterminism${replayErrors.length ? `; ${replayErrors.join('; ')}` : ''}`,
    expected: `${files.length}`,
    ok: files.length > 0 && replayed === files.length,
  });

  // (b) an edit while runs are in flight.
  const env = await scenarioEnv('upgrade');
  const k = scaled(50, 10);
  try {
    const oldRuns = await seedRuns(env.db, k, 'o');
    const newRuns = await seedRuns(env.db, k, 'n');
    await env.worker.start();
    const [shipped] = loadShippedPlans();
    await startAll(env.client, env.db, oldRuns, [shipped], env.taskQueue);
    await waitForAll(env.client, oldRuns, atApproval, 10 * 60_000, '8. upgrade: shipped-definition runs at approval', tasksCreated(env.db, oldRuns));
    const edited = editedDefinition();
    await startAll(env.client, env.db, newRuns, [edited], env.taskQueue);
    await waitForAll(env.client, newRuns, atApproval, 10 * 60_000, '8. upgrade: edited-definition runs at approval', tasksCreated(env.db, newRuns));
    await approveAll(env.client, [...oldRuns, ...newRuns]);
    const all = [...oldRuns, ...newRuns];
    const reached = await waitForAll(env.client, all, atFollowUp, 10 * 60_000, '8. upgrade at follow-up', emailsSent(env.db, all));
    const oldStates = await mapLimit(oldRuns, 16, (run) => queryState(env.client, run.workflowId));
    const newStates = await mapLimit(newRuns, 16, (run) => queryState(env.client, run.workflowId));
    const oldPinned = oldStates.filter((s) => s?.definition.version === shipped.version && s.step.total === shipped.steps.length).length;
    const newTook = newStates.filter((s) => s?.definition.version === EDITED_VERSION && s.step.total === edited.steps.length).length;
    const tasks = await taskCounts(env.db);
    const oldTasks = exactly(oldRuns, (run) => tasks.get(run.workflowId) ?? 0, 2);
    const newTasks = exactly(newRuns, (run) => tasks.get(run.workflowId) ?? 0, 3);
    const byVersion = async (version: string) =>
      (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND DefinitionVersion = '${shipped.name}@${version}'`)).count;
    const visibleOld = await byVersion(shipped.version);
    const visibleNew = await byVersion(EDITED_VERSION);
    record({
      scenario: '8. definition edited while runs are in flight',
      tried: `${k} runs of ${shipped.name}@${shipped.version} parked at approval, then the YAML edited to ${EDITED_VERSION} (+1 task step) and ${k} new runs`,
      counted: `old: ${oldPinned} kept ${shipped.version} (${shipped.steps.length} steps), ${oldTasks.exact} with 2 tasks; new: ${newTook} on ${EDITED_VERSION} (${edited.steps.length} steps), ${newTasks.exact} with 3 tasks; DefinitionVersion search: ${visibleOld} @${shipped.version}, ${visibleNew} @${EDITED_VERSION}; ${reached} at follow-up`,
      expected: `${k}, ${k}; ${k}, ${k}; ${k}, ${k}; ${2 * k}`,
      ok:
        oldPinned === k && oldTasks.exact === k && newTook === k && newTasks.exact === k && visibleOld === k && visibleNew === k && reached === 2 * k,
    });
    expect(replayErrors).toEqual([]);
    expect({ oldPinned, newTook, old: oldTasks.exact, new: newTasks.exact, visibleOld, visibleNew, reached }).toEqual({
      oldPinned: k,
      newTook: k,
      old: k,
      new: k,
      visibleOld: k,
      visibleNew: k,
      reached: 2 * k,
    });
  } finally {
    await env.dispose();
  }
});
