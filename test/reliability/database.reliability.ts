import path from 'node:path';
import {
  approveAll,
  atApproval,
  atFollowUp,
  emailsSent,
  queryState,
  exactly,
  emailCounts,
  insertSignals,
  record,
  scaled,
  seedRuns,
  taskCounts,
  tasksCreated,
  waitForAll,
  ENABLEMENT_RUNS,
} from './harness';
import { scenarioEnv } from './scenario-env';
import { PROJECT_ROOT, sleep, spawnNode, startPostgresCluster, stopChild, type PostgresCluster } from './servers';

/**
 * Item 3: Postgres restarted mid-run (pg_ctl restart -m fast), then made unreachable for 30 s (every connection
 * through the cut-off switch dropped and new ones refused): activities retry, runs go on, nothing doubled; the
 * `listen` command (a child process, as in production) reconnects and starts the runs for signals written while it
 * was cut off. Signals arrive in three groups: before the restart, between the restart and the cut-off, after it.
 */
const only = process.env.RELIABILITY_SCENARIOS?.split(',');
const enabled = (id: string) => !only || only.includes(id);
const CUT_OFF_MS = Number(process.env.RELIABILITY_CUTOFF_MS || 30_000);

async function retrying<T>(work: () => Promise<T>, attempts = 60): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(1_000);
    }
  }
}

