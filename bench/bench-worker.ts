/**
 * One worker in a process of its own, so the workflow benchmarks can read its memory and CPU apart from the client,
 * the Slack and SMTP servers and the other workers. Configured from the BENCH_WORKER environment variable (JSON, see
 * `BenchWorkerConfig`), it is the worker `createWorker` builds (the plugin, `reuseV8Context`, real activities on
 * Postgres, Slack and SMTP), with the tuning knobs under measurement passed through to `Worker.create`.
 *
 * IPC: it sends `{ type: 'ready' }` once polling; `{ type: 'stats' }` answers with its memory after a full garbage
 * collection (run with --expose-gc) and its CPU; `{ type: 'stop' }` shuts the worker down and exits.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { openPostgres } from '../db/database';
import { AdoptionEnablementPlugin } from '../plugin/plugin';

export interface BenchWorkerConfig {
  address: string;
  taskQueue: string;
  databaseUrl: string;
  slackApiUrl: string;
  smtpUrl: string;
  bundlePath: string;
  /** Postgres pool size of the activities (the package default is 10). */
  poolMax?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  /** Sticky cache size; unset leaves the SDK's default (sized from the heap limit). */
  maxCachedWorkflows?: number;
}

export interface WorkerStats {
  type: 'stats';
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  cpuMs: number;
  maxCachedWorkflows: number;
}

const MB = 2 ** 20;

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER ?? '') as BenchWorkerConfig;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), console: {} } },
  });
  const db = openPostgres({ connectionString: config.databaseUrl, max: config.poolMax ?? 10, applicationName: 'bench-worker' });
  const client = new Client({ connection: await Connection.connect({ address: config.address }) });
  const plugin = new AdoptionEnablementPlugin({
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: config.bundlePath },
    deps: {
      db,
      temporal: { client, taskQueue: config.taskQueue },
      slack: { token: 'xoxb-bench-token', apiUrl: config.slackApiUrl },
      email: { smtpUrl: config.smtpUrl, from: 'Dana Reyes <dana@vendor.example>' },
      log: () => undefined,
    },
  });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.address }),
    taskQueue: config.taskQueue,
    plugins: [plugin],
    reuseV8Context: true,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivityTaskExecutions ?? 20,
    ...(config.maxConcurrentWorkflowTaskExecutions !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTaskExecutions }
      : {}),
    ...(config.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.maxCachedWorkflows } : {}),
  });
  const running = worker.run();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const stats: WorkerStats = {
        type: 'stats',
        rssMb: memory.rss / MB,
        heapUsedMb: memory.heapUsed / MB,
        heapTotalMb: memory.heapTotal / MB,
        externalMb: memory.external / MB,
        cpuMs: (cpu.user + cpu.system) / 1000,
        maxCachedWorkflows: worker.options.maxCachedWorkflows,
      };
      process.send?.(stats);
    } else if (message.type === 'stop') {
      worker.shutdown();
    }
  });
  process.send?.({ type: 'ready' });
  await running;
  await db.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench worker failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
