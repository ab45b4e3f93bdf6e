import type { StepAction } from '../plan';
import { createTask } from './create-task';
import { delegateToAgent } from './delegate-to-agent';
import { measureAdoption } from './measure-adoption';
import { queryDatabase } from './query-database';
import { sendEmail } from './send-email';
import { slackDm } from './slack-dm';
import type { StepKind } from './types';
import { wait } from './wait';
import { waitForSignal } from './wait-for-signal';

/**
 * The step kinds of the definition language, one line each. The type makes a kind in plan.ts without an entry here
 * (or an entry without a plan type) a compile error; the interpreter's registry (workflows/steps/) has the same keys.
 */
// `any`: each kind has its own raw config type; the schema, not this type, guarantees what reaches it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEP_KINDS: { [A in StepAction]: StepKind<A, any> } = {
  delegate_to_agent: delegateToAgent,
  query_database: queryDatabase,
  slack_dm: slackDm,
  create_task: createTask,
  wait,
  wait_for_signal: waitForSignal,
  measure_adoption: measureAdoption,
  send_email: sendEmail,
};

export const STEP_ACTIONS = Object.keys(STEP_KINDS) as StepAction[];

export function isStepAction(action: string): action is StepAction {
  return Object.prototype.hasOwnProperty.call(STEP_KINDS, action);
}
