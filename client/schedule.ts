import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import { DETECTION_WORKFLOW_TYPE, type DetectionWorkflowInput } from '../workflows/detection';
import { DEFAULT_TASK_QUEUE } from './start-enablement';

/**
 * The Temporal Schedule that runs adoption detection daily. Each run evaluates the last complete UTC day (the day
 * before its scheduled time), so the default 01:00 UTC gives late events an hour to land. A run still going when
 * the next is due is followed by it (BUFFER_ONE), and after an outage up to two missed days are caught up: no day is
 * skipped, and each keeps its own as-of day because the workflow reads the scheduled time.
 */
export const DETECTION_SCHEDULE_ID = 'adoption-detection-daily';
export const DETECTION_WORKFLOW_ID_PREFIX = 'adoption-detection';

export interface DetectionScheduleOptions {
  scheduleId?: string;
  taskQueue?: string;
  /** UTC time of day; default 01:00. */
  hour?: number;
  minute?: number;
  batchSize?: number;
  /** Start enablement runs for new signals (default true). */
  startEnablement?: boolean;
}

export interface DetectionScheduleResult {
  scheduleId: string;
  /** False when it existed already (its spec and action were brought up to date instead). */
  created: boolean;
}

/** The workflow input the schedule passes: no asOf, so each run takes the day before its scheduled time. */
export function scheduledDetectionInput(options: DetectionScheduleOptions = {}): DetectionWorkflowInput {
  const input: DetectionWorkflowInput = {};
  if (options.batchSize !== undefined) input.batchSize = options.batchSize;
  if (options.startEnablement === false) input.startEnablement = false;
  return input;
}

export function detectionScheduleOptions(options: DetectionScheduleOptions = {}): ScheduleOptions {
  const hour = options.hour ?? 1;
  const minute = options.minute ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`hour must be 0-23, got ${hour}`);
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new Error(`minute must be 0-59, got ${minute}`);
  return {
    scheduleId: options.scheduleId ?? DETECTION_SCHEDULE_ID,
    spec: {
      calendars: [{ hour, minute, comment: `daily adoption detection at ${pad(hour)}:${pad(minute)} UTC` }],
      timezone: 'UTC',
    },
    action: {
      type: 'startWorkflow',
      workflowType: DETECTION_WORKFLOW_TYPE,
      workflowId: DETECTION_WORKFLOW_ID_PREFIX,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [scheduledDetectionInput(options)],
      staticSummary: 'Daily adoption stall detection (PRD-090 FR-1, FR-2)',
    },
    policies: { overlap: 'BUFFER_ONE', catchupWindow: '2 days', pauseOnFailure: false },
    memo: { purpose: 'PRD-090 adoption detection' },
  };
}

/** Creates the schedule, or, when it exists, updates it to these options. Safe to run on every deploy. */
export async function createDetectionSchedule(client: Client, options: DetectionScheduleOptions = {}): Promise<DetectionScheduleResult> {
  const wanted = detectionScheduleOptions(options);
  try {
    await client.schedule.create(wanted);
    return { scheduleId: wanted.scheduleId, created: true };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(wanted.scheduleId).update((previous) => ({
    ...previous,
    spec: wanted.spec,
    action: wanted.action,
    policies: { ...previous.policies, ...wanted.policies },
  }));
  return { scheduleId: wanted.scheduleId, created: false };
}

export async function deleteDetectionSchedule(client: Client, scheduleId = DETECTION_SCHEDULE_ID): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
