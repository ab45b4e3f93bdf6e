import { ApplicationFailure } from '@temporalio/common';
import type { CreateTaskArgs, CreateTaskResult, StepContext } from './contracts';
import type { ActivityDeps } from './deps';

/**
 * `create_task`: a CSM task keyed by workflow id + step id. INSERT ... ON CONFLICT DO NOTHING RETURNING tells the
 * attempt that created the row from a retry that finds it; the retry answers with the stored row, not its own args.
 */
export function createCreateTaskActivity(deps: ActivityDeps) {
  return {
    async createTask(context: StepContext, args: CreateTaskArgs): Promise<CreateTaskResult> {
      if (Number.isNaN(new Date(args.dueAt).getTime())) {
        throw ApplicationFailure.create({ message: `create_task: dueAt ${JSON.stringify(args.dueAt)} is not a date`, type: 'InvalidTask', nonRetryable: true });
      }
      const key = `${context.workflowId}/${context.stepId}`;
      const inserted = await deps.db.query<{ id: string; due_at: Date }>(
        `INSERT INTO tasks (idempotency_key, customer_id, feature_ids, title, description, priority, due_at,
                            owner_name, owner_email, workflow_id, run_id, step_id)
         VALUES ($1, $2, $3::text[], $4, $5, $6, $7::timestamptz, $8, $9, $10, $11, $12)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, due_at`,
        [
          key,
          context.customerId,
          context.featureIds,
          args.title,
          args.description ?? null,
          args.priority,
          args.dueAt,
          args.owner?.name ?? null,
          args.owner?.email ?? null,
          context.workflowId,
          context.runId,
          context.stepId,
        ],
      );
      const created = inserted.rows[0];
      if (created) return { taskId: created.id, dueAt: new Date(created.due_at).toISOString(), created: true };
      const existing = (await deps.db.query<{ id: string; due_at: Date }>(`SELECT id, due_at FROM tasks WHERE idempotency_key = $1`, [key])).rows[0];
      if (!existing) throw new Error(`task ${key} neither inserted nor found`);
      return { taskId: existing.id, dueAt: new Date(existing.due_at).toISOString(), created: false };
    },
  };
}
