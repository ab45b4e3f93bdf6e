import { UUID_PATTERN as UUID } from '../model/identifiers';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../db/database';
import { hasNul, parseIsoInstant, preview } from '../model/input-checks';
import { emptySummary, inSavepoint, isDataRefusal, readLines, type ImportSummary } from './read-records';
import { backfillLastDay, backfillSnapshots, BACKFILL_DAYS } from './backfill-snapshots';
import { resolveRules } from '../config/load';
import type { AdoptionRules } from '../config/rules';

export interface ParsedUsageEvent {
  key: string;
  customerId: string;
  featureId: string;
  event: 'activated' | 'used';
  occurredAt: string;
  userId: string | null;
  count: number;
}

export interface UsageImportOptions {
  format?: 'ndjson' | 'csv';
  chunkSize?: number;
  /** The import's clock: an event later than now + FUTURE_TOLERANCE_MS is refused (default: the real clock). */
  now?: () => Date;
  /**
   * Days of daily snapshots backfilled for the customer-features the file touched, up to the day before the clock's
   * (adoption/ingest/backfill-snapshots.ts; default 180, 0: none).
   */
  backfillDays?: number;
  /** The rules the backfilled stages follow; absent: the ones detection uses (`ADOPTION_CONFIG`, else the defaults). */
  rules?: AdoptionRules;
}

/** Clock skew allowed between the event source and the importer before an event counts as "in the future". */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** Limits of one usage line, below what Postgres accepts (event_key is a unique btree index: keep it short). */
export const USAGE_LIMITS = { lineLength: 64 * 1024, featureId: 100, userId: 255, eventId: 255 } as const;
/** Earliest year of a usage event (nothing this product measures happened before). */
export const USAGE_MIN_YEAR = 1970;
const FIELDS = ['customerId', 'featureId', 'event', 'occurredAt', 'userId', 'count', 'eventId'] as const;
const FIELD_ALIASES: Record<string, (typeof FIELDS)[number]> = Object.fromEntries([
  ...FIELDS.map((field) => [field.toLowerCase(), field]),
  ['customer_id', 'customerId'],
  ['feature_id', 'featureId'],
  ['occurred_at', 'occurredAt'],
  ['user_id', 'userId'],
  ['event_id', 'eventId'],
]);

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

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) throw new UsageLineError('unterminated quoted field');
  fields.push(field.trim());
  return fields.map((value) => value.trim());
}

