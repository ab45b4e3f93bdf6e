import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../support/run-cli';
import { deleteDetectionSchedule, DETECTION_SCHEDULE_ID } from '../../client/schedule';
import { connectDevServer } from '../support/temporal';
import { openEmbedded } from '../../db/embedded';
import net from 'node:net';

/**
 * `npm start` as a user runs it, on the embedded store (PGlite in a temp folder) and the test dev server: the demo
 * data is imported, the detection schedule's first run finds TechCorp's two stalled features, and one enablement
 * run for them reaches the CSM.
 */
let env: TestWorkflowEnvironment;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-start-'));

beforeAll(async () => {
  env = await connectDevServer();
});

afterAll(async () => {
  await deleteDetectionSchedule(env.client, DETECTION_SCHEDULE_ID);
  await env?.teardown();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('start --once: demo data -> scheduled detection -> one aggregated enablement run waiting on the CSM', async () => {
  const started = await runCli(['start', '--once', '--data-dir', dataDir, '--api-port', '0'], {
    DATABASE_URL: undefined,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: `start-${randomUUID()}`,
  });
  expect(started.error).toBeUndefined();
  const { enablementRuns } = JSON.parse(started.stdout) as { enablementRuns: string[] };
  const techCorp = '6f1c2a8e-4b7d-4e21-9a3f-0c5d8e7b1a01';
  expect(enablementRuns).toHaveLength(1);
  expect(enablementRuns[0]).toMatch(new RegExp(`^adoption-stalled/${techCorp}/[0-9a-f-]{36}$`));

  // The worker stopped with the command, so the run is read from Temporal's record and from the store.
  const handle = env.client.workflow.getHandle(enablementRuns[0]);
  const description = await handle.describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.searchAttributes.FeatureIds).toEqual(['advanced_analytics', 'custom_reports']);
  await handle.terminate('test done');

  // The embedded store was closed on the way out: its lock is released and the next process can open it.
  const store = await openEmbedded(dataDir);
  try {
    const drafts = await store.query<{ status: string; subject: string }>(`SELECT status, subject FROM email_drafts WHERE workflow_id = $1`, [
      enablementRuns[0],
    ]);
    expect(drafts.rows).toEqual([{ status: 'pending_approval', subject: 'Getting more value from Advanced Analytics Dashboard and Custom Reports' }]);
    const outbox = await store.query<{ channel: string; delivered: boolean }>(
      `SELECT channel, delivered FROM outbox WHERE idempotency_key LIKE $1 ORDER BY channel`,
      [`${enablementRuns[0]}/%`],
    );
    // Without Slack or the in-app webhook configured, the alert and the demo catalog's tips wait in the outbox.
    expect(outbox.rows).toEqual([
      { channel: 'in_app', delivered: false },
      { channel: 'slack', delivered: false },
    ]);
  } finally {
    await store.close();
  }
});

it('start --once on an existing store waits for the detection it triggered, not an older one', async () => {
  const schedule = env.client.schedule.getHandle(DETECTION_SCHEDULE_ID);
  const earlier = new Set((await schedule.describe()).info.recentActions.map((execution) => execution.action.workflow.workflowId));
  expect(earlier.size).toBeGreaterThan(0);
  const again = await runCli(['start', '--once', '--data-dir', dataDir, '--api-port', '0'], {
    DATABASE_URL: undefined,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: `start-${randomUUID()}`,
  });
  expect(again.error).toBeUndefined();
  expect(JSON.parse(again.stdout)).toEqual({ enablementRuns: expect.any(Array) });
  const triggered = (await schedule.describe()).info.recentActions.filter((execution) => !earlier.has(execution.action.workflow.workflowId));
  expect(triggered).toHaveLength(1);
  // Its worker stopped with the command: the detection finished before `start` printed its summary.
  const detection = await env.client.workflow.getHandle(triggered[0].action.workflow.workflowId).describe();
  expect(detection.status.name).toBe('COMPLETED');
});

it('start with its API port taken exits at once naming the port, before it starts anything', async () => {
  const occupier = net.createServer();
  await new Promise<void>((resolve) => occupier.listen({ port: 0, host: '127.0.0.1' }, () => resolve()));
  const port = (occupier.address() as net.AddressInfo).port;
  const freshDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-start-taken-')), 'data');
  try {
    const taken = await runCli(['start', '--once', '--data-dir', freshDir, '--api-port', String(port)], {
      DATABASE_URL: undefined,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: `start-${randomUUID()}`,
    });
    expect(taken.error?.message).toBe(`port ${port} on 127.0.0.1 is taken (another \`start\` or \`api\`?): choose another with --api-port`);
    expect(fs.existsSync(freshDir)).toBe(false);
  } finally {
    await new Promise((resolve) => occupier.close(resolve));
    fs.rmSync(path.dirname(freshDir), { recursive: true, force: true });
  }
});