(enabled('3') ? test : test.skip)(
  '3. database restarted and unreachable for 30 s: runs go on, nothing doubled, the listener catches up',
  async () => {
    const cluster: PostgresCluster = await startPostgresCluster();
    const env = await scenarioEnv('database', { databaseBaseUrl: cluster.url });
    const q = scaled(90, 18);
    const third = Math.floor(q / 3);
    let listener: ReturnType<typeof spawnNode> | undefined;
    try {
      const runs = await seedRuns(env.db, q, 'b', { withSignals: false });
      const [groupA, groupB, groupC] = [runs.slice(0, third), runs.slice(third, 2 * third), runs.slice(2 * third)];
      await env.worker.start();
      // A supervisor for the worker (as systemd or Kubernetes would be): restarts it whenever it exits by itself.
      let workerCrashes = 0;
      let workerCrash = '';
      let supervising = true;
      const supervisor = (async () => {
        while (supervising) {
          await sleep(1_000);
          if (supervising && !env.worker.alive) {
            workerCrashes += 1;
            workerCrash ||=
              env.worker
                .output()
                .split('\n')
                .filter((line) => /rror|terminat/.test(line))
                .slice(-1)[0]
                ?.trim()
                .slice(0, 140) ?? '';
            await env.worker.start().catch(() => undefined);
          }
        }
      })();
      listener = spawnNode(
        path.join(PROJECT_ROOT, 'cli', 'main.ts'),
        ['listen'],
        {
          DATABASE_URL: env.databaseUrl,
          TEMPORAL_ADDRESS: env.dev.address,
          TEMPORAL_TASK_QUEUE: env.taskQueue,
          NODE_OPTIONS: `--require ${path.join(__dirname, 'ts-hook.js')}`,
        },
        /listening for risk_signal_created/,
      );
      await listener.ready;

      await insertSignals(env.db, groupA);
      await sleep(1_500);
      await cluster.restart();
      const restarted = Date.now();
      await retrying(() => insertSignals(env.db, groupB));
      await sleep(3_000);
      // Approve group A now, so its send_email attempts meet the cut-off.
      await approveAll(env.client, groupA).catch(() => undefined);
      await cluster.cutOff(CUT_OFF_MS);
      await retrying(() => insertSignals(env.db, groupC));
      const runsInTemporal = async () => (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ${ENABLEMENT_RUNS}`)).count;
      // Did the listener, by itself, start the runs for the signals written after the restart and after the cut-off?
      const selfDeadline = Date.now() + 90_000;
      while (Date.now() < selfDeadline && (await runsInTemporal()) < q) await sleep(2_000);
      const startedBySelf = await runsInTemporal();
      const listenerAlive = listener.child.exitCode === null && listener.child.signalCode === null;
      const listenerState = listenerAlive ? 'still running' : `exited (${listener.child.exitCode ?? listener.child.signalCode})`;
      const listenerTail = listenerAlive
        ? ''
        : `: "${
            listener
              .output()
              .split('\n')
              .filter((line) => /rror/.test(line))
              .slice(-1)[0]
              ?.trim()
              .slice(0, 120) ?? ''
          }"`;
      record({
        scenario: '3. the `listen` process reconnects by itself after the restart and the cut-off',
        tried: `${groupA.length} signals before the restart, ${groupB.length} after it, ${groupC.length} after the cut-off`,
        counted: `${startedBySelf} runs started within 90 s; listener ${listenerState}${listenerTail}`,
        expected: `${q}; listener still running`,
        ok: startedBySelf === q && listenerAlive,
      });
      // What a supervisor would do with a listener that died: start it again; its catch-up must start the rest.
      let supervisorRestart = false;
      if (startedBySelf < q) {
        await stopChild(listener.child, 'SIGTERM', 10_000);
        listener = spawnNode(
          path.join(PROJECT_ROOT, 'cli', 'main.ts'),
          ['listen'],
          {
            DATABASE_URL: env.databaseUrl,
            TEMPORAL_ADDRESS: env.dev.address,
            TEMPORAL_TASK_QUEUE: env.taskQueue,
            NODE_OPTIONS: `--require ${path.join(__dirname, 'ts-hook.js')}`,
          },
          /listening for risk_signal_created/,
        );
        await listener.ready;
        supervisorRestart = true;
      }
      const atApprovalB = await waitForAll(
        env.client,
        [...groupB, ...groupC],
        atApproval,
        5 * 60_000,
        '3. database: later groups at approval',
        tasksCreated(env.db, [...groupB, ...groupC]),
      );
      // Every run not yet past the approval (group 1's that started late included) is approved now.
      const pastApproval = (state: Parameters<typeof atApproval>[0]) => atApproval(state) || atFollowUp(state) || state?.status === 'failed';
      await waitForAll(env.client, runs, pastApproval, 3 * 60_000, '3. database: all at approval or beyond', tasksCreated(env.db, runs));
      const notYetApproved: typeof runs = [];
      for (const run of runs) if (atApproval(await queryState(env.client, run.workflowId))) notYetApproved.push(run);
      await approveAll(env.client, notYetApproved).catch(() => undefined);
      const reached = await waitForAll(env.client, runs, atFollowUp, 5 * 60_000, '3. database at follow-up', emailsSent(env.db, runs));

      supervising = false;
      await supervisor;
      const inTemporal = (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ${ENABLEMENT_RUNS}`)).count;
      const failed = (await env.client.workflow.count(`TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Failed'`)).count;
      // Why a run failed, from Temporal: the activity and the last error it gave up on.
      const failures: string[] = [];
      for await (const execution of env.client.workflow.list({ query: `TaskQueue = '${env.taskQueue}' AND ExecutionStatus = 'Failed'` })) {
        if (failures.length >= 2) break;
        const error = await env.client.workflow
          .getHandle(execution.workflowId)
          .result()
          .then(
            () => null,
            (e: unknown) => e as Error & { cause?: Error & { cause?: Error } },
          );
        const cause = error?.cause?.cause ?? error?.cause ?? error;
        failures.push(`${(error?.cause as { activityType?: string } | undefined)?.activityType ?? '?'}: ${cause?.message?.slice(0, 100) ?? '?'}`);
      }
      const unhandled = (await env.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM risk_signals WHERE handled_at IS NULL`)).rows[0].n;
      const dms = exactly(runs, (run) => env.slack.deliveredTo(run.channel).length, 1);
      const mails = emailCounts(env.smtp, runs);
      const tasks = await taskCounts(env.db);
      const taskCount = exactly(runs, (run) => tasks.get(run.workflowId) ?? 0, 2);
      record({
        scenario: `3. Postgres restarted mid-run, then unreachable for ${CUT_OFF_MS / 1000}s: runs go on, nothing doubled`,
        tried: `${q} signals in 3 groups; group 1 approved just before the cut-off${supervisorRestart ? '; `listen` restarted once (as a supervisor would)' : ''}; worker exited by itself ${workerCrashes}x and was restarted${workerCrash ? ` ("${workerCrash}")` : ''}`,
        counted: `${inTemporal} runs started, ${failed} failed${failures.length ? ` (${failures.join('; ')})` : ''}, ${unhandled} signals unhandled; ${reached} at follow-up (${atApprovalB} of the later ${groupB.length + groupC.length} reached approval); DMs ${dms.total} (${dms.exact} exact), emails ${mails.distinct} distinct Message-IDs (${mails.exact} exact; ${mails.transactions} SMTP transactions, ${mails.resends} in-doubt resends), tasks ${taskCount.total} (${taskCount.exact} exact)`,
        expected: `${q}, 0, 0; ${q}; ${q}, ${q}, ${2 * q}`,
        ok:
          inTemporal === q &&
          failed === 0 &&
          unhandled === 0 &&
          reached === q &&
          dms.exact === q &&
          mails.exact === q &&
          taskCount.exact === q &&
          dms.total === q &&
          mails.distinct === q,
        seconds: Math.round((Date.now() - restarted) / 1000),
      });
      expect({ inTemporal, failed, unhandled, reached, dms: dms.exact, mails: mails.exact, tasks: taskCount.exact }).toEqual({
        inTemporal: q,
        failed: 0,
        unhandled: 0,
        reached: q,
        dms: q,
        mails: q,
        tasks: q,
      });
      expect({ startedBySelf, listenerAlive, workerCrashes }).toEqual({ startedBySelf: q, listenerAlive: true, workerCrashes: 0 });
    } finally {
      if (listener) await stopChild(listener.child, 'SIGTERM', 10_000);
      await env.dispose();
      cluster?.stop();
    }
  },
);
