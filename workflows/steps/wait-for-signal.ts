import { condition } from '@temporalio/workflow';
import type { JsonValue, WaitForSignalStep } from '../../definitions/plan';
import type { StepExecutor, StepNext } from '../step-run';
import { allFeaturesRecovered } from '../recovery';
import { describeDuration } from '../durations';

export const executeWaitForSignal: StepExecutor<WaitForSignalStep> = async (step, run) => {
  const { signal, timeoutSeconds, on_timeout: onTimeout } = step.config;
  run.setWaiting(step, step.config.waiting_for ?? `${signal} (up to ${describeDuration(timeoutSeconds)})`);
  const arrived = await condition(
    () => (signal === 'emailDecision' ? run.inbox.emailDecisions.length > 0 : allFeaturesRecovered(run)),
    timeoutSeconds * 1000,
  );
  run.setWaiting(step, undefined);
  if (arrived) {
    const payload = signal === 'emailDecision' ? run.inbox.emailDecisions.shift()! : run.inbox.recovered;
    return { result: { received: true, timedOut: false, payload: payload as unknown as JsonValue } };
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
