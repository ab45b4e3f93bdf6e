import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import { startInterventionFollowUps, type FollowUpStart } from '../client/start-follow-up';

/**
 * Starts the durable follow-up of interventions recorded by hand (API, adoption page, Slack). Recording never fails
 * because Temporal is down or not configured: the intervention is kept without `follow_up_workflow_id`, the error is
 * reported to `onError`, and `startPendingFollowUps` (client/start-follow-up.ts) starts it later.
 */
export async function followUpInterventions(
  deps: { db: Db; temporalClient: () => Promise<Client>; taskQueue: string | null | undefined; onError?: (error: unknown) => void },
  interventionIds: string[],
): Promise<FollowUpStart[]> {
  try {
    const client = await deps.temporalClient();
    return await startInterventionFollowUps({ client, db: deps.db, interventionIds, taskQueue: deps.taskQueue });
  } catch (error) {
    deps.onError?.(error);
    return [];
  }
}
