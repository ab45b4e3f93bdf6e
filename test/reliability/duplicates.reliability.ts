import path from 'node:path';
import { loadShippedPlans, startEnablementForSignal, startListener } from '../../index';
import {
  atApproval,
  exactly,
  insertSignals,
  prng,
  record,
  scaled,
  seedRuns,
  waitForAll,
  tasksCreated,
  type SeededRun,
  ENABLEMENT_RUNS,
} from './harness';
import { scenarioEnv } from './scenario-env';
import { PROJECT_ROOT, sleep, spawnNode, waitForExit } from './servers';

/**
 * Item 5: the same signal started 10 times concurrently, through `trigger` (the command and the function it calls),
 * the listener and the detection workflow: one run per signal, none missed. Then the listener is stopped and started
 * again several times while signals keep arriving: none missed, none doubled. Counted in Temporal (runs per task
 * queue), at the Slack-protocol server (one DM per run) and in Postgres (every signal handled).
 */
const only = process.env.RELIABILITY_SCENARIOS?.split(',');
const enabled = (id: string) => !only || only.includes(id);
const AS_OF = '2020-01-01';
const quiet = () => undefined;

(enabled('5') ? test : test.skip)('5. duplicate triggers and a restarted listener: one run per signal, none missed', async () => {
  const env = await scenarioEnv('duplicates');
  const plans = loadShippedPlans();
  const random = prng(Number(process.env.RELIABILITY_SEED || 5));
  const d = scaled(100, 20);
  const r = scaled(100, 20);
  try {
    await env.worker.start();

    // --- 10 concurrent starts per signal: 7 through the trigger function, 1 `trigger` command for some, the
    // listener (NOTIFY on insert), the detection workflow (the signals are stored as its own, as of AS_OF).
    const dupRuns = await seedRuns(env.db, d, 'd', { withSignals: false });
    let listenerStarts = 0;
    const listener = await startListener({
      db: env.db,
      client: env.client,
      plans,
      taskQueue: env.taskQueue,
      log: quiet,
      onStarted: (result) => (listenerStarts += result.started ? 1 : 0),
    });
    await insertSignals(env.db, dupRuns);
    await env.db.query(`UPDATE risk_signals SET as_of = $1::date, details = '{"source":"detection"}'::jsonb WHERE id = ANY($2::uuid[])`, [
      AS_OF,
      dupRuns.map((run) => run.signalId),
    ]);
    const detection = env.client.workflow.start('detectionWorkflow', {
      workflowId: `reliability-detection-${Date.now()}`,
      taskQueue: env.taskQueue,
      args: [{ asOf: AS_OF }],
    });
    const cliRuns = dupRuns.slice(0, 3);
    const cli = cliRuns.map((run) =>
      spawnNode(
        path.join(PROJECT_ROOT, 'cli', 'main.ts'),
        ['trigger', '--signal-id', run.signalId],
        {
          DATABASE_URL: env.databaseUrl,
          TEMPORAL_ADDRESS: env.dev.address,
          TEMPORAL_TASK_QUEUE: env.taskQueue,
          NODE_OPTIONS: `--require ${path.join(__dirname, 'ts-hook.js')}`,
        },
        /adoption-stalled\//,
      ),
    );
    const calls = await Promise.all(
      dupRuns.flatMap((run) =>
        Array.from({ length: 7 }, () =>
          startEnablementForSignal({ client: env.client, db: env.db, signalId: run.signalId, plans, taskQueue: env.taskQueue }),
        ),
      ),
    );
    const triggerStarts = calls.filter((c) => c.started).length;
    const cliOk = (await Promise.all(cli.map(async (c) => (await waitForExit(c.child, 120_000)) && c.child.exitCode === 0))).filter(Boolean).length;
    const detectionResult = (await (await detection).result()) as { enablement?: { started: Array<{ started: boolean }> } };
    const detectionStarts = (detectionResult.enablement?.started ?? []).filter((s) => s.started).length;
    const detectionSaw = (detectionResult.enablement?.started ?? []).length;
    await listener.stop();
    const dupReached = await waitForAll(env.client, dupRuns, atApproval, 10 * 60_000, '5. duplicates at approval', tasksCreated(env.db, dupRuns));
    const dupDms = exactly(dupRuns, (run) => env.slack.deliveredTo(run.channel).length, 1);
    const enablementRuns = async () => (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ${ENABLEMENT_RUNS}`)).count;
    const dupInTemporal = await enablementRuns();
    // The command prints the workflow id, and says so on stderr when the run existed already.
    const cliStarts = cli.filter((c) => /adoption-stalled\//.test(c.output()) && !/already exists/.test(c.output())).length;
    const totalStarts = triggerStarts + listenerStarts + detectionStarts;
    record({
      scenario: '5. same signal started 10x concurrently (trigger, `trigger` command, listener, detection workflow)',
      tried: `${d} signals x 10 starts (7 trigger calls, listener NOTIFY, detection workflow saw ${detectionSaw}, +1 \`trigger\` command for ${cliRuns.length}: ${cliOk} exited 0)`,
      counted: `${dupInTemporal} runs in Temporal; starts that won: ${triggerStarts} trigger + ${listenerStarts} listener + ${detectionStarts} detection + ${cliStarts} command; ${dupReached} at approval; ${dupDms.total} DMs, ${dupDms.exact} runs with exactly 1`,
      expected: `${d} runs; ${d} winning starts; ${d}; ${d}, ${d}`,
      ok:
        dupInTemporal === d &&
        totalStarts + cliStarts === d &&
        dupReached === d &&
        dupDms.total === d &&
        dupDms.exact === d &&
        cliOk === cliRuns.length,
    });

    // --- the listener stopped and started again while signals arrive, one by one.
    const lateRuns = await seedRuns(env.db, r, 'r', { withSignals: false });
    let current = await startListener({ db: env.db, client: env.client, plans, taskQueue: env.taskQueue, log: quiet });
    let restarts = 0;
    let inserting = true;
    const restarter = (async () => {
      while (restarts < 3 || (inserting && restarts < 8)) {
        await sleep(300 + Math.floor(random() * 700));
        await current.stop();
        await sleep(200 + Math.floor(random() * 300));
        current = await startListener({ db: env.db, client: env.client, plans, taskQueue: env.taskQueue, log: quiet });
        restarts += 1;
      }
    })();
    for (const run of lateRuns) {
      await insertSignals(env.db, [run]);
      // Spread over about 12 s, so arrivals meet every state of the listener: running, stopping, down, catching up.
      await sleep(Math.floor(random() * 2 * Math.max(20, 12_000 / r)));
    }
    inserting = false;
    await restarter;
    await current.caughtUp;
    const deadline = Date.now() + 120_000;
    let unhandled = r;
    while (Date.now() < deadline) {
      unhandled = (
        await env.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM risk_signals WHERE handled_at IS NULL AND id = ANY($1::uuid[])`, [
          lateRuns.map((x) => x.signalId),
        ])
      ).rows[0].n;
      if (unhandled === 0) break;
      await sleep(500);
    }
    await current.stop();
    const lateReached = await waitForAll(
      env.client,
      lateRuns,
      atApproval,
      10 * 60_000,
      '5. listener restarts at approval',
      tasksCreated(env.db, lateRuns),
    );
    const lateDms = exactly(lateRuns, (run: SeededRun) => env.slack.deliveredTo(run.channel).length, 1);
    const lateInTemporal = (await enablementRuns()) - dupInTemporal;
    record({
      scenario: '5. listener stopped and restarted while signals arrive',
      tried: `${r} signals inserted one by one; listener restarted ${restarts}x`,
      counted: `${lateInTemporal} runs in Temporal, ${unhandled} signals left unhandled; ${lateReached} at approval; ${lateDms.total} DMs, ${lateDms.exact} runs with exactly 1`,
      expected: `${r}, 0; ${r}; ${r}, ${r}`,
      ok: lateInTemporal === r && unhandled === 0 && lateReached === r && lateDms.total === r && lateDms.exact === r && restarts >= 3,
    });
    expect({ dupInTemporal, dupReached, dupDms: dupDms.exact, cliOk }).toEqual({ dupInTemporal: d, dupReached: d, dupDms: d, cliOk: cliRuns.length });
    expect(env.slack.delivered.length).toBe(d + r);
    expect({ lateInTemporal, unhandled, lateReached, lateDms: lateDms.exact }).toEqual({
      lateInTemporal: r,
      unhandled: 0,
      lateReached: r,
      lateDms: r,
    });
  } finally {
    await env.dispose();
  }
});
