import { defineQuery, defineSignal } from '@temporalio/workflow';
import { EMAIL_DECISIONS, type EmailDecision, type RecoveredSignal } from '../steps/signals';
import type { enablementWorkflow } from './enablement';

/**
 * The stable message contract of an enablement run (documented in the README): Slack buttons, the HTTP API, the CLI,
 * detection and ops with the `temporal` CLI all use these definitions, never the names as bare strings. Validators
 * are pure so a sender can refuse a bad payload before sending it, and the workflow can ignore one that got through
 * without changing anything. The payload types live with the steps that wait on them (steps/signals.ts).
 */
export type { EmailDecision, RecoveredSignal } from '../steps/signals';
export { EMAIL_DECISIONS } from '../steps/signals';

/** The workflow type of an enablement run, for `client.workflow.start<EnablementWorkflow>(ENABLEMENT_WORKFLOW, ...)`. */
export const ENABLEMENT_WORKFLOW = 'enablementWorkflow';
export type EnablementWorkflow = typeof enablementWorkflow;

export interface EnablementState {
  definition: { name: string; version: string; digest: string };
  status: 'running' | 'waiting' | 'completed' | 'suppressed' | 'failed';
  step: { index: number; total: number; id: string | null };
  waitingFor?: string;
  features: Array<{ featureId: string; stage: string; usageScore: number }>;
  outcome?: string;
  /** Signal payloads that failed validation, with the reason, newest last (kept for the on-call engineer). */
  rejectedMessages: Array<{ signal: string; error: string }>;
}

export const emailDecisionSignal = defineSignal<[EmailDecision]>('emailDecision');
export const recoveredSignal = defineSignal<[RecoveredSignal]>('recovered');
export const stateQuery = defineQuery<EnablementState>('state');

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export class InvalidMessageError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InvalidMessageError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(payload: Record<string, unknown>, field: string): void {
  if (payload[field] !== undefined && typeof payload[field] !== 'string') {
    throw new InvalidMessageError(field, 'must be a string when given');
  }
}

/** Throws InvalidMessageError naming the field; returns the payload narrowed. */
export function validateEmailDecision(payload: unknown): EmailDecision {
  if (!isRecord(payload)) throw new InvalidMessageError('emailDecision', 'payload must be a JSON object');
  if (!EMAIL_DECISIONS.includes(payload.decision as (typeof EMAIL_DECISIONS)[number])) {
    throw new InvalidMessageError('decision', `must be one of ${EMAIL_DECISIONS.join(', ')}, got ${JSON.stringify(payload.decision)}`);
  }
  if (typeof payload.by !== 'string' || payload.by.trim() === '') {
    throw new InvalidMessageError('by', 'must name who decided (non-empty string)');
  }
  for (const field of ['subject', 'body', 'reason']) optionalString(payload, field);
  if (payload.decision === 'edit' && payload.subject === undefined && payload.body === undefined) {
    throw new InvalidMessageError('subject', '"edit" needs the edited subject and/or body');
  }
  const known = new Set(['decision', 'by', 'subject', 'body', 'reason']);
  const unknown = Object.keys(payload).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new InvalidMessageError(unknown[0], 'is not part of the emailDecision contract');
  return payload as unknown as EmailDecision;
}

export function validateRecovered(payload: unknown): RecoveredSignal {
  if (!isRecord(payload)) throw new InvalidMessageError('recovered', 'payload must be a JSON object');
  if (typeof payload.featureId !== 'string' || payload.featureId === '') {
    throw new InvalidMessageError('featureId', 'must be a non-empty string');
  }
  if (typeof payload.detectedAt !== 'string' || !ISO_8601.test(payload.detectedAt)) {
    throw new InvalidMessageError('detectedAt', `must be an ISO-8601 timestamp, got ${JSON.stringify(payload.detectedAt)}`);
  }
  return { featureId: payload.featureId, detectedAt: payload.detectedAt };
}
