/**
 * The compiled, serialisable form of a workflow definition.
 *
 * A plan travels inside the workflow input, so a run keeps the plan it started with even when the YAML is edited
 * afterwards. It is plain JSON (no classes, no functions) because it is stored in Temporal history and shown in the
 * Web UI. This file is imported by deterministic workflow code: types only, no runtime imports.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A config value as written in YAML. Strings may hold `{{dotted.path}}` references: a string that is exactly one
 * reference keeps the referenced value's type; a reference inside longer text is interpolated as text. References
 * are resolved at run time against the step scope (see workflows/template-scope.ts).
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

export interface DelegateToAgentStep extends StepCommon {
  action: 'delegate_to_agent';
  config: { agent: string; action: string; params: Record<string, TemplateValue> };
}

export interface QueryDatabaseStep extends StepCommon {
  action: 'query_database';
  /** `sql` has `$1..$n` where the YAML had `{{...}}` (quoted or not); `params[i]` is the template for `$i+1`. */
  config: { sql: string; params: TemplateValue[]; maxRows: number };
}

export interface SlackDmStep extends StepCommon {
  action: 'slack_dm';
  config: {
    message_template: string;
    include_resources: boolean;
    /** Slack user id; defaults to the customer's CSM. */
    to?: TemplateValue;
    /** Free values handed to the message template. */
    params: Record<string, TemplateValue>;
  };
}

export interface CreateTaskStep extends StepCommon {
  action: 'create_task';
  config: {
    title: TemplateValue;
    description?: TemplateValue;
    /** `due_date_offset_hours` / `due_date_offset_days` normalised to seconds after the step runs. */
    dueInSeconds: number;
    priority: 'low' | 'medium' | 'high' | 'urgent';
  };
}

export interface WaitStep extends StepCommon {
  action: 'wait';
  /** A durable timer; `until_signal` ends it early when that signal arrives. */
  config: { seconds: number; until_signal?: SignalName };
}

export type SignalName = 'emailDecision' | 'recovered';

export type TimeoutBranch = { action: 'continue' } | { action: 'fail' } | { action: 'goto'; step: string };

export interface WaitForSignalStep extends StepCommon {
  action: 'wait_for_signal';
  config: { signal: SignalName; timeoutSeconds: number; on_timeout: TimeoutBranch; waiting_for?: string };
}

export interface MeasureAdoptionStep extends StepCommon {
  action: 'measure_adoption';
  /** Re-scores every feature of the signal and records `adoption_after_intervention` and the outcome. */
  config: { record_impact: boolean };
}

export interface SendEmailStep extends StepCommon {
  action: 'send_email';
  /** `draft` references a stored draft (normally `{{steps.<draft step>.draftId}}`); the decision decides edits. */
  config: { draft: TemplateValue; decision?: TemplateValue; to?: TemplateValue };
}

export type PlanStep =
  | DelegateToAgentStep
  | QueryDatabaseStep
  | SlackDmStep
  | CreateTaskStep
  | WaitStep
  | WaitForSignalStep
  | MeasureAdoptionStep
  | SendEmailStep;

export type StepAction = PlanStep['action'];

export interface Plan {
  name: string;
  version: string;
  /** The definition's optional `description:`, for people (Web UI details, `definitions show`). */
  description?: string;
  /** sha256 of the canonical JSON of everything but `digest` and `source`: identifies the plan in search attributes. */
  digest: string;
  /** The file the plan was compiled from, relative to the definitions folder where possible. */
  source: string;
  trigger: { type: 'risk_signal_created'; filter: Record<string, JsonValue> };
  steps: PlanStep[];
}
