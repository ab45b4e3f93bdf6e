import type { Db } from '../../db/database';
import { preview } from '../model/input-checks';
import { emptySummary, inSavepoint, isDataRefusal, type ImportSummary } from './read-records';
import { backfillLastDay, backfillSnapshots, BACKFILL_DAYS } from './backfill-snapshots';
import { resolveRules } from '../config/load';
import type { AdoptionRules } from '../config/rules';
import { parseUsageEvent, UsageLineError, type ParsedUsageEvent } from './usage-event';
import { usageItemsOfFile, type UsageItem } from './usage-lines';
import { refreshRollups } from './usage-rollups';

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
  return importUsageItems(db, usageItemsOfFile(file, options.format), file, options);
}

/**
 * Imports usage events held in memory (the usage file's event shape), by the same rules as a file; an issue's `line`
 * is the event's 1-based position in the list.
 */
export async function importUsageEvents(db: Db, events: readonly unknown[], options: UsageImportOptions = {}): Promise<ImportSummary> {
  return importUsageItems(
    db,
    events.map((record, index) => ({ line: index + 1, record })),
    'events',
    options,
  );
}

async function importUsageItems(
  db: Db,
  items: AsyncIterable<UsageItem> | Iterable<UsageItem>,
  file: string,
  options: UsageImportOptions,
): Promise<ImportSummary> {
  const summary = emptySummary('usage', file);
  const chunkSize = Math.max(1, options.chunkSize ?? 1000);
  const now = (options.now ?? (() => new Date()))();
  const latest = now.getTime() + FUTURE_TOLERANCE_MS;
  // Resolved first: an invalid rules file stops the import before it has stored anything.
  const rules = options.rules ?? resolveRules().rules;
  const touchedFeatures = new Map<string, { customerId: string; featureId: string }>();
  const unknownFeatures = new Map<string, { line: number; lines: number }>();
  let chunk: Array<{ line: number; event: ParsedUsageEvent }> = [];

  await db.transaction(async (tx) => {
    for await (const item of items) {
      const { line } = item;
      summary.read += 1;
      try {
        if ('problem' in item) throw new UsageLineError(item.problem);
        const event = parseUsageEvent(item.record);
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
    touched = await inSavepoint(tx, () => insertEvents(tx, file, good, summary));
  } catch (error) {
    if (!isDataRefusal(error)) throw error;
    touched = [];
    for (const item of good) {
      try {
        touched.push(...(await inSavepoint(tx, () => insertEvents(tx, file, [item], summary))));
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
  file: string,
  items: ChunkItem[],
  summary: ImportSummary,
): Promise<Array<{ customer_id: string; feature_id: string; day: string }>> {
  const events = items.map((item) => item.event);
  const inserted = await tx.query<{ event_key: string; customer_id: string; feature_id: string; day: string }>(
    `INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id, "count")
     SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::varchar[], $4::varchar[], $5::timestamptz[], $6::varchar[], $7::int[])
     ON CONFLICT (event_key) DO NOTHING
     RETURNING event_key, customer_id, feature_id, (occurred_at AT TIME ZONE 'UTC')::date AS day`,
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
  // The first line of a key inserted it; every other line of an existing key is a duplicate or a conflict.
  const fresh = new Set(inserted.rows.map((row) => row.event_key));
  const existing = items.filter((item) => !fresh.delete(item.event.key));
  await sortExisting(tx, file, existing, summary);
  return inserted.rows.map(({ customer_id, feature_id, day }) => ({ customer_id, feature_id, day }));
}

/**
 * Lines whose key is already stored: the same event again is a duplicate; an eventId stored with other content is a
 * conflict, reported on its line (the stored event is kept as it is: which one is right is the source's call).
 */
async function sortExisting(tx: Db, file: string, items: ChunkItem[], summary: ImportSummary): Promise<void> {
  if (items.length === 0) return;
  const { rows } = await tx.query<{
    event_key: string;
    customer_id: string;
    feature_id: string;
    event: string;
    occurred_at: Date;
    user_id: string | null;
    count: number;
  }>(
    `SELECT event_key, customer_id::text AS customer_id, feature_id, event, occurred_at, user_id, "count" FROM usage_events WHERE event_key = ANY($1::text[])`,
    [[...new Set(items.map((item) => item.event.key))]],
  );
  const stored = new Map(rows.map((row) => [row.event_key, row]));
  for (const { line, event } of items) {
    const row = stored.get(event.key);
    const differs = row
      ? (
          [
            ['featureId', row.feature_id, event.featureId],
            ['event', row.event, event.event],
            ['occurredAt', new Date(row.occurred_at).toISOString(), event.occurredAt],
            ['userId', row.user_id, event.userId],
            ['count', row.count, event.count],
          ] as const
        ).filter(([, was, now]) => was !== now)
      : [];
    if (differs.length === 0) {
      summary.duplicates += 1;
      continue;
    }
    summary.conflicts += 1;
    const eventId = event.key.slice(`id:${event.customerId}:`.length);
    summary.issues.push({
      file,
      line,
      message: `eventId: ${preview(eventId)} is already stored with a different ${differs.map(([field]) => field).join(', ')}; this line was not imported and the stored event is unchanged`,
    });
  }
}
