import type { AnyStepKind, PlanStepOf, StepKind } from './kind';
import { createTask } from './create_task';
import { delegateToAgent } from './delegate_to_agent';
import { measureAdoption } from './measure_adoption';
import { queryDatabase } from './query_database';
import { sendEmail } from './send_email';
import { sendInAppTips } from './send_in_app_tips';
import { slackDm } from './slack_dm';
import { wait } from './wait';
import { waitForSignal } from './wait_for_signal';

/**
 * The step kinds of the definition language, one line each. Everything else is derived from this object: the plan's
 * step union (`PlanStep`), the compiler's schema and checks, the interpreter's dispatch and the worker's activity map
 * (steps/activities.ts). Bundle-safe: it reaches each kind's definition and executor, never its `activity.ts`.
 */
export const STEP_KINDS = {
  delegate_to_agent: delegateToAgent,
  query_database: queryDatabase,
  slack_dm: slackDm,
  create_task: createTask,
  wait,
  wait_for_signal: waitForSignal,
  measure_adoption: measureAdoption,
  send_email: sendEmail,
  send_in_app_tips: sendInAppTips,
} satisfies { [A in string]: AnyStepKind & { action: A } };

type Kinds = typeof STEP_KINDS;
export type StepAction = keyof Kinds;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ConfigOf<K> = K extends StepKind<string, any, infer Config, any> ? Config : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ActivitiesOf<K> = K extends StepKind<string, any, any, infer Activities> ? Activities : never;
type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** One compiled step; its `action` tells which kind's config it carries. */
export type PlanStep = { [A in StepAction]: PlanStepOf<A, ConfigOf<Kinds[A]>> }[StepAction];

/** Every activity a step kind calls, by name: what the worker must register (steps/activities.ts provides it). */
export type StepActivities = Intersection<{ [A in StepAction]: ActivitiesOf<Kinds[A]> }[StepAction]>;

export const STEP_ACTIONS = Object.keys(STEP_KINDS) as StepAction[];

/** The kind of a step, typed loosely enough for the compiler and the interpreter to treat kinds alike. */
export function stepKindOf(action: StepAction): AnyStepKind {
  return STEP_KINDS[action];
}
