import { UUID_PATTERN as UUID } from '../model/identifiers';
import Ajv from 'ajv';
import type { Db } from '../../db/database';
import { csmTimeZone } from '../training-slots';
import { describeAjvErrors, emptySummary, readRecords, recordProblem, storeEachOrAll, type ImportSummary } from './read-records';

/** The reason a customers file's `notNeeded` list records, and by which its own marks are told apart from people's. */
export const IMPORT_NOT_NEEDED_REASON = 'customers import';

/**
 * Customers file: a JSON (or YAML) array of
 *   { "id": uuid, "name", "arr", "segment", "csm": { "name", "email", "slackUserId", "timeZone" },
 *     "champion": { "name", "email" },
 *     "seats", "notNeeded"?: [featureId, ...] }
 * Upserted by id (the file is the truth for the fields it carries). `notNeeded` (PRD open question 4) lists the
 * features the customer has said it does not need; when present it replaces the customer's earlier list.
 * All-or-nothing per record: a bad record (any value Postgres would refuse: NUL, too long, out of range) is reported
 * with its line and skipped, the others are stored; the file is one transaction, so an abort stores nothing.
 */
export interface CustomerRecord {
  id: string;
  name: string;
  arr?: number;
  segment?: string;
  seats?: number | null;
  /** `timeZone`: the CSM's IANA zone (e.g. `Europe/Berlin`) for training slots; absent or null: UTC. */
  csm?: { name?: string | null; email?: string | null; slackUserId?: string | null; timeZone?: string | null } | null;
  champion?: { name?: string | null; email?: string | null } | null;
  notNeeded?: string[];
}

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength });

export const CUSTOMER_SCHEMA = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', pattern: UUID.source },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    // customers.arr is NUMERIC(14, 2)
    arr: { type: 'number', minimum: 0, maximum: 999_999_999_999 },
    segment: { type: 'string', minLength: 1, maxLength: 50 },
    seats: { type: ['integer', 'null'], minimum: 0, maximum: 2_147_483_647 },
    csm: {
      type: ['object', 'null'],
      properties: { name: nullableString(255), email: nullableString(255), slackUserId: nullableString(64), timeZone: nullableString(64) },
      additionalProperties: false,
    },
    champion: {
      type: ['object', 'null'],
      properties: { name: nullableString(255), email: nullableString(255) },
      additionalProperties: false,
    },
    notNeeded: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 100 } },
  },
  additionalProperties: false,
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile<CustomerRecord>(CUSTOMER_SCHEMA);

export async function importCustomersFile(db: Db, file: string): Promise<ImportSummary> {
  const { records, lines } = readRecords(file, ['customers']);
  return importCustomerRecords(db, records, { source: file, lines });
}

/**
 * Stores records already in memory (the file's entries, as a platform's own code or an HTTP body has them): each
 * bad record is reported by its position (and line, when it came from a file) and skipped, the others are stored in
 * one transaction. `source` names where they came from in the summary.
 */
export async function importCustomerRecords(
  db: Db,
  records: unknown[],
  origin: { source: string; lines?: Array<number | null> } = { source: 'records' },
): Promise<ImportSummary> {
  const file = origin.source;
  const lines = origin.lines ?? [];
  const summary = emptySummary('customers', file);
  summary.read = records.length;
  const good: Array<CustomerRecord & { line: number | null; label: string }> = [];
  const seen = new Set<string>();
  records.forEach((record, index) => {
    const where = lines[index] ?? null;
    const problem = recordProblem(record);
    if (problem) {
      summary.issues.push({ file, line: where, message: `customer #${index + 1}: ${problem}` });
      return;
    }
    if (!validate(record)) {
      summary.issues.push({ file, line: where, message: `customer #${index + 1}: ${describeAjvErrors(validate.errors)}` });
      return;
    }
    const zone = record.csm?.timeZone;
    if (zone && csmTimeZone(zone) !== zone) {
      summary.issues.push({
        file,
        line: where,
        message: `customer #${index + 1}: csm.timeZone ${JSON.stringify(zone.slice(0, 40))} is not an IANA time zone (e.g. Europe/Berlin)`,
      });
      return;
    }
    const id = record.id.toLowerCase();
    if (seen.has(id)) {
      summary.issues.push({ file, line: where, message: `customer #${index + 1}: id ${id} appears earlier in the file` });
      return;
    }
    seen.add(id);
    good.push({ ...record, id, line: where, label: `customer #${index + 1}` });
  });
  summary.skipped = summary.issues.length;
  if (good.length === 0) return summary;

  await db.transaction(async (tx) => {
    summary.imported = await storeEachOrAll(tx, good, (batch) => storeCustomers(tx, batch), summary);
  });
  summary.skipped = summary.issues.length;
  return summary;
}

