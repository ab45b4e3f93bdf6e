/**
 * The plain-JSON building blocks of a compiled plan that every step kind shares. Pure types: the compiler, the step
 * kinds and the interpreter all import this file, so it imports nothing.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A config value as written in YAML. Strings may hold `{{dotted.path}}` references: a string that is exactly one
 * reference keeps the referenced value's type; a reference inside longer text is interpolated as text. References
 * are resolved at run time against the step scope (see adoption/model/scope.ts).
 */
export type TemplateValue = JsonValue;

export interface RetrySpec {
  maximumAttempts?: number;
  initialIntervalSeconds?: number;
  backoffCoefficient?: number;
  maximumIntervalSeconds?: number;
}

/** A `when` condition, normalised by the compiler. `value` is a TemplateValue (usually `"{{path}}"`). */
export type Condition =
  | { op: 'equals' | 'not_equals'; value: TemplateValue; operand: JsonValue }
  | { op: 'in' | 'not_in'; value: TemplateValue; operands: JsonValue[] }
  | { op: 'exists' | 'truthy'; value: TemplateValue; expected: boolean }
  | { op: 'all' | 'any'; conditions: Condition[] }
  | { op: 'not'; condition: Condition };

export interface StepCommon {
  id: string;
  /** Evaluated before the step runs; a false condition skips the step (its result is `{ skipped: true }`). */
  when?: Condition;
  /** Extra top-level name under which the step's result is visible to later steps (always also `steps.<id>`). */
  output?: string;
  retry?: RetrySpec;
  /** Start-to-close timeout of the step's activity, in seconds. */
  timeoutSeconds?: number;
  /** 1-based line of the step in its source file, for error messages and the Web UI. */
  sourceLine: number;
}

/** What a step that waits does when its time is up. */
export type TimeoutBranch = { action: 'continue' } | { action: 'fail' } | { action: 'goto'; step: string };
