/*
 * The worker the reliability suite kills with SIGKILL: the package's own createWorker (through the package entry
 * index.ts) with real dependencies: Postgres, the Slack-protocol server, the SMTP server, the Temporal client.
 * Configuration from the environment (set by the suite):
 *   RELIABILITY_TEMPORAL_ADDRESS, RELIABILITY_TASK_QUEUE, RELIABILITY_DATABASE_URL, RELIABILITY_SLACK_API_URL,
 *   RELIABILITY_SMTP_URL, RELIABILITY_BUNDLE (path of the prebuilt workflow bundle).
 * Prints "worker ready" on stdout when polling; exits 0 after draining on SIGINT/SIGTERM.
 */
'use strict';
require('./ts-hook.js');
const { NativeConnection } = require('@temporalio/worker');
const { Connection, Client } = require('@temporalio/client');
const pkg = require('../../index');

async function main() {
  const env = process.env;
  const address = env.RELIABILITY_TEMPORAL_ADDRESS;
  const taskQueue = env.RELIABILITY_TASK_QUEUE;
  const db = await pkg.openDatabase({ databaseUrl: env.RELIABILITY_DATABASE_URL, applicationName: 'reliability-worker' });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace: 'default' });
  const connection = await NativeConnection.connect({ address });
  const worker = await pkg.createWorker({
    connection,
    taskQueue,
    bundle: { codePath: env.RELIABILITY_BUNDLE },
    maxConcurrentActivityTaskExecutions: Number(env.RELIABILITY_ACTIVITY_SLOTS || 20),
    deps: {
      db,
      temporal: { client, taskQueue },
      slack: { token: 'xoxb-reliability', apiUrl: env.RELIABILITY_SLACK_API_URL },
      email: { smtpUrl: env.RELIABILITY_SMTP_URL, from: 'Customer Success <cs@vendor.example>' },
      log: () => undefined,
    },
  });
  const running = worker.run();
  process.stdout.write('worker ready\n');
  await running;
  await connection.close();
  await clientConnection.close();
  await db.close();
}

// Never outlive the suite: if the parent is gone (killed before its teardown), exit.
const parent = process.ppid;
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.exit(2);
  }
}, 2_000).unref();

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`worker-child failed: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  },
);
