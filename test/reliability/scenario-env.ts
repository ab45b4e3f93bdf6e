import type { Client } from '@temporalio/client';
import type { Db } from '../../index';
import { connectClient, createDatabase, workerProcess, type WorkerProcess } from './harness';
import { startFaultySlackServer, startRefusingSmtpServer, type FaultySlackServer, type RefusingSmtpServer } from './peers';
import { startDevServer, type DevServer } from './servers';

/** One scenario's world: its own dev server, database, peers, task queue and worker child. */
export interface ScenarioEnv {
  dev: DevServer;
  client: Client;
  db: Db;
  databaseUrl: string;
  slack: FaultySlackServer;
  smtp: RefusingSmtpServer;
  taskQueue: string;
  worker: WorkerProcess;
  dispose(): Promise<void>;
}

export async function scenarioEnv(name: string, options: { databaseBaseUrl?: string; dbFile?: string } = {}): Promise<ScenarioEnv> {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const dispose = async () => {
    for (const cleanup of cleanups.reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
  };
  try {
    const dev = await startDevServer({ dbFile: options.dbFile });
    cleanups.push(() => dev.stop());
    const client = await connectClient(dev.address);
    cleanups.push(() => client.connection.close());
    const { db, url } = await createDatabase(options.databaseBaseUrl);
    cleanups.push(() => db.close());
    const slack = await startFaultySlackServer();
    cleanups.push(() => slack.close());
    const smtp = await startRefusingSmtpServer();
    cleanups.push(() => smtp.close());
    const taskQueue = `reliability-${name}`;
    const worker = workerProcess({ temporalAddress: dev.address, taskQueue, databaseUrl: url, slackApiUrl: slack.apiUrl, smtpUrl: smtp.url });
    // Last in, first out: the worker stops before the servers it talks to.
    cleanups.push(() => worker.stop());
    return { dev, client, db, databaseUrl: url, slack, smtp, taskQueue, worker, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
