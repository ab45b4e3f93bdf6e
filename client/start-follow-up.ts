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
import { interventionsToFollowUp, interventionsWithoutFollowUp, recordFollowUpWorkflow } from '../adoption/follow-ups';

export interface FollowUpStart {
  interventionId: string;
  workflowId: string;
  /** False when the follow-up already existed (running or finished): nothing new was started. */
  started: boolean;
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
  const starts: FollowUpStart[] = [];
  for (const row of await interventionsToFollowUp(options.db, options.interventionIds)) {
    const workflowId = interventionFollowUpWorkflowId(row.id);
    const occurredAt = row.occurredAt.toISOString();
    const input: InterventionFollowUpInput = {
      interventionId: row.id,
      customerId: row.customerId,
      featureId: row.featureId,
      interventionType: row.interventionType,
      occurredAt,
    };
    const { started } = await startOnce<typeof interventionFollowUpWorkflow>(options.client, INTERVENTION_FOLLOW_UP_WORKFLOW, {
      workflowId,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [input],
      typedSearchAttributes: [
        { key: CustomerId, value: row.customerId },
        { key: FeatureIds, value: [row.featureId] },
      ],
      memo: { interventionType: row.interventionType, performedBy: row.performedBy },
      staticSummary: `Intervention follow-up: ${row.interventionType} on ${row.featureId}`,
      staticDetails:
        `Measures adoption of **${row.featureId}** 14 and 30 days after the ${row.interventionType} of ${occurredAt}` +
        `${row.performedBy ? ` by ${row.performedBy}` : ''} (intervention ${row.id}).`,
    });
    await recordFollowUpWorkflow(options.db, row.id, workflowId);
    starts.push({ interventionId: row.id, workflowId, started });
  }
  return starts;
}

/**
 * The sweep: starts the follow-up of every intervention that has none yet (recorded while Temporal was unreachable,
 * or made by an enablement run), optionally only those since a time. Safe to run any time: starts are idempotent.
 */
export async function startPendingFollowUps(options: { client: Client; db: Db; taskQueue?: string | null; since?: Date }): Promise<FollowUpStart[]> {
  return startInterventionFollowUps({ ...options, interventionIds: await interventionsWithoutFollowUp(options.db, options.since) });
}