function detectFormat(file: string, firstLine: string): 'ndjson' | 'csv' {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (['.ndjson', '.jsonl', '.json'].includes(extension)) return 'ndjson';
  return firstLine.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

/**
 * Imports a usage file (NDJSON or CSV, one event a line). All-or-nothing per line, never per chunk:
 * - every line is validated first (fields, lengths, NUL, a date that exists, not in the future): a bad line is
 *   reported with its number and skipped, the good lines are kept;
 * - good lines are stored in chunks; should Postgres still refuse a chunk, it is rolled back to its savepoint and its
 *   lines are stored one by one, so only the refused line is reported and skipped;
 * - the whole file is one transaction: a file that aborts half-way (unreadable, a bad CSV header, the connection
 *   lost) leaves nothing of it imported.
 * Reported as errors (line skipped): any invalid value, an unknown customer, an event later than now + 5 minutes.
 * Reported as warnings (lines kept): a feature id that is not in the feature catalog (once per feature, with the
 * first line and the number of lines): usage may arrive before its catalog entry, and detection only scores
 * catalog features.
 */
export async function importUsageFile(db: Db, file: string, options: UsageImportOptions = {}): Promise<ImportSummary> {
  const summary = emptySummary('usage', file);
  const chunkSize = Math.max(1, options.chunkSize ?? 1000);
  const now = (options.now ?? (() => new Date()))();
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  // Resolved first: an invalid rules file stops the import before it has stored anything.
  const rules = options.rules ?? resolveRules().rules;
  const touchedFeatures = new Map<string, { customerId: string; featureId: string }>();
  const unknownFeatures = new Map<string, { line: number; lines: number }>();
  let format = options.format;
  let header: Array<(typeof FIELDS)[number] | null> | null = null;
  let chunk: Array<{ line: number; event: ParsedUsageEvent }> = [];

  await db.transaction(async (tx) => {
    for await (const { line, text } of readLines(file)) {
      if (text.trim() === '') continue;
      format ??= detectFormat(file, text);
      if (format === 'csv' && header === null) {
        try {
          if (text.length > USAGE_LIMITS.lineLength) throw new UsageLineError(`longer than ${USAGE_LIMITS.lineLength} characters`);
          header = splitCsvLine(text).map((name) => FIELD_ALIASES[name.toLowerCase()] ?? null);
        } catch (error) {
          throw new Error(`${file}:${line}: header: ${(error as Error).message}`, { cause: error });
        }
        const missing = ['customerId', 'featureId', 'event', 'occurredAt'].filter((field) => !header!.includes(field as never));
        if (missing.length > 0) throw new Error(`${file}:${line}: the CSV header lacks ${missing.join(', ')}`);
        continue;
      }
      summary.read += 1;
      try {
        if (text.length > USAGE_LIMITS.lineLength) throw new UsageLineError(`the line is longer than ${USAGE_LIMITS.lineLength} characters`);
        const record = format === 'csv' ? csvRecord(header!, text) : parseJsonLine(text);
        const event = parseUsageEvent(record);
        if (Date.parse(event.occurredAt) > latest) {
          throw new UsageLineError(`occurredAt: ${event.occurredAt} is in the future (after the import's clock + 5 minutes)`);
        }
        chunk.push({ line, event });
      } catch (error) {
        if (!(error instanceof UsageLineError)) throw error;
        summary.issues.push({ file, line, message: error.message });
        continue;
      }
      if (chunk.length >= chunkSize) {
        await storeChunk(tx, file, chunk, summary, unknownFeatures, touchedFeatures);
        chunk = [];
      }
    }
    if (chunk.length > 0) await storeChunk(tx, file, chunk, summary, unknownFeatures, touchedFeatures);
    await backfillSnapshots(tx, [...touchedFeatures.values()], {
      lastDay: backfillLastDay(now),
      rules,
      days: options.backfillDays ?? BACKFILL_DAYS,
    });
  });
  for (const [featureId, { line, lines }] of unknownFeatures) {
    summary.warnings.push({
      file,
      line,
      message: `featureId: ${preview(featureId)} is not in the feature catalog (${lines} line${lines === 1 ? '' : 's'} imported anyway; import the catalog to score it)`,
    });
  }
  summary.issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  summary.warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  summary.skipped = summary.issues.length;
  return summary;
}

function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageLineError(`not valid JSON: ${(error as Error).message.slice(0, 120)}`);
  }
}

function csvRecord(header: Array<(typeof FIELDS)[number] | null>, text: string): Record<string, string> {
  const values = splitCsvLine(text);
  if (values.length !== header.length) {
    throw new UsageLineError(`expected ${header.length} fields as in the header, got ${values.length}`);
  }
  const record: Record<string, string> = {};
  header.forEach((field, index) => {
    if (field) record[field] = values[index];
  });
  return record;
}

type ChunkItem = { line: number; event: ParsedUsageEvent };

/**
 * Stores one chunk of good lines and refreshes the rollups they touch, inside the file's transaction. When Postgres
 * refuses the chunk, the lines are stored one at a time, each in its own savepoint, and the refused ones reported.
 */
