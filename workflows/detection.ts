import { defineSearchAttributeKey } from '@temporalio/common';
import { ApplicationFailure, log, patched, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { DetectionActivities, NotifyRecoveriesResult, StartEnablementRunsResult, StartFollowUpsResult } from './detection-contract';
import type { DetectionSummary } from '../adoption/detection';

/**
 * The daily adoption detection, started by the Temporal Schedule `client/schedule.ts` creates (or by
 * hand with an explicit `asOf`). Deterministic: the as-of day comes from the schedule's time (or the run's start
 * time), never from a clock of its own; the work is four activities:
 *   1. runDetection           every batch of customers, heartbeating, resumable (set-based SQL per batch);
 *   2. startEnablementRuns    one enablement run per new signal (duplicate starts are refused by workflow id);
 *   3. notifyRecoveries       `recovered` to the running enablement runs of features that recovered;
 *   4. startPendingFollowUps  the 14/30-day follow-up of every recent intervention that has none yet: those the
 *                             enablement runs made (their emails), outbox emails delivered since, and manual ones
 *                             whose start failed while Temporal was unreachable (docs/impact.md).
 * Step 4 came after runs of the first release; `patched('follow-up-sweep')` keeps their histories replaying.
 */
export const DETECTION_WORKFLOW_TYPE = 'detectionWorkflow';

export interface DetectionWorkflowInput {
  /** 'YYYY-MM-DD'. Default: the UTC day before the scheduled time (or the start time), i.e. the last complete day. */
  asOf?: string;
  batchSize?: number;
  /** Default true. */
  startEnablement?: boolean;
  /** Default true. */
  notifyRecoveries?: boolean;
  /** Default true. */
  startFollowUps?: boolean;
}

export interface DetectionWorkflowResult {
  asOf: string;
  detection: DetectionSummary;
  enablement: StartEnablementRunsResult | null;
  recoveries: NotifyRecoveriesResult | null;
  /** Absent on runs of the first release (before step 4). */
  followUps?: StartFollowUpsResult | null;
}

/** Set by the server on runs a Schedule starts: the time the action was due, which a late (catch-up) run keeps. */
const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

const DAY_MS = 86_400_000;

const { runDetection } = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
  summary: 'runDetection',
});

const { startEnablementRuns, notifyRecoveries, startPendingFollowUps } = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export async function detectionWorkflow(input: DetectionWorkflowInput = {}): Promise<DetectionWorkflowResult> {
  const asOf = input.asOf ?? previousUtcDay(scheduledOrStartTime());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    throw ApplicationFailure.create({ message: `asOf must be YYYY-MM-DD, got ${JSON.stringify(asOf)}`, nonRetryable: true });
  }

  setCurrentDetails(`step 1/4: detecting stalls as of ${asOf}`);
  const detection = await runDetection({ asOf, batchSize: input.batchSize });
  log.info('detection done', { ...detection });

  let enablement: StartEnablementRunsResult | null = null;
  if (input.startEnablement !== false && detection.signals > 0) {
    setCurrentDetails(`step 2/4: starting enablement runs for ${detection.signals} signal(s)`);
    enablement = await startEnablementRuns({ asOf });
  }

  let recoveries: NotifyRecoveriesResult | null = null;
  if (input.notifyRecoveries !== false && detection.recovered > 0) {
    setCurrentDetails(`step 3/4: telling the runs of ${detection.recovered} recovered feature(s)`);
    recoveries = await notifyRecoveries({ asOf });
  }

  if (!patched('follow-up-sweep')) return finish({ asOf, detection, enablement, recoveries });
  let followUps: StartFollowUpsResult | null = null;
  if (input.startFollowUps !== false) {
    setCurrentDetails(`step 4/4: starting the follow-ups of interventions that have none`);
    followUps = await startPendingFollowUps({ asOf });
  }
  return finish({ asOf, detection, enablement, recoveries, followUps });
}

function finish(result: DetectionWorkflowResult): DetectionWorkflowResult {
  const { asOf, detection, followUps } = result;
  const followedUp = followUps ? `, ${followUps.started.length} follow-up(s) started` : '';
  setCurrentDetails(
    `done: as of ${asOf}, ${detection.evaluated} evaluated, ${detection.signals} signal(s), ${detection.recovered} recovered${followedUp}`,
  );
  return result;
}

function scheduledOrStartTime(): Date {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(TemporalScheduledStartTime);
  return scheduled instanceof Date && !Number.isNaN(scheduled.getTime()) ? scheduled : info.runStartTime;
}

function previousUtcDay(instant: Date): string {
  return new Date(instant.getTime() - DAY_MS).toISOString().slice(0, 10);
}
