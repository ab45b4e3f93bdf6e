import type { DiagnosticCategory } from '../diagnostics';
import type { PlanStep, SignalName, StepAction } from '../plan';
import type { DocPath } from '../source-map';
import { parseDuration } from '../duration';

/** A JSON Schema fragment (ajv, strict mode). */
export type JsonSchema = { [keyword: string]: unknown };

export type StepConfigOf<A extends StepAction> = Extract<PlanStep, { action: A }>['config'];

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
  report(
    path: DocPath,
    category: DiagnosticCategory,
    message: string,
    options?: { key?: boolean; valueOffset?: number },
  ): void;
}

/**
 * One step kind of the definition language: the schema of its `config`, the checks a schema cannot express, and its
 * normalisation into the plan. `normalise` only runs on a config that passed the schema and the checks.
 */
export interface StepKind<A extends StepAction, Raw> {
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
  check?(config: Raw, context: StepCheckContext): void;
  normalise(config: Raw): StepConfigOf<A>;
}

export type AnyStepKind = StepKind<StepAction, never>;

export const SIGNAL_NAMES: readonly SignalName[] = ['emailDecision', 'recovered'];

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
