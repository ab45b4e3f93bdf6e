import type { Db } from '../db/database';

export type TaskPriority = 'low' | 'medium' | 'high' | 'urgent';

export interface NewTask {
  /** Retries with the same key find the first row instead of adding another (workflow id + step id, a click's id). */
  idempotencyKey: string;
  customerId: string;
  featureIds: string[];
  title: string;
  description: string | null;
  priority: TaskPriority;
  dueAt: string;
  owner: { name: string | null; email: string | null };
  workflowId: string | null;
  runId?: string | null;
  /** The step (or Slack action) that asked for it. */
  stepId: string;
}

/**
 * The one writer of CSM tasks (the `create_task` step, the Slack "Schedule Training Call" button). INSERT ... ON
 * CONFLICT DO NOTHING RETURNING tells the attempt that created the row from a retry that finds it; the retry answers
 * with the stored row, not its own arguments.
 */
export async function createTask(db: Db, task: NewTask): Promise<{ taskId: string; dueAt: string; created: boolean }> {
  const inserted = await db.query<{ id: string; due_at: Date }>(
    `INSERT INTO tasks (idempotency_key, customer_id, feature_ids, title, description, priority, due_at,
                        owner_name, owner_email, workflow_id, run_id, step_id)
     VALUES ($1, $2::uuid, $3::text[], $4, $5, $6, $7::timestamptz, $8, $9, $10, $11, $12)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, due_at`,
    [
      task.idempotencyKey,
      task.customerId,
      task.featureIds,
      task.title,
      task.description,
      task.priority,
      task.dueAt,
      task.owner.name,
      task.owner.email,
      task.workflowId,
      task.runId ?? null,
      task.stepId,
    ],
  );
  const created = inserted.rows[0];
  if (created) return { taskId: created.id, dueAt: new Date(created.due_at).toISOString(), created: true };
  const existing = (await db.query<{ id: string; due_at: Date }>(`SELECT id, due_at FROM tasks WHERE idempotency_key = $1`, [task.idempotencyKey]))
    .rows[0];
  if (!existing) throw new Error(`task ${task.idempotencyKey} neither inserted nor found`);
  return { taskId: existing.id, dueAt: new Date(existing.due_at).toISOString(), created: false };
}

/** Closes an open task; false when it is not open (already done, or unknown). */
export async function closeTask(db: Db, taskId: string, by: string, at: Date): Promise<{ closed: boolean; customerId: string | null } | null> {
  const updated = await db.query<{ customer_id: string | null }>(
    `UPDATE tasks SET status = 'done', closed_at = $3::timestamptz, closed_by = $2 WHERE id = $1::uuid AND status = 'open' RETURNING customer_id`,
    [taskId, by, at.toISOString()],
  );
  if (updated.rows.length) return { closed: true, customerId: updated.rows[0].customer_id };
  const known = await db.query<{ customer_id: string | null }>(`SELECT customer_id FROM tasks WHERE id = $1::uuid`, [taskId]);
  return known.rows.length ? { closed: false, customerId: known.rows[0].customer_id } : null;
}
