import { emailSettingsFromEnv, linkSettingsFromEnv } from '../../worker/deps-from-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Db } from '../../db/database';
import { DEFAULT_DATA_DIR, openDatabase } from '../../db/open';
import { migrate } from '../../db/migrate';
import { loadShippedPlans } from '../../definitions/compile';
import { DEMO_DIR, demoUsageEvents } from '../demo-usage';
import { startDevServer, type DevServer } from '../dev-server';
import { startListener } from '../../client/listener';
import { createDetectionSchedule } from '../../client/schedule';
import { connectClient, temporalSettingsFromEnv } from '../../client/connection';
import { createConfiguredWorker } from '../../worker/configured-worker';
import { importFiles } from './import';
import { buildApiServer } from '../../web/server';
import { pageAddresses } from '../../web/pages/navigation';
import { untilShutdownSignal } from '../shutdown';
import { parseSlackUserIds } from '../../web/slack/authorization';
import { stateQuery } from '../../workflows/messages';
import { hasNoCustomers } from '../../adoption/store';
import { assertConfiguration } from '../environment-check';
import { assertPortFree } from '../port-free';
import { removeStartRecord, writeStartRecord } from '../start-record';

const API_HOST = '127.0.0.1';

function parsePort(value: string, option: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new Error(`${option} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return Number(value);
}

interface StartOptions {
  dataDir: string;
  demo: boolean;
  temporalPort: string;
  uiPort: string;
  apiPort: string;
  once?: boolean;
}

/**
 * `npm start`: the whole main job in one process on embedded defaults. The embedded store (PGlite) belongs to one
 * process, so the worker, the listener and the schedule all run here; with DATABASE_URL and TEMPORAL_ADDRESS set
 * the same command runs against real servers.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run everything: store, Temporal dev server (unless TEMPORAL_ADDRESS), worker, listener, daily detection')
    .option('--data-dir <dir>', 'embedded store folder when DATABASE_URL is unset', DEFAULT_DATA_DIR)
    .option('--no-demo', 'do not import the demo customers, catalog and usage into an empty store')
    .option('--temporal-port <port>', 'port of the dev server started when TEMPORAL_ADDRESS is unset', '7233')
    .option('--ui-port <port>', 'port of its Web UI', '8233')
    .option('--api-port <port>', 'port of the HTTP API and the CSM adoption page (127.0.0.1)', '3000')
    .option('--once', 'run detection once, wait for its enablement runs to reach the CSM, print a summary and stop')
    .action(async (options: StartOptions) => {
      const log = (message: string) => process.stderr.write(`[start] ${message}\n`);
      assertConfiguration();
      const apiPort = parsePort(options.apiPort, '--api-port');
      await assertPortFree(apiPort, API_HOST, '--api-port');
      const db = await openDatabase({ dataDir: options.dataDir, applicationName: 'adoption-enablement-start' });
      let devServer: DevServer | undefined;
      try {
        await migrate(db);
        log(`store: ${db.location}`);
        if (options.demo) await importDemoIfEmpty(db, log);

        if (!process.env.TEMPORAL_ADDRESS) {
          devServer = await startDevServer({
            dataDir: path.join(path.resolve(options.dataDir), 'temporal'),
            port: Number(options.temporalPort),
            uiPort: Number(options.uiPort),
          });
          process.env.TEMPORAL_ADDRESS = devServer.address;
          log(`Temporal dev server ${devServer.address}, Web UI ${devServer.uiUrl}`);
        }
        const settings = temporalSettingsFromEnv();
        const { client, worker, close: closeWorkerDeps } = await createConfiguredWorker(db, settings);
        const plans = loadShippedPlans();
        const workerRun = worker.run();
        const started: string[] = [];
        const listener = await startListener({
          db,
          client,
          plans,
          taskQueue: settings.taskQueue,
          log,
          onStarted: (result) => started.push(result.workflowId),
        });
        const api = buildApiServer({
          db,
          temporal: { client, taskQueue: settings.taskQueue },
          slackSigningSecret: process.env.SLACK_SIGNING_SECRET || undefined,
          // Unset keys: open on 127.0.0.1 only (docs/security.md); set, every route but /healthz and Slack's needs one.
          apiKeys: process.env.ADOPTION_API_KEYS,
          slackLeadUserIds: parseSlackUserIds(process.env.SLACK_LEAD_USER_IDS),
          links: linkSettingsFromEnv(),
          trainingWebhookSecret: process.env.TRAINING_WEBHOOK_SECRET || undefined,
          email: emailSettingsFromEnv(),
          // The Edit modal of the Slack draft opens with views.open (SLACK_BOT_TOKEN).
          slack: { token: process.env.SLACK_BOT_TOKEN || undefined, apiUrl: process.env.SLACK_API_URL || undefined },
          // Links to runs go to this start's dev server UI (--ui-port) unless TEMPORAL_UI_URL names another.
          workspace: { temporalUiUrl: process.env.TEMPORAL_UI_URL || devServer?.uiUrl, namespace: settings.namespace },
        });
        const apiUrl = await api.listen({ port: apiPort, host: API_HOST }).catch(async (error: NodeJS.ErrnoException) => {
          // Taken since the check: stop what already runs, or the worker would keep the process alive.
          await listener.stop();
          worker.shutdown();
          await workerRun;
          await closeWorkerDeps();
          await client.connection.close();
          throw error.code === 'EADDRINUSE' ? new Error(`port ${apiPort} on ${API_HOST} is taken: choose another with --api-port`) : error;
        });
        log(`API ${apiUrl}; pages: ${pageAddresses(apiUrl).join(', ')}`);
        writeStartRecord(options.dataDir, {
          pid: process.pid,
          temporalAddress: settings.address,
          namespace: settings.namespace,
          taskQueue: settings.taskQueue,
          apiUrl,
          temporalUiUrl: process.env.TEMPORAL_UI_URL || devServer?.uiUrl,
        });
        const schedule = await createDetectionSchedule(client, { taskQueue: settings.taskQueue });
        log(`schedule ${schedule.scheduleId} ${schedule.created ? 'created' : 'up to date'}: detection daily at 01:00 UTC`);
        const earlierActions = await scheduleActionIds(client, schedule.scheduleId);
        await client.schedule.getHandle(schedule.scheduleId).trigger();
        log(
          'detection triggered now; enablement runs start as it finds stalls (Slack/email go to the outbox table unless SLACK_BOT_TOKEN / SMTP_URL are set)',
        );

        if (options.once) {
          await waitForTriggeredDetection(client, schedule.scheduleId, earlierActions);
          await listener.caughtUp;
          for (const workflowId of started) await waitUntilWaitingForCsm(client, workflowId);
          process.stdout.write(`${JSON.stringify({ enablementRuns: started }, null, 2)}\n`);
        } else {
          const stopping = untilShutdownSignal(log); // before saying so: a signal right after must find the handler
          log('running; Ctrl-C to stop');
          await stopping;
        }
        await api.close();
        await listener.stop();
        // On a signal the worker's runtime has started its shutdown already (state DRAINING): not a second time.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerRun;
        await closeWorkerDeps();
        await client.connection.close();
      } finally {
        removeStartRecord(options.dataDir);
        await devServer?.stop();
        await db.close();
      }
    });
}

async function importDemoIfEmpty(db: Db, log: (message: string) => void): Promise<void> {
  if (!(await hasNoCustomers(db))) return;
  const demo = DEMO_DIR;
  const usageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'adoption-demo-')), 'usage.ndjson');
  fs.writeFileSync(
    usageFile,
    demoUsageEvents(new Date())
      .map((event) => JSON.stringify(event))
      .join('\n') + '\n',
  );
  try {
    const summaries = await importFiles(db, {
      customers: path.join(demo, 'customers.json'),
      catalog: path.join(demo, 'catalog.yaml'),
      usage: usageFile,
    });
    log(`demo data imported (examples/demo): ${summaries.map((summary) => `${summary.kind} ${JSON.stringify(summary)}`).join('; ')}`);
  } finally {
    fs.rmSync(path.dirname(usageFile), { recursive: true, force: true });
  }
}

type StartClient = Awaited<ReturnType<typeof connectClient>>;

/** The workflows the schedule has started so far, running ones included. */
async function scheduleActionWorkflows(client: StartClient, scheduleId: string): Promise<Array<{ workflowId: string; firstExecutionRunId: string }>> {
  const { info } = await client.schedule.getHandle(scheduleId).describe();
  return [...info.runningActions, ...info.recentActions.map((execution) => execution.action)].map((action) => action.workflow);
}

async function scheduleActionIds(client: StartClient, scheduleId: string): Promise<Set<string>> {
  return new Set((await scheduleActionWorkflows(client, scheduleId)).map((workflow) => workflow.workflowId));
}

/** Waits for the detection this `start` triggered, not an older action of an existing store's schedule. */
async function waitForTriggeredDetection(client: StartClient, scheduleId: string, earlier: Set<string>): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const started = (await scheduleActionWorkflows(client, scheduleId)).find((workflow) => !earlier.has(workflow.workflowId));
    if (started) {
      await client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the triggered detection run never started');
}

async function waitUntilWaitingForCsm(client: StartClient, workflowId: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const state = await client.workflow
      .getHandle(workflowId)
      .query(stateQuery)
      .catch(() => undefined);
    if (state && state.status !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${workflowId} did not reach the CSM`);
}
