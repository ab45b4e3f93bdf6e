import { condition } from '@temporalio/workflow';
import { describeDuration } from '../../definitions/language/describe-duration';
import type { JsonValue } from '../../definitions/language/types';
import type { NoActivities, PlanStepOf } from '../kind';
import type { StepExecutor, StepNext } from '../run';
import { SIGNAL_WAITS } from '../signals';
import type { WaitForSignalPlanConfig } from './definition';

/** Waits for a signal up to a timeout and takes it (see steps/signals.ts for what each signal's taking means). */
export const executeWaitForSignal: StepExecutor<PlanStepOf<'wait_for_signal', WaitForSignalPlanConfig>, NoActivities> = async (step, run) => {
  const { signal, timeoutSeconds, on_timeout: onTimeout } = step.config;
  const wait = SIGNAL_WAITS[signal];
  run.setWaiting(step, step.config.waiting_for ?? `${signal} (up to ${describeDuration(timeoutSeconds)})`);
  const arrived = await condition(() => wait.arrived(run.inbox, run.facts), timeoutSeconds * 1000);
  run.setWaiting(step, undefined);
  if (arrived) {
    return { result: { received: true, timedOut: false, payload: wait.take(run.inbox) as unknown as JsonValue } };
  }
  const result = { received: false, timedOut: true, payload: null };
  const next: StepNext =
    onTimeout.action === 'goto'
      ? { kind: 'goto', step: onTimeout.step }
      : onTimeout.action === 'fail'
        ? { kind: 'fail', message: `step ${step.id}: no ${signal} within ${describeDuration(timeoutSeconds)}` }
        : { kind: 'next' };
  return { result, next };
};
