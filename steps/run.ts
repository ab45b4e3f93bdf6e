import { ApplicationFailure } from '@temporalio/common';
import type { RunFacts, StepContext } from '../adoption/model/run-facts';
import type { JsonValue, StepCommon } from '../definitions/language/types';
import type { SignalInbox } from './signals';

/**
 * What a step executor gets: the run's facts, its scope, its signal inbox, and its own kind's activities proxied
 * with this step's retry, timeout and summary. Executors are bundle-safe: they run inside the workflow sandbox.
 */
export interface StepRun<Activities extends object = object> {
  readonly facts: RunFacts;
  readonly scope: Record<string, JsonValue>;
  readonly inbox: SignalInbox;
  /** Activities with this step's retry/timeout and the step id as the activity summary shown in the Web UI. */
  activities(step: StepCommon): Activities;
  context(step: StepCommon): StepContext;
  resolve(value: JsonValue): JsonValue;
  /** Marks the run as waiting (query `state`, Web UI current details); `undefined` clears it. */
  setWaiting(step: StepCommon, waitingFor: string | undefined): void;
  /** What the run reports as its outcome and its features' latest scores (query `state`, search attribute). */
  reportOutcome(outcome: string, features: Array<{ featureId: string; stage: string; usageScore: number }>): void;
}

export type StepNext = { kind: 'next' } | { kind: 'goto'; step: string } | { kind: 'fail'; message: string };

export interface StepOutcome {
  result: JsonValue;
  next?: StepNext;
}

/**
 * Runs one step in the workflow sandbox. Executors that call one activity return its promise with `.then` instead of
 * being async functions that await it: the sandbox records a stack trace for every promise workflow code creates, and
 * an async function that awaits creates two; per step of every run that was a measurable share of the interpreter's
 * worker CPU (bench/RESULTS.md, interpreter overhead).
 */
export type StepExecutor<Step extends StepCommon, Activities extends object> = (step: Step, run: StepRun<Activities>) => Promise<StepOutcome>;

/** The failure type of a step that cannot go on; ops search for it in the Web UI. */
export const STEP_FAILED = 'StepFailed';

/**
 * Why a step cannot go on (a reference resolved to nothing, an agent answered without a field the step needs), as a
 * non-retryable workflow failure: the run fails visibly in the Web UI instead of retrying its workflow task forever.
 */
export function stepFailed(stepId: string, cause: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`step ${stepId}: ${cause}`, STEP_FAILED, { stepId, cause });
}
