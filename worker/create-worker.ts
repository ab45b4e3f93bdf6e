import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { ActivityDeps } from '../adapters/deps';
import { createActivities } from '../activities';
import { DEFAULT_TASK_QUEUE } from '../temporal/start-enablement';
import { workflowBundle } from './workflow-bundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** Defaults to the prebuilt bundle (or a fresh one when there is none). */
  bundle?: WorkflowBundleOption;
  maxConcurrentActivityTaskExecutions?: number;
  /** Replaces the activities built from `deps` (recording tools inject faults this way; tests use the real ones). */
  activities?: object;
}

/** A worker running both workflow types of the package and every activity, with dependencies handed in. */
export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle: options.bundle ?? (await workflowBundle()),
    activities: options.activities ?? createActivities(options.deps),
    // One V8 context for all workflows: far less memory per cached run; our workflow code keeps no global state.
    reuseV8Context: true,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
  });
}
