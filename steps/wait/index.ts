import type { NoActivities, StepKind } from '../kind';
import { waitDefinition, type WaitConfig, type WaitPlanConfig } from './definition';
import { executeWait } from './executor';

export const wait: StepKind<'wait', WaitConfig, WaitPlanConfig, NoActivities> = { ...waitDefinition, activities: {}, execute: executeWait };
