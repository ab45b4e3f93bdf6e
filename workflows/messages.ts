import { defineQuery, defineSignal } from '@temporalio/workflow';
import { EMAIL_DECISIONS, type EmailDecision, type RecoveredSignal, type SignalName } from '../steps/signals';
import type { enablementWorkflow } from './enablement';
import { isUuid } from '../adoption/model/identifiers';
import { hasNul, parseIsoInstant, preview, PREVIEW_CHARS } from '../adoption/model/input-checks';

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
  /**
   * Signals refused by validation, newest last, for the on-call engineer: the signal, the field and a short reason
   * (never the payload), at most REJECTED_MESSAGES_KEPT of them.
   */
  rejectedMessages: Array<{ signal: string; field: string; error: string }>;
  /** Every signal refused so far, including those no longer listed in `rejectedMessages`. */
  rejectedMessageCount: number;
  /** Training sessions the champion booked from this run's email (the `trainingBooked` signal), oldest first. */
  trainingBooked?: TrainingBooked[];
  /** Features of this run marked not needed while it runs (the `featureNotNeeded` signal), oldest first. */
  notNeeded?: FeatureNotNeeded[];
}

/** Payload of the `trainingBooked` signal: the booking page tells the run a session was booked from its email. */
export interface TrainingBooked {
  bookingId: string;
  /** The session's start, ISO-8601 UTC. */
  slotStart: string;
}

/**
 * Payload of the `featureNotNeeded` signal: a person marked one of the run's features not needed (or took the mark
 * back: `notNeeded: false`). When every feature of the run is not needed the run stops before its next step (a wait
 * in progress ends at once) and completes with outcome `not_needed`; otherwise it records the mark and goes on.
 */
export interface FeatureNotNeeded {
  featureId: string;
  notNeeded: boolean;
  by: string;
  reason?: string;
}

// A step can wait on these two, so their names are checked against the steps' table of waits (steps/signals.ts);
// test/unit/signal-names.test.ts links the rest: every signal defined here is handled by the run.
export const emailDecisionSignal = defineSignal<[EmailDecision]>('emailDecision' satisfies SignalName);
export const recoveredSignal = defineSignal<[RecoveredSignal]>('recovered' satisfies SignalName);
export const trainingBookedSignal = defineSignal<[TrainingBooked]>('trainingBooked');
export const featureNotNeededSignal = defineSignal<[FeatureNotNeeded]>('featureNotNeeded');
export const stateQuery = defineQuery<EnablementState>('state');

/** Limits of the message contract (README "Message contract"), checked by the validators below. */
export const MESSAGE_LIMITS = {
  by: 255,
  subject: 500,
  body: 20_000,
  reason: 2_000,
  featureId: 100,
} as const;

/** How many rejected messages `state.rejectedMessages` keeps (the newest); `rejectedMessageCount` counts them all. */
export const REJECTED_MESSAGES_KEPT = 20;
/** Longest `error` of a rejected-message summary. */
export const REJECTED_ERROR_CHARS = 200;

export class InvalidMessageError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    const name = field.length > PREVIEW_CHARS ? `${field.slice(0, PREVIEW_CHARS)}…` : field;
    super(`${name}: ${problem}`);
    this.field = name;
    this.name = 'InvalidMessageError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses fields the contract does not know, before looking at any value (so a huge unknown field costs nothing). */
function refuseUnknownFields(payload: Record<string, unknown>, known: readonly string[], contract: string): void {
  for (const key in payload) {
    if (Object.prototype.hasOwnProperty.call(payload, key) && !known.includes(key)) {
      throw new InvalidMessageError(key, `is not part of the ${contract} contract`);
    }
  }
}

/** A string of at most `max` characters without NUL; `required` also refuses blank text. */
function checkText(payload: Record<string, unknown>, field: keyof typeof MESSAGE_LIMITS, required: boolean): void {
  const value = payload[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'string') {
    throw new InvalidMessageError(field, `${required ? 'must be a string' : 'must be a string when given'}, got ${preview(value)}`);
  }
  if (required && value.trim() === '') throw new InvalidMessageError(field, 'must not be empty');
  if (value.length > MESSAGE_LIMITS[field]) {
    throw new InvalidMessageError(field, `must be at most ${MESSAGE_LIMITS[field]} characters, got ${value.length}`);
  }
  if (hasNul(value)) throw new InvalidMessageError(field, 'must not contain a NUL character');
}

const EMAIL_DECISION_FIELDS = ['decision', 'by', 'subject', 'body', 'reason'] as const;
const RECOVERED_FIELDS = ['featureId', 'detectedAt'] as const;
const TRAINING_BOOKED_FIELDS = ['bookingId', 'slotStart'] as const;
const FEATURE_NOT_NEEDED_FIELDS = ['featureId', 'notNeeded', 'by', 'reason'] as const;

/**
 * Throws InvalidMessageError naming the field; returns the payload narrowed. Never recursive and never echoes more
 * than a short prefix of a bad value, so a hostile payload (1 MB strings, JSON nested thousands deep) is refused
 * cheaply with a short message.
 */
