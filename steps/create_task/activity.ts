import { stepKey } from '../../adoption/model/run-facts';
import { createTask, type TaskPriority } from '../../adoption/tasks';
import type { StepContext } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activity-deps';

export interface CreateTaskArgs {
  title: string;
  description?: string;
  /** ISO-8601, computed in the workflow from workflow time so replays agree. */
  dueAt: string;
  priority: TaskPriority;
  owner: { name: string | null; email: string | null };
}

export interface CreateTaskResult {
  taskId: string;
  dueAt: string;
  created: boolean;
}

/** The activities a `create_task` step calls (the worker registers them under these names). */
export interface CreateTaskActivities {
  createTask(context: StepContext, args: CreateTaskArgs): Promise<CreateTaskResult>;
}

/** `create_task`: a CSM task keyed by workflow id + step id (adoption/tasks.ts writes it, once). */
export function createActivities(deps: ActivityDeps): CreateTaskActivities {
  return {
    async createTask(context: StepContext, args: CreateTaskArgs): Promise<CreateTaskResult> {
      if (Number.isNaN(new Date(args.dueAt).getTime())) {
        throw ApplicationFailure.create({
          message: `create_task: dueAt ${JSON.stringify(args.dueAt)} is not a date`,
          type: 'InvalidTask',
          nonRetryable: true,
        });
      }
      // A title rendered from a step's output may carry a NUL, which Postgres refuses on every retry: refuse it once.
      for (const field of ['title', 'description'] as const) {
        if (args[field]?.includes('\u0000')) {
          throw ApplicationFailure.create({ message: `create_task: ${field} contains a NUL character`, type: 'InvalidTask', nonRetryable: true });
        }
      }
      return createTask(deps.db, {
        idempotencyKey: stepKey(context.workflowId, context.stepId),
        customerId: context.customerId,
        featureIds: context.featureIds,
        title: args.title,
        description: args.description ?? null,
        priority: args.priority,
        dueAt: args.dueAt,
        owner: { name: args.owner?.name ?? null, email: args.owner?.email ?? null },
        workflowId: context.workflowId,
        runId: context.runId,
        stepId: context.stepId,
      });
    },
  };
}
