import { workflowNow } from '../workflow-clock';
import type { JsonValue } from '../../definitions/language/types';
import type { PlanStepOf } from '../kind';
import type { StepExecutor } from '../run';
import type { CreateTaskActivities } from './activity';
import type { CreateTaskPlanConfig } from './definition';

export const executeCreateTask: StepExecutor<PlanStepOf<'create_task', CreateTaskPlanConfig>, CreateTaskActivities> = (step, run) => {
  const description = step.config.description === undefined ? undefined : String(run.resolve(step.config.description) ?? '');
  return run
    .activities(step)
    .createTask(run.context(step), {
      title: String(run.resolve(step.config.title) ?? ''),
      description,
      // Computed from workflow time so a replay, or a retried activity, produces the same due date.
      dueAt: new Date(workflowNow() + step.config.dueInSeconds * 1000).toISOString(),
      priority: step.config.priority,
      owner: { name: run.facts.customer.csm.name, email: run.facts.customer.csm.email },
    })
    .then((result) => ({ result: result as unknown as JsonValue }));
};