export function validateEmailDecision(payload: unknown): EmailDecision {
  if (!isRecord(payload)) throw new InvalidMessageError(emailDecisionSignal.name, 'payload must be a JSON object');
  refuseUnknownFields(payload, EMAIL_DECISION_FIELDS, emailDecisionSignal.name);
  if (!EMAIL_DECISIONS.includes(payload.decision as (typeof EMAIL_DECISIONS)[number])) {
    throw new InvalidMessageError('decision', `must be one of ${EMAIL_DECISIONS.join(', ')}, got ${preview(payload.decision)}`);
  }
  if (typeof payload.by !== 'string' || payload.by.trim() === '') {
    throw new InvalidMessageError('by', 'must name who decided (non-empty string)');
  }
  checkText(payload, 'by', true);
  for (const field of ['subject', 'body', 'reason'] as const) checkText(payload, field, false);
  if (payload.decision === 'edit' && payload.subject === undefined && payload.body === undefined) {
    throw new InvalidMessageError('subject', '"edit" needs the edited subject and/or body');
  }
  return payload as unknown as EmailDecision;
}

export function validateRecovered(payload: unknown): RecoveredSignal {
  if (!isRecord(payload)) throw new InvalidMessageError(recoveredSignal.name, 'payload must be a JSON object');
  refuseUnknownFields(payload, RECOVERED_FIELDS, recoveredSignal.name);
  if (typeof payload.featureId !== 'string' || payload.featureId === '') {
    throw new InvalidMessageError('featureId', `must be a non-empty string, got ${preview(payload.featureId)}`);
  }
  checkText(payload, 'featureId', true);
  if (typeof payload.detectedAt !== 'string') {
    throw new InvalidMessageError('detectedAt', `must be an ISO-8601 timestamp, got ${preview(payload.detectedAt)}`);
  }
  const instant = parseIsoInstant(payload.detectedAt);
  if (!instant.ok) {
    throw new InvalidMessageError('detectedAt', `must be an ISO-8601 timestamp that exists: ${preview(payload.detectedAt)} ${instant.reason}`);
  }
  return { featureId: payload.featureId, detectedAt: payload.detectedAt };
}

export function validateTrainingBooked(payload: unknown): TrainingBooked {
  if (!isRecord(payload)) throw new InvalidMessageError(trainingBookedSignal.name, 'payload must be a JSON object');
  refuseUnknownFields(payload, TRAINING_BOOKED_FIELDS, trainingBookedSignal.name);
  if (!isUuid(payload.bookingId)) {
    throw new InvalidMessageError('bookingId', `must be the booking's UUID, got ${preview(payload.bookingId)}`);
  }
  const start = typeof payload.slotStart === 'string' ? parseIsoInstant(payload.slotStart) : { ok: false as const, reason: 'is not a string' };
  if (!start.ok) throw new InvalidMessageError('slotStart', `must be an ISO-8601 timestamp that exists: ${preview(payload.slotStart)}`);
  return { bookingId: payload.bookingId, slotStart: payload.slotStart as string };
}

export function validateFeatureNotNeeded(payload: unknown): FeatureNotNeeded {
  if (!isRecord(payload)) throw new InvalidMessageError(featureNotNeededSignal.name, 'payload must be a JSON object');
  refuseUnknownFields(payload, FEATURE_NOT_NEEDED_FIELDS, featureNotNeededSignal.name);
  checkText(payload, 'featureId', true);
  if (typeof payload.notNeeded !== 'boolean') {
    throw new InvalidMessageError('notNeeded', `must be true (not needed) or false (needed again), got ${preview(payload.notNeeded)}`);
  }
  checkText(payload, 'by', true);
  checkText(payload, 'reason', false);
  if (payload.notNeeded && (typeof payload.reason !== 'string' || payload.reason.trim() === '')) {
    throw new InvalidMessageError('reason', 'must say why the feature is not needed');
  }
  return {
    featureId: payload.featureId as string,
    notNeeded: payload.notNeeded,
    by: payload.by as string,
    ...(payload.reason === undefined ? {} : { reason: payload.reason as string }),
  };
}

/**
 * What a run records about a signal it refused: the signal, the field and a bounded reason, never the payload.
 * Keeps the newest REJECTED_MESSAGES_KEPT and counts them all, so hostile signals cannot grow the `state` query.
 */
export function recordRejectedMessage(state: EnablementState, signal: string, error: unknown): { field: string; error: string } {
  const field = error instanceof InvalidMessageError ? error.field : '';
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : 'invalid payload';
  const message = raw.length > REJECTED_ERROR_CHARS ? `${raw.slice(0, REJECTED_ERROR_CHARS - 1)}…` : raw;
  state.rejectedMessages.push({ signal, field, error: message });
  if (state.rejectedMessages.length > REJECTED_MESSAGES_KEPT)
    state.rejectedMessages.splice(0, state.rejectedMessages.length - REJECTED_MESSAGES_KEPT);
  state.rejectedMessageCount = (state.rejectedMessageCount ?? 0) + 1;
  return { field, error: message };
}
