import type { JsonValue, PlanStep } from '../definitions/plan';
import type { EmailDecision, EnablementActivities, StepContext } from '../activities/contracts';
import type { EnablementInput } from './enablement-input';
import type { EnablementState, RecoveredSignal } from './messages';

/** What a step executor gets: the run's facts, its scope, its inboxes, and activities proxied for this step. */
export interface StepRun {
  readonly input: EnablementInput;
  readonly scope: Record<string, JsonValue>;
  readonly state: EnablementState;
  readonly inbox: SignalInbox;
  /** Activities with this step's retry/timeout and the step id as the activity summary shown in the Web UI. */
  activities(step: PlanStep): EnablementActivities;
  context(step: PlanStep): StepContext;
  resolve(value: JsonValue): JsonValue;
  /** Marks the run as waiting (query `state`, Web UI current details); `undefined` clears it. */
  setWaiting(step: PlanStep, waitingFor: string | undefined): void;
}

export interface SignalInbox {
  /** Decisions not yet taken by a wait step, oldest first. */
  emailDecisions: EmailDecision[];
  recovered: RecoveredSignal[];
}

export type StepNext = { kind: 'next' } | { kind: 'goto'; step: string } | { kind: 'fail'; message: string };

export interface StepOutcome {
  result: JsonValue;
  next?: StepNext;
}

export type StepExecutor<S extends PlanStep = PlanStep> = (step: S, run: StepRun) => Promise<StepOutcome>;