async function storeChunk(
  tx: Db,
  file: string,
  chunk: ChunkItem[],
  summary: ImportSummary,
  unknownFeatures: Map<string, { line: number; lines: number }>,
  touchedFeatures: Map<string, { customerId: string; featureId: string }>,
): Promise<void> {
  const customerIds = [...new Set(chunk.map((item) => item.event.customerId))];
  const known = new Set(
    (await tx.query<{ id: string }>(`SELECT id::text AS id FROM customers WHERE id = ANY($1::uuid[])`, [customerIds])).rows.map((row) => row.id),
  );
  const good = chunk.filter((item) => {
    if (known.has(item.event.customerId)) return true;
    summary.issues.push({ file, line: item.line, message: `customerId: unknown customer ${item.event.customerId} (import the customers first)` });
    return false;
  });
  if (good.length === 0) return;
  const featureIds = [...new Set(good.map((item) => item.event.featureId))];
  const catalog = new Set(
    (await tx.query<{ feature_id: string }>(`SELECT feature_id FROM feature_catalog WHERE feature_id = ANY($1::varchar[])`, [featureIds])).rows.map(
      (row) => row.feature_id,
    ),
  );
  let touched: Array<{ customer_id: string; feature_id: string; day: string }>;
  const refused = new Set<ChunkItem>();
  try {
    touched = await inSavepoint(tx, () => insertEvents(tx, good, summary));
  } catch (error) {
    if (!isDataRefusal(error)) throw error;
    touched = [];
    for (const item of good) {
      try {
        touched.push(...(await inSavepoint(tx, () => insertEvents(tx, [item], summary))));
      } catch (error) {
        if (!isDataRefusal(error)) throw error;
        const message = (error as Error).message.split('\n')[0].slice(0, 200);
        summary.issues.push({ file, line: item.line, message: `refused by the database: ${message}` });
        refused.add(item);
      }
    }
  }
  for (const item of good) {
    if (refused.has(item) || catalog.has(item.event.featureId)) continue;
    const seen = unknownFeatures.get(item.event.featureId);
    if (seen) seen.lines += 1;
    else unknownFeatures.set(item.event.featureId, { line: item.line, lines: 1 });
  }
  await refreshRollups(tx, touched);
  for (const row of touched) touchedFeatures.set(`${row.customer_id}|${row.feature_id}`, { customerId: row.customer_id, featureId: row.feature_id });
}

async function insertEvents(
  tx: Db,
  items: ChunkItem[],
  summary: ImportSummary,
): Promise<Array<{ customer_id: string; feature_id: string; day: string }>> {
  const events = items.map((item) => item.event);
  const inserted = await tx.query<{ customer_id: string; feature_id: string; day: string }>(
    `INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id, "count")
     SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::varchar[], $7::int[])
     ON CONFLICT (event_key) DO NOTHING
     RETURNING customer_id, feature_id, (occurred_at AT TIME ZONE 'UTC')::date AS day`,
    [
      events.map((event) => event.key),
      events.map((event) => event.customerId),
      events.map((event) => event.featureId),
      events.map((event) => event.event),
      events.map((event) => event.occurredAt),
      events.map((event) => event.userId),
      events.map((event) => event.count),
    ],
  );
  summary.imported += inserted.rowCount;
  summary.duplicates += items.length - inserted.rowCount;
  return inserted.rows;
}

/**
 * Recomputes the daily rollups of the given customer-feature-days from the events, the distinct users of those days,
 * and the weekly rollups of their weeks. Recomputing (not incrementing) keeps re-imports and retries harmless.
 */
