import type { JsonValue } from './language/types';
import type { PlanStep } from '../steps';

/**
 * The compiled, serialisable form of a workflow definition.
 *
 * A plan travels inside the workflow input, so a run keeps the plan it started with even when the YAML is edited
 * afterwards. It is plain JSON (no classes, no functions) because it is stored in Temporal history and shown in the
 * Web UI. Types only: deterministic workflow code imports it. Its steps' union is derived from the step-kind registry
 * (steps/index.ts), so a kind cannot be registered without being part of the plan, or the other way round.
 */
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
