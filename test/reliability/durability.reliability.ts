import { loadShippedPlans, type Plan, type PlanStep } from '../../index';
import {
  approveAll,
  atApproval,
  atFollowUp,
  exactly,
  mapLimit,
  queryState,
  record,
  scaled,
  seedRuns,
  startAll,
  waitForAll,
  tasksCreated,
  emailsSent,
} from './harness';
import { scenarioEnv } from './scenario-env';
import { sleep } from './servers';

/**
 * Item 6: runs parked at the follow-up timer across a restart of the dev server (its SQLite state file kept): every
 * one wakes, measures adoption, DMs the outcome and completes. The shipped plan with the follow-up shortened from
 * 14 days to `WAIT_SECONDS` (as scripts/record-histories.record.ts shortens it), so the timers fire after the restart.
 */
const only = process.env.RELIABILITY_SCENARIOS?.split(',');
const enabled = (id: string) => !only || only.includes(id);

function withShortFollowUp(plan: Plan, seconds: number): Plan {
  const steps = plan.steps.map((step): PlanStep => (step.action === 'wait' ? ({ ...step, config: { ...step.config, seconds } } as PlanStep) : step));
  return { ...plan, version: `${plan.version}-short`, steps };
}

(enabled('6') ? test : test.skip)('6. runs parked at the follow-up timer across a dev-server restart all wake and complete', async () => {
  const env = await scenarioEnv('durability');
  const n = scaled(200, 20);
  // Long enough for every run to park and the server to restart; short enough for the suite.
  const waitSeconds = Number(process.env.RELIABILITY_FOLLOW_UP_SECONDS || 120 + Math.ceil(n * 1.5));
  try {
    const runs = await seedRuns(env.db, n, 't');
    await env.worker.start();
    const plans = loadShippedPlans().map((plan) => withShortFollowUp(plan, waitSeconds));
    const began = Date.now();
    await startAll(env.client, env.db, runs, plans, env.taskQueue);
    await waitForAll(env.client, runs, atApproval, 10 * 60_000, '6. durability at approval', tasksCreated(env.db, runs));
    await approveAll(env.client, runs);
    await waitForAll(env.client, runs, atFollowUp, 10 * 60_000, '6. durability at follow-up', emailsSent(env.db, runs));
    const states = await mapLimit(runs, 16, (run) => queryState(env.client, run.workflowId));
    const parked = states.filter(atFollowUp).length;
    const parkedAfter = Math.round((Date.now() - began) / 1000);

    await env.dev.restart({ signal: 'SIGTERM', downMs: 3_000 });
    if (!env.worker.alive) await env.worker.start();

    // Every timer fires within waitSeconds of its start; allow the backlog after that.
    const deadline = Date.now() + waitSeconds * 1000 + 10 * 60_000;
    let completed = 0;
    while (Date.now() < deadline) {
      completed = (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Completed'`)).count;
      if (completed >= n) break;
      if (!env.worker.alive) await env.worker.start();
      await sleep(3_000);
    }
    const failed = (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Failed'`)).count;
    const dms = exactly(runs, (run) => env.slack.deliveredTo(run.channel).length, 2);
    const impacts = (
      await env.db.query<{ n: number }>(
        `SELECT COUNT(DISTINCT idempotency_key)::int AS n FROM outbox WHERE channel = 'slack' AND delivered AND idempotency_key LIKE '%/report_outcome'`,
      )
    ).rows[0].n;
    record({
      scenario: '6. runs parked at the follow-up timer across a dev-server restart',
      tried: `${n} runs, follow-up shortened to ${waitSeconds}s; ${parked} parked at the timer ${parkedAfter}s after start; dev server SIGTERMed and restarted on its state file (worker restarted ${env.worker.starts - 1}x)`,
      counted: `${completed} completed, ${failed} failed; ${dms.total} DMs at the Slack server, ${dms.exact} runs with exactly 2 (alert + outcome); ${impacts} outcome DMs recorded`,
      expected: `${n}, 0; ${2 * n}, ${n}; ${n}`,
      ok: parked === n && completed === n && failed === 0 && dms.total === 2 * n && dms.exact === n && impacts === n,
    });
    expect({ parked, completed, failed, dms: dms.exact, total: dms.total }).toEqual({ parked: n, completed: n, failed: 0, dms: n, total: 2 * n });
  } finally {
    await env.dispose();
  }
});
