import { ApplicationFailure, defineQuery, proxyActivities, setCurrentDetails, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { workflowNow } from '../steps/workflow-clock';
import type { InterventionMeasurement } from '../adoption/interventions';

/**
 * The durable follow-up of one intervention (FR-4.1, FR-4.2; docs/impact.md): a run per intervention, id
 * `intervention-follow-up/<interventionId>`, that waits until each checkpoint (14 and 30 days after the intervention's
 * UTC day) is over and measures adoption again. Deterministic: the checkpoint days come from the input (the
 * intervention's time), the waits from durable timers against the workflow clock, the measuring from an activity that
 * is handed the as-of day, so a measurement is reproducible whenever the activity runs.
 */
export const INTERVENTION_FOLLOW_UP_WORKFLOW = 'interventionFollowUpWorkflow';
export const DEFAULT_CHECKPOINT_DAYS = [14, 30];
/** How long after the end of a checkpoint day the measurement waits, so late-imported usage of that day counts. */
export const MEASUREMENT_GRACE_MS = 2 * 3_600_000;

export function interventionFollowUpWorkflowId(interventionId: string): string {
  return `intervention-follow-up/${interventionId}`;
}

export interface InterventionFollowUpInput {
  interventionId: string;
  customerId: string;
  featureId: string;
  interventionType: string;
  /** ISO-8601: when the intervention happened. */
  occurredAt: string;
  /** Days after the intervention's UTC day to measure on; default 14 and 30. */
  checkpointDays?: number[];
}

export interface InterventionFollowUpActivities {
  measureInterventionFollowUp(args: {
    interventionId: string;
    checkpointDays: number;
    asOf: string;
    workflowId: string;
  }): Promise<InterventionMeasurement | null>;
}

export interface InterventionFollowUpState {
  interventionId: string;
  status: 'waiting' | 'measuring' | 'completed' | 'intervention_missing';
  next: { checkpointDays: number; asOf: string; dueAt: string } | null;
  measurements: InterventionMeasurement[];
}

export interface InterventionFollowUpResult {
  interventionId: string;
  status: 'completed' | 'intervention_missing';
  measurements: InterventionMeasurement[];
  /** The outcome at the last checkpoint. */
  outcome: string | null;
}

export const followUpStateQuery = defineQuery<InterventionFollowUpState>('followUpState');

const DAY_MS = 86_400_000;

const { measureInterventionFollowUp } = proxyActivities<InterventionFollowUpActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
  summary: 'measure adoption',
});

/** 'YYYY-MM-DD' of an instant (UTC). */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export async function interventionFollowUpWorkflow(input: InterventionFollowUpInput): Promise<InterventionFollowUpResult> {
  const occurred = Date.parse(input.occurredAt);
  if (Number.isNaN(occurred)) {
    throw ApplicationFailure.create({ message: `occurredAt must be ISO-8601, got ${JSON.stringify(input.occurredAt)}`, nonRetryable: true });
  }
  const occurredDayStart = Date.parse(`${dayOf(occurred)}T00:00:00.000Z`);
  const checkpoints = [...(input.checkpointDays ?? DEFAULT_CHECKPOINT_DAYS)].sort((a, b) => a - b);
  const state: InterventionFollowUpState = { interventionId: input.interventionId, status: 'waiting', next: null, measurements: [] };
  setHandler(followUpStateQuery, () => state);
  const { workflowId } = workflowInfo();

  for (const days of checkpoints) {
    const asOfStart = occurredDayStart + days * DAY_MS;
    const asOf = dayOf(asOfStart);
    // Measured once the checkpoint day is over (plus a grace for late usage): the 14-day window ends on that day.
    const due = asOfStart + DAY_MS + MEASUREMENT_GRACE_MS;
    state.next = { checkpointDays: days, asOf, dueAt: new Date(due).toISOString() };
    state.status = 'waiting';
    setCurrentDetails(`waiting for the ${days}-day checkpoint (${asOf}) of a ${input.interventionType} on ${input.featureId}`);
    const wait = due - workflowNow();
    if (wait > 0) await sleep(wait);
    state.status = 'measuring';
    const measurement = await measureInterventionFollowUp({ interventionId: input.interventionId, checkpointDays: days, asOf, workflowId });
    if (!measurement) {
      state.status = 'intervention_missing';
      state.next = null;
      setCurrentDetails('the intervention no longer exists; nothing to measure');
      return { interventionId: input.interventionId, status: 'intervention_missing', measurements: state.measurements, outcome: null };
    }
    state.measurements.push(measurement);
  }
  state.status = 'completed';
  state.next = null;
  const last = state.measurements[state.measurements.length - 1];
  setCurrentDetails(
    `completed: ${state.measurements.map((m) => `day ${m.checkpointDays} ${m.before} -> ${m.after} (${m.outcome})`).join('; ') || 'no checkpoints'}`,
  );
  return { interventionId: input.interventionId, status: 'completed', measurements: state.measurements, outcome: last?.outcome ?? null };
}
