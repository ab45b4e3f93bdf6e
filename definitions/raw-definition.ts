import type { RawCondition } from './condition';
import type { JsonValue } from './language/types';
import type { StepAction } from '../steps';

// A definition as YAML gives it, before normalisation: the schema has checked its shape, nothing more.

export interface RawRetry {
  maximum_attempts?: number;
  initial_interval?: string | number;
  backoff_coefficient?: number;
  maximum_interval?: string | number;
}

export interface RawStep {
  id: string;
  action: StepAction;
  config?: unknown;
  when?: RawCondition;
  output?: string;
  retry?: RawRetry;
  timeout?: string | number;
}

export interface RawDefinition {
  workflow: string;
  version: string | number;
  description?: string;
  trigger: { type: 'risk_signal_created'; filter?: Record<string, JsonValue> };
  steps: RawStep[];
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A list entry that can be read as a step (a map); the schema says whether it is a valid one. */
export function isRawStep(value: unknown): value is RawStep {
  return isMap(value);
}
