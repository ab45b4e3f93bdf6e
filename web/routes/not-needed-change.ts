import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { changeNotNeeded, recordRunsTold, runsOfFeature, type NotNeededChange, type NotNeededMark } from '../../adoption/not-needed';
import { featureNotNeededSignal, MESSAGE_LIMITS, type EnablementWorkflow } from '../../workflows/messages';

/**
 * One path for every "not needed" change (the JSON API, the pages' forms, the Slack button): store the mark and its
 * audit row (adoption/not-needed.ts), then tell the runs of that customer-feature with the `featureNotNeeded` signal.
 * The database is the truth: a run that has finished refuses the signal and is skipped; when Temporal is down or not
 * configured the mark still stands (detection honours it) and the answer says no run was told.
 */
export interface NotNeededDeps {
  db: Db;
  temporalClient: () => Promise<Client>;
  onError?: (error: unknown, workflowId: string | null) => void;
}

export interface NotNeededOutcome extends NotNeededMark {
  /** Runs that accepted the signal (running ones). */
  runsTold: string[];
  /** True when Temporal could not be reached, so running runs (if any) were not told. */
  runsUnreachable: boolean;
}

export async function applyNotNeededChange(deps: NotNeededDeps, change: NotNeededChange): Promise<NotNeededOutcome> {
  const mark = await changeNotNeeded(deps.db, change);
  const candidates = await runsOfFeature(deps.db, change.customerId, change.featureId);
  const runsTold: string[] = [];
  let runsUnreachable = false;
  if (candidates.length > 0) {
    let client: Client | null = null;
    try {
      client = await deps.temporalClient();
    } catch (error) {
      runsUnreachable = true;
      deps.onError?.(error, null);
    }
    // The signal's own limits: a by/reason longer than the contract allows is cut, never refused after the mark is stored.
    const payload = {
      featureId: change.featureId,
      notNeeded: change.notNeeded,
      by: change.by.slice(0, MESSAGE_LIMITS.by),
      ...(change.reason ? { reason: change.reason.slice(0, MESSAGE_LIMITS.reason) } : {}),
    };
    for (const workflowId of client ? candidates : []) {
      try {
        await client!.workflow.getHandle<EnablementWorkflow>(workflowId).signal(featureNotNeededSignal, payload);
        runsTold.push(workflowId);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) continue; // finished (or never started): nothing to tell
        runsUnreachable = true;
        deps.onError?.(error, workflowId);
      }
    }
  }
  if (runsTold.length > 0) await recordRunsTold(deps.db, mark.auditId, runsTold);
  return { ...mark, runsTold, runsUnreachable };
}
