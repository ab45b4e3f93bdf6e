import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { AdoptionEnablementPlugin } from '../plugin/plugin';
import { DEFAULT_TASK_QUEUE } from '../client/start-enablement';
import { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_MAX_CONCURRENT_ACTIVITIES } from './worker-tuning';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** Defaults to the prebuilt bundle (or a fresh one when there is none). */
  bundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
  /** Sticky cache size; default `DEFAULT_MAX_CACHED_WORKFLOWS` (bench/RESULTS.md section 4 measured what it costs and saves). */
  maxCachedWorkflows?: number;
  /** Replaces the activities built from `deps` (recording tools inject faults this way; tests use the real ones). */
  activities?: object;
  /** Folder of the YAML definitions detection starts runs with; default the shipped ones. */
  definitionsDir?: string;
  /** The outbox relay's interval (docs/delivery.md); default 30 s, 0 turns it off. */
  outboxRelayIntervalMs?: number;
}

/**
 * Our own worker: nothing but the plugin on a worker of its own (both workflow types, every activity, search
 * attributes registered before polling). A platform adds the same plugin to its worker instead.
 */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const plugin = new AdoptionEnablementPlugin({
    deps: options.deps,
    taskQueue,
    workflowBundle: options.bundle,
    activities: options.activities,
    definitionsDir: options.definitionsDir,
    outboxRelayIntervalMs: options.outboxRelayIntervalMs,
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    plugins: [plugin],
    // One V8 context for all workflows: far less memory per cached run; our workflow code keeps no global state.
    reuseV8Context: true,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    // Parked runs are evicted (least recently used first) and replayed when they wake: bounded memory for any number of runs.
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  });
}
