import crypto from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../db/database';
import { UUID, emptySummary, readLines, type ImportSummary } from './read-records';

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
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
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
    throw new UsageLineError(`customerId: must be a customer UUID, got ${JSON.stringify(customerId)}`);
  }
  const featureId = record.featureId;
  if (typeof featureId !== 'string' || featureId.trim() === '' || featureId.length > 100) {
    throw new UsageLineError(`featureId: must be a non-empty string of at most 100 characters, got ${JSON.stringify(featureId)}`);
  }
  const event = record.event;
  if (event !== 'activated' && event !== 'used') {
    throw new UsageLineError(`event: must be "activated" or "used", got ${JSON.stringify(event)}`);
  }
  const occurredAt = parseInstant(record.occurredAt);
  let userId: string | null = null;
  if (record.userId !== undefined && record.userId !== null && record.userId !== '') {
    if (typeof record.userId !== 'string' && typeof record.userId !== 'number') {
      throw new UsageLineError(`userId: must be a string, got ${JSON.stringify(record.userId)}`);
    }
    userId = String(record.userId);
    if (userId.length > 255) throw new UsageLineError('userId: at most 255 characters');
  }
  let count = 1;
  if (record.count !== undefined && record.count !== null && record.count !== '') {
    const value = typeof record.count === 'string' ? Number(record.count) : record.count;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
      throw new UsageLineError(`count: must be a whole number from 1 to 1000000, got ${JSON.stringify(record.count)}`);
    }
    count = value;
  }
  let eventId: string | null = null;
  if (record.eventId !== undefined && record.eventId !== null && record.eventId !== '') {
    if (typeof record.eventId !== 'string' && typeof record.eventId !== 'number') {
      throw new UsageLineError(`eventId: must be a string, got ${JSON.stringify(record.eventId)}`);
    }
    eventId = String(record.eventId);
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

/** ISO-8601 date or date-time; no zone means UTC. Returns the canonical `toISOString()` form. */
export function parseInstant(value: unknown): string {
  if (typeof value !== 'string') throw new UsageLineError(`occurredAt: must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`);
  const match = ISO_8601.exec(value.trim());
  if (!match) throw new UsageLineError(`occurredAt: not an ISO-8601 timestamp: ${JSON.stringify(value)}`);
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  const monthDays = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > monthDays) {
    throw new UsageLineError(`occurredAt: no such date: ${JSON.stringify(value)}`);
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw new UsageLineError(`occurredAt: no such time: ${JSON.stringify(value)}`);
  }
  const offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const instant = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${millis}${offset}`);
  if (Number.isNaN(instant)) throw new UsageLineError(`occurredAt: not an ISO-8601 timestamp: ${JSON.stringify(value)}`);
  return new Date(instant).toISOString();
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

export async function importUsageFile(db: Db, file: string, options: UsageImportOptions = {}): Promise<ImportSummary> {
  const summary = emptySummary('usage', file);
  const chunkSize = Math.max(1, options.chunkSize ?? 1000);
  let format = options.format;
  let header: Array<(typeof FIELDS)[number] | null> | null = null;
  let chunk: Array<{ line: number; event: ParsedUsageEvent }> = [];

  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    format ??= detectFormat(file, text);
    if (format === 'csv' && header === null) {
      try {
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
      const record = format === 'csv' ? csvRecord(header!, text) : parseJsonLine(text);
      chunk.push({ line, event: parseUsageEvent(record) });
    } catch (error) {
      if (!(error instanceof UsageLineError)) throw error;
      summary.issues.push({ file, line, message: error.message });
      continue;
    }
    if (chunk.length >= chunkSize) {
      await storeChunk(db, file, chunk, summary);
      chunk = [];
    }
  }
  if (chunk.length > 0) await storeChunk(db, file, chunk, summary);
  summary.issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  summary.skipped = summary.issues.length;
  return summary;
}

function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageLineError(`not valid JSON: ${(error as Error).message}`);
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

/** Stores one chunk of good lines and refreshes the rollups they touch, in one transaction. */
async function storeChunk(db: Db, file: string, chunk: Array<{ line: number; event: ParsedUsageEvent }>, summary: ImportSummary): Promise<void> {
  await db.transaction(async (tx) => {
    const customerIds = [...new Set(chunk.map((item) => item.event.customerId))];
    const known = new Set(
      (await tx.query<{ id: string }>(`SELECT id FROM customers WHERE id = ANY($1::uuid[])`, [customerIds])).rows.map((row) => row.id),
    );
    const good = chunk.filter((item) => {
      if (known.has(item.event.customerId)) return true;
      summary.issues.push({
        file,
        line: item.line,
        message: `customerId: unknown customer ${item.event.customerId} (import the customers first)`,
      });
      return false;
    });
    if (good.length === 0) return;
    const events = good.map((item) => item.event);
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
    summary.duplicates += good.length - inserted.rowCount;
    await refreshRollups(tx, inserted.rows);
  });
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
