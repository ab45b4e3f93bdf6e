import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Db } from '../db/database';
import { activityDepsFromEnv, queryDatabaseUrlFromEnv } from './deps-from-env';
import { connectClient, connectWorker, type TemporalSettings } from '../client/connection';
import { AdoptionEnablementPlugin } from '../plugin/plugin';
import { workerTuningFromEnv } from './worker-tuning';

/**
 * The worker as the `worker` and `start` commands run it, the way a platform would: its own client and worker, the
 * plugin on both (search attributes registered by it before polling), activities wired to the store and to the
 * channels configured in the environment.
 */
export async function createConfiguredWorker(
  db: Db,
  settings: TemporalSettings,
): Promise<{ client: Client; worker: Worker; close: () => Promise<void> }> {
  // Read first: a bad ADOPTION_WORKER_* or ADOPTION_QUERY_DATABASE_URL stops the command before it connects anywhere.
  const tuning = workerTuningFromEnv();
  queryDatabaseUrlFromEnv();
  const settingsClient = await connectClient(settings);
  const deps = activityDepsFromEnv(db, { client: settingsClient, taskQueue: settings.taskQueue });
  const plugin = new AdoptionEnablementPlugin({ taskQueue: settings.taskQueue, deps });
  const client = new Client({ connection: settingsClient.connection, namespace: settings.namespace, plugins: [plugin] });
  const worker = await Worker.create({
    connection: await connectWorker(settings),
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    plugins: [plugin],
    reuseV8Context: true,
    ...tuning,
  });
  // The definition queries' own pool is the worker's to close; the store and the connections are the caller's.
  const close = async () => {
    await deps.queryDatabase?.close();
  };
  return { client, worker, close };
}
