import { condition } from '@temporalio/workflow';
import type { WaitStep } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';
import { allFeaturesRecovered } from '../recovery';
import { describeDuration } from '../durations';

/** A durable timer: survives worker restarts and deploys; `until_signal` lets the awaited news end it early. */
export const executeWait: StepExecutor<WaitStep> = async (step, run) => {
  const { seconds, until_signal: untilSignal } = step.config;
  run.setWaiting(step, `timer ${describeDuration(seconds)}${untilSignal ? ` or ${untilSignal}` : ''}`);
  const endedEarly = await condition(() => {
    if (untilSignal === 'recovered') return allFeaturesRecovered(run);
    if (untilSignal === 'emailDecision') return run.inbox.emailDecisions.length > 0;
    return false;
  }, seconds * 1000);
  run.setWaiting(step, undefined);
  return { result: { seconds, endedEarly, endedBy: endedEarly ? (untilSignal ?? null) : 'timer' } };
};
