import Ajv from 'ajv';
import type { Db } from '../../db/database';
import { parseIsoInstant } from '../model/input-checks';
import { describeAjvErrors, emptySummary, readRecords, recordProblem, storeEachOrAll, type ImportSummary } from './read-records';

/**
 * Feature catalog file: YAML or JSON, an array of `feature_catalog` rows (PRD 4.1), or an object holding it under
 * `features` / `feature_catalog`:
 *   feature_id, feature_name, category, importance_score (0-100), expected_adoption_days (> 0),
 *   training_resources: [{ type, title, url, duration_minutes?, level?, next_session?, sessions? }], tips, key_benefit?
 * Upserted by feature_id. All-or-nothing per entry: a bad entry (any value Postgres would refuse: NUL, too long, out
 * of range; a `next_session` that is not a date that exists) is reported with its line and skipped, the others are
 * stored; the file is one transaction.
 */
export interface CatalogRecord {
  feature_id: string;
  feature_name: string;
  category?: string | null;
  importance_score?: number;
  expected_adoption_days?: number;
  training_resources?: Array<Record<string, unknown>>;
  tips?: string | null;
  key_benefit?: string | null;
}

export const CATALOG_SCHEMA = {
  type: 'object',
  required: ['feature_id', 'feature_name'],
  properties: {
    feature_id: { type: 'string', minLength: 1, maxLength: 100 },
    feature_name: { type: 'string', minLength: 1, maxLength: 255 },
    category: { type: ['string', 'null'], maxLength: 100 },
    importance_score: { type: 'integer', minimum: 0, maximum: 100 },
    expected_adoption_days: { type: 'integer', minimum: 1, maximum: 3650 },
    training_resources: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['type', 'title', 'url'],
        properties: {
          type: { type: 'string', minLength: 1, maxLength: 50 },
          title: { type: 'string', minLength: 1, maxLength: 500 },
          url: { type: 'string', maxLength: 2000, pattern: '^https?://[^\\s<>|]+$' },
          duration_minutes: { type: 'number', minimum: 0, maximum: 100_000 },
          level: { type: 'string', maxLength: 50 },
          next_session: { type: 'string', maxLength: 40 },
          // A live training's dated sessions: the recommendations show the next one still to come.
          sessions: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 40 } },
        },
        additionalProperties: false,
      },
    },
    tips: { type: ['string', 'null'], maxLength: 10_000 },
    key_benefit: { type: ['string', 'null'], maxLength: 1_000 },
    created_at: {},
  },
  additionalProperties: false,
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile<CatalogRecord>(CATALOG_SCHEMA);

export async function importCatalogFile(db: Db, file: string): Promise<ImportSummary> {
  const { records, lines } = readRecords(file, ['features', 'feature_catalog']);
  return importCatalogRecords(db, records, { source: file, lines });
}

/**
 * Stores records already in memory (the file's entries, as a platform's own code or an HTTP body has them): each
 * bad record is reported by its position (and line, when it came from a file) and skipped, the others are stored in
 * one transaction. `source` names where they came from in the summary.
 */
export async function importCatalogRecords(
  db: Db,
  records: unknown[],
  origin: { source: string; lines?: Array<number | null> } = { source: 'records' },
): Promise<ImportSummary> {
  const file = origin.source;
  const lines = origin.lines ?? [];
  const summary = emptySummary('catalog', file);
  summary.read = records.length;
  const good: Array<CatalogRecord & { line: number | null; label: string }> = [];
  const seen = new Set<string>();
  records.forEach((record, index) => {
    const where = lines[index] ?? null;
    // YAML turns an unquoted next_session timestamp into a Date: keep it as the ISO text it was.
    const normalised = normaliseDates(record);
    const problem = recordProblem(normalised) ?? nextSessionProblem(normalised);
    if (problem) {
      summary.issues.push({ file, line: where, message: `feature #${index + 1}: ${problem}` });
      return;
    }
    if (!validate(normalised)) {
      summary.issues.push({ file, line: where, message: `feature #${index + 1}: ${describeAjvErrors(validate.errors)}` });
      return;
    }
    if (seen.has(normalised.feature_id)) {
      summary.issues.push({ file, line: where, message: `feature #${index + 1}: feature_id ${normalised.feature_id} appears earlier in the file` });
      return;
    }
    seen.add(normalised.feature_id);
    good.push({ ...normalised, line: where, label: `feature #${index + 1}` });
  });
  summary.skipped = summary.issues.length;
  if (good.length === 0) return summary;

  await db.transaction(async (tx) => {
    summary.imported = await storeEachOrAll(tx, good, (batch) => storeCatalog(tx, batch), summary);
  });
  summary.skipped = summary.issues.length;
  return summary;
}

/** `training_resources.N.next_session: ...` (or `.sessions.M`) when a resource's session is not a date-time that exists. */
function nextSessionProblem(record: unknown): string | null {
  const resources = (record as { training_resources?: unknown }).training_resources;
  if (!Array.isArray(resources)) return null;
  for (const [index, resource] of resources.entries()) {
    const { next_session: next, sessions } = (resource ?? {}) as { next_session?: unknown; sessions?: unknown };
    if (typeof next === 'string') {
      const parsed = parseIsoInstant(next, { allowDateOnly: true });
      if (!parsed.ok) return `training_resources.${index}.next_session: ${parsed.reason}`;
    }
    if (!Array.isArray(sessions)) continue;
    for (const [position, session] of sessions.entries()) {
      if (typeof session !== 'string') continue; // the schema names it
      const parsed = parseIsoInstant(session, { allowDateOnly: true });
      if (!parsed.ok) return `training_resources.${index}.sessions.${position}: ${parsed.reason}`;
    }
  }
  return null;
}

async function storeCatalog(db: Db, good: CatalogRecord[]): Promise<number> {
  const rows = good.map((record) => ({
    feature_id: record.feature_id,
    feature_name: record.feature_name,
    category: record.category ?? null,
    importance_score: record.importance_score ?? 50,
    expected_adoption_days: record.expected_adoption_days ?? 30,
    training_resources: record.training_resources ?? [],
    tips: record.tips ?? null,
    key_benefit: record.key_benefit ?? null,
  }));
  const result = await db.query(
    `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days,
                                  training_resources, tips, key_benefit)
     SELECT x.feature_id, x.feature_name, x.category, x.importance_score, x.expected_adoption_days,
            x.training_resources, x.tips, x.key_benefit
       FROM JSONB_TO_RECORDSET($1::jsonb) AS x(feature_id varchar, feature_name varchar, category varchar,
            importance_score integer, expected_adoption_days integer, training_resources jsonb, tips text, key_benefit text)
     ON CONFLICT (feature_id) DO UPDATE SET
       feature_name = EXCLUDED.feature_name, category = EXCLUDED.category, importance_score = EXCLUDED.importance_score,
       expected_adoption_days = EXCLUDED.expected_adoption_days, training_resources = EXCLUDED.training_resources,
       tips = EXCLUDED.tips, key_benefit = EXCLUDED.key_benefit`,
    [JSON.stringify(rows)],
  );
  return result.rowCount;
}

function normaliseDates<T>(value: T): T {
  if (value instanceof Date) return (Number.isNaN(value.getTime()) ? String(value) : value.toISOString()) as T;
  if (Array.isArray(value)) return value.map((item) => normaliseDates(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normaliseDates(item)])) as T;
  }
  return value;
}