export async function refreshRollups(db: Db, touched: ReadonlyArray<{ customer_id: string; feature_id: string; day: string }>): Promise<void> {
  if (touched.length === 0) return;
  const keys = [...new Map(touched.map((row) => [`${row.customer_id}|${row.feature_id}|${row.day}`, row])).values()];
  const params = [keys.map((row) => row.customer_id), keys.map((row) => row.feature_id), keys.map((row) => row.day)];
  const touchedCte = `touched AS (
    SELECT * FROM UNNEST($1::uuid[], $2::varchar[], $3::date[]) AS t(customer_id, feature_id, day))`;
  await db.query(
    `WITH ${touchedCte}
     INSERT INTO usage_daily (customer_id, feature_id, day, used_events, activation_events, active_users,
                              first_activated_at, first_used_at, last_used_at, updated_at)
     SELECT t.customer_id, t.feature_id, t.day,
            COALESCE(SUM(e."count") FILTER (WHERE e.event = 'used'), 0),
            COALESCE(SUM(e."count") FILTER (WHERE e.event = 'activated'), 0),
            COUNT(DISTINCT COALESCE(e.user_id, '')) FILTER (WHERE e.event = 'used'),
            MIN(e.occurred_at) FILTER (WHERE e.event = 'activated'),
            MIN(e.occurred_at) FILTER (WHERE e.event = 'used'),
            MAX(e.occurred_at) FILTER (WHERE e.event = 'used'),
            NOW()
       FROM touched t
       JOIN usage_events e
         ON e.customer_id = t.customer_id AND e.feature_id = t.feature_id
        AND e.occurred_at >= (t.day::timestamp AT TIME ZONE 'UTC')
        AND e.occurred_at < ((t.day + 1)::timestamp AT TIME ZONE 'UTC')
      GROUP BY t.customer_id, t.feature_id, t.day
     ON CONFLICT (customer_id, feature_id, day) DO UPDATE SET
       used_events = EXCLUDED.used_events, activation_events = EXCLUDED.activation_events,
       active_users = EXCLUDED.active_users, first_activated_at = EXCLUDED.first_activated_at,
       first_used_at = EXCLUDED.first_used_at, last_used_at = EXCLUDED.last_used_at, updated_at = NOW()`,
    params,
  );
  await db.query(
    `WITH ${touchedCte}
     INSERT INTO usage_daily_users (customer_id, feature_id, day, user_id)
     SELECT DISTINCT t.customer_id, t.feature_id, t.day, COALESCE(e.user_id, '')
       FROM touched t
       JOIN usage_events e
         ON e.customer_id = t.customer_id AND e.feature_id = t.feature_id
        AND e.occurred_at >= (t.day::timestamp AT TIME ZONE 'UTC')
        AND e.occurred_at < ((t.day + 1)::timestamp AT TIME ZONE 'UTC')
      WHERE e.event = 'used'
     ON CONFLICT DO NOTHING`,
    params,
  );
  await db.query(
    `WITH ${touchedCte},
     weeks AS (SELECT DISTINCT customer_id, feature_id, DATE_TRUNC('week', day)::date AS week_start FROM touched),
     daily AS (
       SELECT w.customer_id, w.feature_id, w.week_start,
              COALESCE(SUM(d.used_events), 0) AS used_events,
              COALESCE(SUM(d.activation_events), 0) AS activation_events,
              COUNT(d.day) FILTER (WHERE d.used_events > 0) AS active_days
         FROM weeks w
         JOIN usage_daily d ON d.customer_id = w.customer_id AND d.feature_id = w.feature_id
                           AND d.day >= w.week_start AND d.day < w.week_start + 7
        GROUP BY w.customer_id, w.feature_id, w.week_start
     ),
     users AS (
       SELECT w.customer_id, w.feature_id, w.week_start, COUNT(DISTINCT u.user_id) AS active_users
         FROM weeks w
         JOIN usage_daily_users u ON u.customer_id = w.customer_id AND u.feature_id = w.feature_id
                                 AND u.day >= w.week_start AND u.day < w.week_start + 7
        GROUP BY w.customer_id, w.feature_id, w.week_start
     )
     INSERT INTO usage_weekly (customer_id, feature_id, week_start, used_events, activation_events, active_days,
                               active_users, updated_at)
     SELECT d.customer_id, d.feature_id, d.week_start, d.used_events, d.activation_events, d.active_days,
            COALESCE(u.active_users, 0), NOW()
       FROM daily d
       LEFT JOIN users u ON u.customer_id = d.customer_id AND u.feature_id = d.feature_id AND u.week_start = d.week_start
     ON CONFLICT (customer_id, feature_id, week_start) DO UPDATE SET
       used_events = EXCLUDED.used_events, activation_events = EXCLUDED.activation_events,
       active_days = EXCLUDED.active_days, active_users = EXCLUDED.active_users, updated_at = NOW()`,
    params,
  );
}
