import { startListener } from '../../client/listener';
import { connectDevServer } from '../support/temporal';
import { useEnablementHarness } from '../support/enablement-harness';
import { seedStalledSignal } from '../support/seed';
import { runCli } from '../support/run-cli';
import { itOnPostgresServer } from '../support/test-database';

/** risk_signal_created -> run: the listener (LISTEN/NOTIFY with catch-up) and the `trigger` command, on the dev server. */

async function handledSignal(signalId: string) {
  const { rows } = await world().database.db.query<{ workflow_id: string | null; handled: boolean }>(
    `SELECT workflow_id, handled_at IS NOT NULL AS handled FROM risk_signals WHERE id = $1`,
    [signalId],
  );
  return rows[0];
}

const world = useEnablementHarness(connectDevServer);
it('starts runs for signals stored while it was down, then for each new notification', async () => {
  // Only this test's signals are pending: earlier files use other databases.
  const missed = await seedStalledSignal(world().database.db, ['advanced_analytics']);
  const started: string[] = [];
  const listener = await startListener({
    db: world().database.db,
    client: world().env.client,
    plans: world().plans,
    taskQueue: world().taskQueue,
    log: () => undefined,
    onStarted: (result) => started.push(result.workflowId),
  });
  try {
    await listener.caughtUp;
    expect(started).toEqual([`adoption-stalled/${missed.customerId}/${missed.signalId}`]);

    const live = await seedStalledSignal(world().database.db, ['custom_reports']);
    for (let attempt = 0; attempt < 100 && started.length < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toEqual([`adoption-stalled/${missed.customerId}/${missed.signalId}`, `adoption-stalled/${live.customerId}/${live.signalId}`]);
    expect(await handledSignal(live.signalId)).toEqual({ workflow_id: started[1], handled: true });
    const description = await world().handle(started[1]).describe();
    expect(description.status.name).toBe('RUNNING');
  } finally {
    await listener.stop();
    for (const workflowId of started)
      await world()
        .handle(workflowId)
        .terminate('test done')
        .catch(() => undefined);
  }
});

itOnPostgresServer('reconnects after its database connection is cut and starts the runs of signals written meanwhile', async () => {
  const started: string[] = [];
  const lines: string[] = [];
  const listener = await startListener({
    db: world().database.db,
    client: world().env.client,
    plans: world().plans,
    taskQueue: world().taskQueue,
    log: (line) => lines.push(line),
    onStarted: (result) => started.push(result.workflowId),
  });
  try {
    await listener.caughtUp;
    // The server ends the listening session, as a restart or a failover would.
    const cut = await world().database.db.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
    );
    expect(cut.rows).toEqual([{ ended: true }]);
    const during = await seedStalledSignal(world().database.db, ['advanced_analytics']);
    const expected = `adoption-stalled/${during.customerId}/${during.signalId}`;
    for (let attempt = 0; attempt < 200 && !started.includes(expected); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toContain(expected);
    expect(lines.some((line) => line.startsWith('listener: lost the database connection'))).toBe(true);
    expect(lines).toContain('listener: reconnected and caught up');

    // Subscribed again: a later signal arrives by notification.
    const after = await seedStalledSignal(world().database.db, ['custom_reports']);
    const next = `adoption-stalled/${after.customerId}/${after.signalId}`;
    for (let attempt = 0; attempt < 100 && !started.includes(next); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toContain(next);
  } finally {
    await listener.stop();
    for (const workflowId of started)
      await world()
        .handle(workflowId)
        .terminate('test done')
        .catch(() => undefined);
  }
});

it('`trigger --signal-id` prints the workflow id and, run again, starts nothing new', async () => {
  const seeded = await seedStalledSignal(world().database.db, ['workflow_automation']);
  const cliEnv = {
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: world().taskQueue,
    DATABASE_URL: world().database.url,
  };
  const workflowId = `adoption-stalled/${seeded.customerId}/${seeded.signalId}`;
  const first = await runCli(['trigger', '--signal-id', seeded.signalId], cliEnv);
  expect(first.stdout).toBe(`${workflowId}\n`);
  const second = await runCli(['trigger', '--signal-id', seeded.signalId], cliEnv);
  expect(second.stdout).toBe(`${workflowId}\n`);
  expect(second.stderr).toContain('already exists');
  await world().handle(workflowId).terminate('test done');
});

it('a burst stored while it was down: every signal gets exactly one run, started a few at a time', async () => {
  const burst = [];
  for (let i = 0; i < 12; i += 1) burst.push(await seedStalledSignal(world().database.db, ['advanced_analytics']));
  const expected = burst.map((s) => `adoption-stalled/${s.customerId}/${s.signalId}`);
  const results: Array<{ workflowId: string; started: boolean }> = [];
  const listener = await startListener({
    db: world().database.db,
    client: world().env.client,
    plans: world().plans,
    taskQueue: world().taskQueue,
    concurrency: 4,
    log: () => undefined,
    onStarted: (result) => results.push({ workflowId: result.workflowId, started: result.started }),
  });
  try {
    await listener.caughtUp;
    // A late duplicate notification finds the run the catch-up started: nothing new.
    await world().database.db.query(`SELECT pg_notify('risk_signal_created', $1)`, [burst[1].signalId]);
    for (let attempt = 0; attempt < 100 && results.length < burst.length + 1; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await listener.stop();
    expect(results.filter((r) => !r.started).map((r) => r.workflowId)).toEqual([expected[1]]);
    expect(
      results
        .filter((r) => r.started)
        .map((r) => r.workflowId)
        .sort(),
    ).toEqual([...expected].sort());
    // At the server: one execution per signal, each running.
    for (const workflowId of expected) {
      const executions = [];
      for await (const execution of world().env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) executions.push(execution);
      if (executions.length === 0) expect((await world().handle(workflowId).describe()).status.name).toBe('RUNNING');
      else expect(executions.map((e) => e.status.name)).toEqual(['RUNNING']);
    }
    for (const signal of burst) expect((await handledSignal(signal.signalId)).handled).toBe(true);
  } finally {
    await listener.stop();
    for (const workflowId of expected)
      await world()
        .handle(workflowId)
        .terminate('test done')
        .catch(() => undefined);
  }
});
