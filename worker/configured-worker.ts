import type { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Db } from '../db/database';
import { activityDepsFromEnv } from '../adapters/deps-from-env';
import { connectClient, connectWorker, type TemporalSettings } from '../temporal/connection';
import { createWorker } from './create-worker';
import { registerSearchAttributes } from './search-attribute-registration';

/**
 * The worker as the `worker` and `start` commands run it: connected per the settings, search attributes
 * registered, activities wired to the store and to the channels configured in the environment.
 */
export async function createConfiguredWorker(db: Db, settings: TemporalSettings): Promise<{ client: Client; worker: Worker }> {
  const client = await connectClient(settings);
  await registerSearchAttributes(client.connection as Connection, settings.namespace);
  const worker = await createWorker({
    connection: await connectWorker(settings),
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    deps: activityDepsFromEnv(db, { client, taskQueue: settings.taskQueue }),
  });
  return { client, worker };
}
