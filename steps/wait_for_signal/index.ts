import type { NoActivities, StepKind } from '../kind';
import { waitForSignalDefinition, type WaitForSignalConfig, type WaitForSignalPlanConfig } from './definition';
import { executeWaitForSignal } from './executor';

export const waitForSignal: StepKind<'wait_for_signal', WaitForSignalConfig, WaitForSignalPlanConfig, NoActivities> = {
  ...waitForSignalDefinition,
  activities: {},
  execute: executeWaitForSignal,
};
