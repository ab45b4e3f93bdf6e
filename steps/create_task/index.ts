import type { StepKind } from '../kind';
import type { CreateTaskActivities } from './activity';
import { createTaskDefinition, type CreateTaskConfig, type CreateTaskPlanConfig } from './definition';
import { executeCreateTask } from './executor';

export const createTask: StepKind<'create_task', CreateTaskConfig, CreateTaskPlanConfig, CreateTaskActivities> = {
  ...createTaskDefinition,
  activities: { createTask: true },
  execute: executeCreateTask,
};
