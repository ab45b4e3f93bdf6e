import type { CreateTaskStep, JsonValue } from '../../definitions/plan';
import type { StepExecutor } from '../step-run';
import { workflowNow } from '../clock';

export const executeCreateTask: StepExecutor<CreateTaskStep> = async (step, run) => {
  const description = step.config.description === undefined ? undefined : String(run.resolve(step.config.description) ?? '');
  const result = await run.activities(step).createTask(run.context(step), {
    title: String(run.resolve(step.config.title) ?? ''),
    description,
    // Computed from workflow time so a replay, or a retried activity, produces the same due date.
    dueAt: new Date(workflowNow() + step.config.dueInSeconds * 1000).toISOString(),
    priority: step.config.priority,
    owner: { name: run.input.customer.csm.name, email: run.input.customer.csm.email },
  });
  return { result: result as unknown as JsonValue };
};
