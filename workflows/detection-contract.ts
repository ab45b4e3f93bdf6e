import type { DetectionSummary } from '../adoption/detection';

/** What the detection workflow calls; activities/detection-activities.ts implements it (worker only). */
export interface RunDetectionArgs {
  asOf: string;
  batchSize?: number;
}

export interface StartEnablementRunsResult {
  started: Array<{ signalId: string; workflowId: string; started: boolean }>;
  failed: Array<{ signalId: string; error: string }>;
}

export interface NotifyRecoveriesResult {
  signalled: Array<{ workflowId: string; featureId: string }>;
  /** Runs that no longer exist or already finished: nothing to tell. */
  notRunning: Array<{ workflowId: string; featureId: string }>;
}

export interface StartFollowUpsResult {
  /** Follow-up workflows started by this sweep, one per intervention. */
  started: Array<{ interventionId: string; workflowId: string }>;
  /** Interventions whose follow-up already existed (started by the API, or by a sweep whose result was lost). */
  alreadyStarted: number;
}

export interface DetectionActivities {
  runDetection(args: RunDetectionArgs): Promise<DetectionSummary>;
  startEnablementRuns(args: { asOf: string }): Promise<StartEnablementRunsResult>;
  notifyRecoveries(args: { asOf: string }): Promise<NotifyRecoveriesResult>;
  startPendingFollowUps(args: { asOf: string }): Promise<StartFollowUpsResult>;
}
