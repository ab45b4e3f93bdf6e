import crypto from 'node:crypto';
import { UUID_PATTERN as UUID } from '../model/identifiers';
import { hasNul, parseIsoInstant, preview } from '../model/input-checks';

/** One usage event as a source sends it (a usage file's line, a platform's own code). */
export interface UsageEventInput {
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  /** ISO-8601; no zone means UTC. */
  occurredAt: string;
  userId?: string | null;
  /** Uses this event stands for; default 1. */
  count?: number;
  /** The source's own id: the same id for the same customer is stored once. Without it, the content is the key. */
  eventId?: string | null;
}

/** One usage event, validated, with the key that makes storing it twice a no-op. */
export interface ParsedUsageEvent {
  key: string;
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  occurredAt: string;
  userId: string | null;
  count: number;
}

/** Limits of one usage line, below what Postgres accepts (event_key is a unique btree index: keep it short). */
export const USAGE_LIMITS = { lineLength: 64 * 1024, featureId: 100, userId: 255, eventId: 255 } as const;
/** Earliest year of a usage event (nothing this product measures happened before). */
export const USAGE_MIN_YEAR = 1970;

/** A problem with one line: reported with its line number, and the line skipped. */
export class UsageLineError extends Error {}

/** Validates one event and gives it its idempotency key. Throws UsageLineError naming the field. */
export function parseUsageEvent(input: unknown): ParsedUsageEvent {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new UsageLineError('not a JSON object');
  const record = input as Record<string, unknown>;
  const customerId = record.customerId;
  if (typeof customerId !== 'string' || !UUID.test(customerId)) {
    throw new UsageLineError(`customerId: must be a customer UUID, got ${preview(customerId)}`);
  }
  const featureId = record.featureId;
  if (typeof featureId !== 'string' || featureId.trim() === '' || featureId.length > USAGE_LIMITS.featureId) {
    throw new UsageLineError(`featureId: must be a non-empty string of at most ${USAGE_LIMITS.featureId} characters, got ${preview(featureId)}`);
  }
  refuseNul('featureId', featureId);
  const event = record.event;
  if (event !== 'activated' && event !== 'used') {
    throw new UsageLineError(`event: must be "activated" or "used", got ${preview(event)}`);
  }
  const occurredAt = parseInstant(record.occurredAt);
  let userId: string | null = null;
  if (record.userId !== undefined && record.userId !== null && record.userId !== '') {
    if (typeof record.userId !== 'string' && typeof record.userId !== 'number') {
      throw new UsageLineError(`userId: must be a string, got ${preview(record.userId)}`);
    }
    userId = String(record.userId);
    if (userId.length > USAGE_LIMITS.userId) throw new UsageLineError(`userId: at most ${USAGE_LIMITS.userId} characters, got ${userId.length}`);
    refuseNul('userId', userId);
  }
  let count = 1;
  if (record.count !== undefined && record.count !== null && record.count !== '') {
    const value = typeof record.count === 'string' ? Number(record.count) : record.count;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
      throw new UsageLineError(`count: must be a whole number from 1 to 1000000, got ${preview(record.count)}`);
    }
    count = value;
  }
  let eventId: string | null = null;
  if (record.eventId !== undefined && record.eventId !== null && record.eventId !== '') {
    if (typeof record.eventId !== 'string' && typeof record.eventId !== 'number') {
      throw new UsageLineError(`eventId: must be a string, got ${preview(record.eventId)}`);
    }
    eventId = String(record.eventId);
    if (eventId.length > USAGE_LIMITS.eventId) throw new UsageLineError(`eventId: at most ${USAGE_LIMITS.eventId} characters, got ${eventId.length}`);
    refuseNul('eventId', eventId);
  }
  const customer = customerId.toLowerCase();
  const key = eventId
    ? `id:${customer}:${eventId}`
    : `sha256:${crypto
        .createHash('sha256')
        .update(JSON.stringify([customer, featureId, event, occurredAt, userId, count]))
        .digest('hex')}`;
  return { key, customerId: customer, featureId, event, occurredAt, userId, count };
}

function refuseNul(field: string, value: string): void {
  if (hasNul(value)) throw new UsageLineError(`${field}: must not contain a NUL character`);
}

/**
 * ISO-8601 date or date-time that exists on the calendar (no 30 February, no year 0), from 1970 to 9999; no zone
 * means UTC. Returns the canonical `toISOString()` form.
 */
export function parseInstant(value: unknown): string {
  if (typeof value !== 'string') throw new UsageLineError(`occurredAt: must be an ISO-8601 timestamp, got ${preview(value)}`);
  const parsed = parseIsoInstant(value, { allowDateOnly: true, allowNoZone: true, allowSpace: true, minYear: USAGE_MIN_YEAR });
  if (parsed.ok) return parsed.iso;
  const reason = /date that exists/.test(parsed.reason)
    ? 'no such date'
    : /time that exists/.test(parsed.reason)
      ? 'no such time'
      : /^is not an ISO-8601/.test(parsed.reason)
        ? 'not an ISO-8601 timestamp'
        : parsed.reason;
  throw new UsageLineError(`occurredAt: ${reason}: ${preview(value)}`);
}
