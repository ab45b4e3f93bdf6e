import type { Client } from '@temporalio/client';
import { startOnce } from './start-once';
import type { Db } from '../db/database';
import {
  INTERVENTION_FOLLOW_UP_WORKFLOW,
  interventionFollowUpWorkflowId,
  type InterventionFollowUpInput,
  type interventionFollowUpWorkflow,
} from '../workflows/intervention-follow-up';
import { CustomerId, FeatureIds } from '../workflows/search-attributes';
import { DEFAULT_TASK_QUEUE } from './start-enablement';

export interface FollowUpStart {
  interventionId: string;
  workflowId: string;
  /** False when the follow-up already existed (running or finished): nothing new was started. */
  started: boolean;
}

interface InterventionRow {
  id: string;
  customer_id: string;
  feature_id: string;
  intervention_type: string;
  occurred_at: Date | string;
  performed_by: string | null;
}

/**
 * Starts the durable follow-up of each intervention (docs/impact.md): one workflow per intervention, id
 * `intervention-follow-up/<interventionId>`, refused rather than doubled when it exists already (a retried request,
 * a sweep after an outage). Emails still queued in the outbox are not followed up until delivered. Records the
 * workflow id on the intervention.
 */
export async function startInterventionFollowUps(options: {
  client: Client;
  db: Db;
  interventionIds: string[];
  taskQueue?: string | null;
}): Promise<FollowUpStart[]> {
  if (options.interventionIds.length === 0) return [];
  const { rows } = await options.db.query<InterventionRow>(
    `SELECT id, customer_id, feature_id, intervention_type, occurred_at, performed_by FROM interventions
      WHERE id = ANY($1::uuid[]) AND delivery IS DISTINCT FROM 'queued' ORDER BY occurred_at, id`,
    [options.interventionIds],
  );
  const starts: FollowUpStart[] = [];
  for (const row of rows) {
    const workflowId = interventionFollowUpWorkflowId(row.id);
    const occurredAt = new Date(row.occurred_at).toISOString();
    const input: InterventionFollowUpInput = {
      interventionId: row.id,
      customerId: row.customer_id,
      featureId: row.feature_id,
      interventionType: row.intervention_type,
      occurredAt,
    };
    const { started } = await startOnce<typeof interventionFollowUpWorkflow>(options.client, INTERVENTION_FOLLOW_UP_WORKFLOW, {
      workflowId,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [input],
      typedSearchAttributes: [
        { key: CustomerId, value: row.customer_id },
        { key: FeatureIds, value: [row.feature_id] },
      ],
      memo: { interventionType: row.intervention_type, performedBy: row.performed_by },
      staticSummary: `Intervention follow-up: ${row.intervention_type} on ${row.feature_id}`,
      staticDetails:
        `Measures adoption of **${row.feature_id}** 14 and 30 days after the ${row.intervention_type} of ${occurredAt}` +
        `${row.performed_by ? ` by ${row.performed_by}` : ''} (intervention ${row.id}).`,
    });
    await options.db.query(`UPDATE interventions SET follow_up_workflow_id = $2 WHERE id = $1::uuid`, [row.id, workflowId]);
    starts.push({ interventionId: row.id, workflowId, started });
  }
  return starts;
}

/**
 * The sweep: starts the follow-up of every intervention that has none yet (recorded while Temporal was unreachable,
 * or made by an enablement run), optionally only those since a time. Safe to run any time: starts are idempotent.
 */
export async function startPendingFollowUps(options: { client: Client; db: Db; taskQueue?: string | null; since?: Date }): Promise<FollowUpStart[]> {
  const { rows } = await options.db.query<{ id: string }>(
    `SELECT id FROM interventions
      WHERE follow_up_workflow_id IS NULL AND delivery IS DISTINCT FROM 'queued' AND ($1::timestamptz IS NULL OR occurred_at >= $1::timestamptz)
      ORDER BY occurred_at, id`,
    [options.since?.toISOString() ?? null],
  );
  return startInterventionFollowUps({ ...options, interventionIds: rows.map((row) => row.id) });
}