/** Upserts the customers and their "not needed" marks; returns the number of customers stored. */
async function storeCustomers(tx: Db, good: CustomerRecord[]): Promise<number> {
  const rows = good.map((record) => ({
    id: record.id,
    name: record.name,
    arr: record.arr ?? 0,
    segment: record.segment ?? 'unknown',
    seats: record.seats ?? null,
    csm_name: record.csm?.name ?? null,
    csm_email: record.csm?.email ?? null,
    csm_slack_user_id: record.csm?.slackUserId ?? null,
    csm_time_zone: record.csm?.timeZone ?? null,
    champion_name: record.champion?.name ?? null,
    champion_email: record.champion?.email ?? null,
  }));
  {
    const result = await tx.query(
      `INSERT INTO customers (id, name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, csm_time_zone, champion_name, champion_email)
       SELECT x.id, x.name, x.arr, x.segment, x.seats, x.csm_name, x.csm_email, x.csm_slack_user_id, x.csm_time_zone, x.champion_name, x.champion_email
         FROM JSONB_TO_RECORDSET($1::jsonb) AS x(id uuid, name varchar, arr numeric, segment varchar, seats integer,
              csm_name varchar, csm_email varchar, csm_slack_user_id varchar, csm_time_zone varchar, champion_name varchar, champion_email varchar)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, arr = EXCLUDED.arr, segment = EXCLUDED.segment, seats = EXCLUDED.seats,
         csm_name = EXCLUDED.csm_name, csm_email = EXCLUDED.csm_email, csm_slack_user_id = EXCLUDED.csm_slack_user_id, csm_time_zone = EXCLUDED.csm_time_zone,
         champion_name = EXCLUDED.champion_name, champion_email = EXCLUDED.champion_email, updated_at = NOW()`,
      [JSON.stringify(rows)],
    );
    const stored = result.rowCount;

    // "Not needed" marks, for the customers whose record carries the list.
    const marks = good
      .filter((record) => Array.isArray(record.notNeeded))
      .map((record) => ({ customer_id: record.id, feature_ids: [...new Set(record.notNeeded)] }));
    if (marks.length === 0) return stored;
    await tx.query(
      `WITH marks AS (
         SELECT m.customer_id, f.feature_id
           FROM JSONB_TO_RECORDSET($1::jsonb) AS m(customer_id uuid, feature_ids text[])
           CROSS JOIN LATERAL UNNEST(m.feature_ids) AS f(feature_id)
       )
       INSERT INTO feature_adoption (customer_id, feature_id, feature_name, not_needed, not_needed_at, not_needed_reason)
       SELECT marks.customer_id, marks.feature_id, COALESCE(cat.feature_name, marks.feature_id), TRUE, NOW(), $2
         FROM marks LEFT JOIN feature_catalog cat ON cat.feature_id = marks.feature_id
       ON CONFLICT (customer_id, feature_id) DO UPDATE SET
         not_needed = TRUE,
         not_needed_at = COALESCE(feature_adoption.not_needed_at, EXCLUDED.not_needed_at),
         not_needed_reason = COALESCE(feature_adoption.not_needed_reason, EXCLUDED.not_needed_reason),
         updated_at = NOW()
       WHERE NOT feature_adoption.not_needed`,
      [JSON.stringify(marks), IMPORT_NOT_NEEDED_REASON],
    );
    // A file that no longer lists a feature takes back only the marks a file made: a person's mark (API, page,
    // Slack; audited in not_needed_marks) stays until a person takes it back.

    await tx.query(
      `UPDATE feature_adoption fa
          SET not_needed = FALSE, not_needed_at = NULL, not_needed_reason = NULL, updated_at = NOW()
         FROM JSONB_TO_RECORDSET($1::jsonb) AS m(customer_id uuid, feature_ids text[])
        WHERE fa.customer_id = m.customer_id AND fa.not_needed AND NOT (fa.feature_id = ANY(m.feature_ids))
          AND fa.not_needed_reason = $2`,
      [JSON.stringify(marks), IMPORT_NOT_NEEDED_REASON],
    );
    return stored;
  }
}
