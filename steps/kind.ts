import type { DiagnosticCategory, DocPath } from '../definitions/language/diagnostic-category';
import { parseDuration } from '../definitions/language/duration';
import type { StepCommon } from '../definitions/language/types';
import type { StepOutcome, StepRun } from './run';

/** A JSON Schema fragment (ajv, strict mode). */
export type JsonSchema = { [keyword: string]: unknown };

/** A plan step of one kind: the fields every step has, plus the kind's normalised config. */
export type PlanStepOf<A extends string, Config> = StepCommon & { action: A; config: Config };

/** What a step kind's semantic checks can see and how they report. */
export interface StepCheckContext {
  /** Position of the step in `steps`, 0-based. */
  readonly index: number;
  readonly stepId: string;
  /** Position of the step with this id, if there is one. */
  indexOf(stepId: string): number | undefined;
  /** Ids of all steps, in order. */
  readonly stepIds: readonly string[];
  /** Reports a problem at `path` inside this step's `config` (`[]` is the config map itself). */
  report(path: DocPath, category: DiagnosticCategory, message: string, options?: { key?: boolean; valueOffset?: number }): void;
}

/**
 * One step kind of the definition language, whole: the schema of its `config`, the checks a schema cannot express,
 * its normalisation into the plan, and its executor. `Activities` is the interface of the activities its executor
 * calls (`{}` for a kind that only waits); the worker's activity map is derived from it (steps/activities.ts).
 *
 * Everything here is bundle-safe: the executor runs in the workflow sandbox and the activity implementations live in
 * the kind's `activity.ts`, which only the worker loads.
 */
export interface StepKind<A extends string, Raw, Config, Activities extends object> {
  readonly action: A;
  /** One line for `definitions schema` and error messages. */
  readonly summary: string;
  readonly configSchema: JsonSchema;
  /** A step may leave out `config` only when every key of it has a default. */
  readonly configOptional?: boolean;
  /**
   * Top-level config keys whose values the interpreter resolves, so `{{...}}` there is checked against the scope;
   * a reference anywhere else is an error, because nothing would ever resolve it.
   */
  readonly templated: readonly string[];
  /** The names of the activities the executor calls; the worker checks its kind's `activity.ts` provides them. */
  readonly activities: { readonly [Name in keyof Activities]: true };
  check?(config: Raw, context: StepCheckContext): void;
  normalise(config: Raw): Config;
  // Method syntax on purpose: the registry holds kinds of different step types side by side (bivariant parameters).
  execute(step: PlanStepOf<A, Config>, run: StepRun<Activities>): Promise<StepOutcome>;
}

// `any`: the registry holds kinds of different config types; each kind's own file is typed exactly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStepKind = StepKind<string, any, any, any>;

/** Durations are strings in the schema's eyes; a bare number is let through to be refused here with a better message. */
export const DURATION_SCHEMA: JsonSchema = { type: ['string', 'number'] };

/** Reports an unreadable duration at `path`; the seconds when it reads. */
export function checkDuration(context: StepCheckContext, path: DocPath, value: unknown): number | undefined {
  const result = parseDuration(value);
  if ('error' in result) {
    context.report(path, 'bad-duration', `${String(path[path.length - 1])}: ${result.error}`);
    return undefined;
  }
  return result.seconds;
}

/** The seconds of a duration that `checkDuration` already accepted. */
export function durationSeconds(value: unknown): number {
  const result = parseDuration(value);
  if ('error' in result) throw new Error(`normalise called on an unchecked duration: ${result.error}`);
  return result.seconds;
}

/** The compile-time half of a kind (schema, checks, normalisation), kept in the kind's `definition.ts`. */
export type StepDefinition<A extends string, Raw, Config> = Omit<StepKind<A, Raw, Config, object>, 'execute' | 'activities'>;

/** The activities of a kind that only waits: none. */
export type NoActivities = Record<never, never>;
