import { escapeMrkdwn as escapeSlack } from '../../channels/slack-text';
import { createTask } from '../../adoption/tasks';
import { describeResource } from '../../adoption/model/recommendations';
import { findRun } from '../../adoption/runs';
import type { ButtonHandler } from './action-deps';
import { reply } from './payloads';

/** Training-call tasks are due two days after the click. */
const TRAINING_CALL_DUE_HOURS = 48;

/** `schedule_training_call`: a task for the CSM, once per click (idempotency key `slack/<run>/<action ts>`: two runs' alerts clicked at once are two clicks). */
export const scheduleTrainingCall: ButtonHandler = async (deps, { workflowId, action, by }) => {
  const run = await findRun(deps.db, workflowId);
  if (!run) return reply('This enablement run is not in the database; no task was created.');
  const now = deps.now();
  const due = new Date(now.getTime() + TRAINING_CALL_DUE_HOURS * 3_600_000);
  const title = `Schedule a training call with ${run.customer.name}`;
  const sessions = run.features.flatMap((feature) =>
    feature.resources.filter((resource) => resource.next_session).map((resource) => `${feature.featureName}: ${describeResource(resource)}`),
  );
  const description = [
    `Requested from the Slack alert by ${by}.`,
    `Features: ${run.features.map((feature) => feature.featureName).join(', ') || 'none recorded'}.`,
    ...(sessions.length ? ['Upcoming live trainings:', ...sessions.map((line) => `- ${line}`)] : []),
  ].join('\n');
  await createTask(deps.db, {
    idempotencyKey: `slack/${workflowId}/${action.action_ts ?? now.toISOString()}`,
    customerId: run.customer.id,
    featureIds: run.features.map((feature) => feature.featureId),
    title,
    description,
    priority: 'medium',
    dueAt: due.toISOString(),
    owner: { name: run.customer.csmName, email: run.customer.csmEmail },
    workflowId,
    stepId: 'slack:schedule_training_call',
  });
  const dueText = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(due);
  const owner = run.customer.csmName ? `, owner ${escapeSlack(run.customer.csmName)}` : '';
  return reply(`Task created: ${escapeSlack(title)} (due ${dueText}${owner}).`);
};
