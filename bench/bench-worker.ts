/**
 * One worker in a process of its own, so the workflow benchmarks can read its memory and CPU apart from the client,
 * the Slack and SMTP servers and the other workers. Configured from the BENCH_WORKER environment variable (JSON, see
 * `BenchWorkerConfig`), it is the worker `createWorker` builds (the plugin, `reuseV8Context`, real activities on
 * Postgres, Slack and SMTP), with the tuning knobs under measurement passed through to `Worker.create`.
 *
 * IPC: it sends `{ type: 'ready' }` once polling; `{ type: 'stats' }` answers with its memory after a full garbage
 * collection (run with --expose-gc) and its CPU; `{ type: 'stop' }` shuts the worker down and exits.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import workerThreads from 'node:worker_threads';
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { openPostgres } from '../db/database';
import { AdoptionEnablementPlugin } from '../plugin/plugin';

const MB = 2 ** 20;

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
  /** Sticky cache size; unset leaves the SDK's default (sized from the heap limit), not the package's `DEFAULT_MAX_CACHED_WORKFLOWS`. */
  maxCachedWorkflows?: number;
  /** Workflow threads (the SDK's default is 1 with `reuseV8Context`). */
  workflowThreadPoolSize?: number;
  /** Default true, as `createWorker`. */
  reuseV8Context?: boolean;
  /**
   * V8 flags set with `v8.setFlagsFromString` before `Worker.create`: they shape the isolates created afterwards
   * (the workflow threads), not the main thread's, which exists already.
   */
  workflowThreadV8Flags?: string;
}

/** One V8 isolate's heap (after a full GC), MB. */
export interface IsolateHeap {
  usedMb: number;
  totalMb: number;
  /** Pages of the heap actually backed by memory. */
  physicalMb: number;
  /** malloc'd by V8 outside the heap (zones, compiler), and ArrayBuffers etc. held by the isolate. */
  mallocedMb: number;
  externalMb: number;
  newSpaceMb: number;
  limitMb: number;
}

export interface WorkerStats {
  type: 'stats';
  rssMb: number;
  /** The main thread's heap (activities, the SDK's core bridge); the workflows live in `threads`. */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  cpuMs: number;
  maxCachedWorkflows: number;
  workflowThreadPoolSize: number;
  main: IsolateHeap;
  /** Each workflow thread's isolate: where the cached runs are. */
  threads: IsolateHeap[];
  /** /proc/self/status and smaps: peak RSS, anonymous / file-backed RSS, and the anonymous RSS by kind, MB. */
  proc: ProcMemory;
}

const PROBE_REQUEST = 'benchHeapProbe';

/**
 * The SDK starts its workflow threads with `new Worker(path)` from `node:worker_threads` and offers no hook into
 * them. Swapping the constructor before `Worker.create` starts each of them through this shim, which answers heap
 * statistics on a port of its own (never the SDK's parentPort) and then loads the SDK's thread script unchanged.
 */
const THREAD_SHIM = `
const { workerData } = require('node:worker_threads');
const v8 = require('node:v8');
const port = workerData.${PROBE_REQUEST};
port.on('message', () => {
  globalThis.gc?.();
  port.postMessage({ heap: v8.getHeapStatistics(), spaces: v8.getHeapSpaceStatistics() });
});
port.unref();
require(workerData.target);
`;

type HeapReport = { heap: v8.HeapInfo; spaces: v8.HeapSpaceInfo[] };

function probeWorkflowThreads(): Array<workerThreads.MessagePort> {
  const ports: workerThreads.MessagePort[] = [];
  const Original = workerThreads.Worker;
  class ProbedWorker extends Original {
    constructor(filename: string | URL, options: workerThreads.WorkerOptions = {}) {
      if (!String(filename).includes('workflow-worker-thread')) {
        super(filename, options);
        return;
      }
      const { port1, port2 } = new workerThreads.MessageChannel();
      super(THREAD_SHIM, { ...options, eval: true, workerData: { target: String(filename), [PROBE_REQUEST]: port2 }, transferList: [port2] });
      port1.unref();
      ports.push(port1);
    }
  }
  (workerThreads as { Worker: typeof workerThreads.Worker }).Worker = ProbedWorker;
  return ports;
}

function isolateHeap({ heap, spaces }: HeapReport): IsolateHeap {
  return {
    usedMb: heap.used_heap_size / MB,
    totalMb: heap.total_heap_size / MB,
    physicalMb: heap.total_physical_size / MB,
    mallocedMb: heap.malloced_memory / MB,
    externalMb: heap.external_memory / MB,
    newSpaceMb: (spaces.find((space) => space.space_name === 'new_space')?.space_size ?? 0) / MB,
    limitMb: heap.heap_size_limit / MB,
  };
}

function threadHeap(port: workerThreads.MessagePort): Promise<IsolateHeap> {
  return new Promise((resolve) => {
    port.once('message', (report: HeapReport) => resolve(isolateHeap(report)));
    port.postMessage('stats');
  });
}

export interface ProcMemory {
  hwmMb: number;
  anonMb: number;
  fileMb: number;
  /** glibc's main malloc arena (the brk heap): the main thread's C++ and Rust allocations. */
  brkMb: number;
  /** Anonymous regions starting on a 64 MB boundary: glibc's per-thread malloc arenas (the Rust core's threads, the workflow thread's native side). */
  arenasMb: number;
  /** Every other anonymous mapping: V8 heap pages of every isolate, large mmap'd allocations, thread stacks. */
  otherAnonMb: number;
}

const ARENA_ALIGNMENT = 64n * 2n ** 20n;

function procMemory(): ProcMemory {
  const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const memory: ProcMemory = {
    hwmMb: kb(status, 'VmHWM'),
    anonMb: kb(status, 'RssAnon'),
    fileMb: kb(status, 'RssFile'),
    brkMb: 0,
    arenasMb: 0,
    otherAnonMb: 0,
  };
  let kind: 'brkMb' | 'arenasMb' | 'otherAnonMb' | null = null;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[2].trim();
      kind = name === '[heap]' ? 'brkMb' : name !== '' ? null : BigInt(`0x${mapping[1]}`) % ARENA_ALIGNMENT === 0n ? 'arenasMb' : 'otherAnonMb';
    } else if (kind && line.startsWith('Rss:')) {
      memory[kind] += kb(line, 'Rss');
    }
  }
  return memory;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_WORKER ?? '') as BenchWorkerConfig;
  const threadPorts = probeWorkflowThreads();
  if (config.workflowThreadV8Flags) v8.setFlagsFromString(config.workflowThreadV8Flags);
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
    reuseV8Context: config.reuseV8Context ?? true,
    ...(config.workflowThreadPoolSize !== undefined ? { workflowThreadPoolSize: config.workflowThreadPoolSize } : {}),
    maxConcurrentActivityTaskExecutions: config.maxConcurrentActivityTaskExecutions ?? 20,
    ...(config.maxConcurrentWorkflowTaskExecutions !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTaskExecutions }
      : {}),
    ...(config.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.maxCachedWorkflows } : {}),
  });
  const running = worker.run();
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stats') {
      const threads = await Promise.all(threadPorts.map(threadHeap));
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
        workflowThreadPoolSize: worker.options.workflowThreadPoolSize,
        main: isolateHeap({ heap: v8.getHeapStatistics(), spaces: v8.getHeapSpaceStatistics() }),
        threads,
        proc: procMemory(),
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
