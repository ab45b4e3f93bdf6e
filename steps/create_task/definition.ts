import type { TaskPriority } from '../../adoption/tasks';
import type { TemplateValue } from '../../definitions/language/types';
import type { StepDefinition } from '../kind';

export interface CreateTaskPlanConfig {
  title: TemplateValue;
  description?: TemplateValue;
  /** `due_date_offset_hours` / `due_date_offset_days` normalised to seconds after the step runs. */
  dueInSeconds: number;
  priority: TaskPriority;
}

export interface CreateTaskConfig {
  title: string;
  description?: string;
  due_date_offset_hours?: number;
  due_date_offset_days?: number;
  priority?: TaskPriority;
}

const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high', 'urgent'];
const OFFSETS = [
  ['due_date_offset_hours', 3_600, 'hours'],
  ['due_date_offset_days', 86_400, 'days'],
] as const;

export const createTaskDefinition: StepDefinition<'create_task', CreateTaskConfig, CreateTaskPlanConfig> = {
  action: 'create_task',
  summary: "create a task for the customer's CSM, due a number of hours or days after the step runs",
  configSchema: {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      due_date_offset_hours: { type: 'number' },
      due_date_offset_days: { type: 'number' },
      priority: { enum: [...PRIORITIES] },
    },
    required: ['title'],
    additionalProperties: false,
  },
  templated: ['title', 'description'],
  check(config, context) {
    const given = OFFSETS.filter(([key]) => config[key] !== undefined);
    if (given.length === 0) {
      context.report([], 'missing-key', 'create_task needs due_date_offset_hours or due_date_offset_days');
    }
    if (given.length === 2) {
      // Two due dates for one task: say which one to drop rather than pick one silently.
      context.report(['due_date_offset_days'], 'conflicting-keys', 'give due_date_offset_hours or due_date_offset_days, not both', { key: true });
    }
    for (const [key, , unit] of given) {
      const value = config[key]!;
      if (!(value > 0)) context.report([key], 'bad-duration', `${key} must be a positive number of ${unit}, not ${value}`);
    }
  },
  normalise(config) {
    const [key, unitSeconds] = OFFSETS.find(([name]) => config[name] !== undefined)!;
    return {
      title: config.title,
      ...(config.description === undefined ? {} : { description: config.description }),
      dueInSeconds: Math.round(config[key]! * unitSeconds),
      priority: config.priority ?? 'medium',
    };
  },
};
