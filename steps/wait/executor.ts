import { condition } from '@temporalio/workflow';
import { describeDuration } from '../../definitions/language/describe-duration';
import type { NoActivities, PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import { SIGNAL_WAITS } from '../signals';
import type { WaitPlanConfig } from './definition';

/**
 * A durable timer: survives worker restarts and deploys; `until_signal` lets the awaited news end it early. It
 * consumes nothing from the inbox (steps/signals.ts), so a later step still sees what ended it.
 */
export const executeWait: StepExecutor<PlanStepOf<'wait', WaitPlanConfig>, NoActivities> = async (step, run) => {
  const { seconds, until_signal: untilSignal } = step.config;
  run.setWaiting(step, `timer ${describeDuration(seconds)}${untilSignal ? ` or ${untilSignal}` : ''}`);
  const endedEarly = await condition(
    () => (untilSignal === undefined ? false : SIGNAL_WAITS[untilSignal].arrived(run.inbox, run.facts)),
    seconds * 1000,
  );
  run.setWaiting(step, undefined);
  return { result: { seconds, endedEarly, endedBy: endedEarly ? (untilSignal ?? null) : 'timer' } };
};
