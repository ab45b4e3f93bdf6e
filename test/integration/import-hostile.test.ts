import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import { importCatalogFile } from '../../adoption/ingest/catalog';
import { importCustomersFile } from '../../adoption/ingest/customers';
import { importUsageFile } from '../../adoption/ingest/usage';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * Issue 8: import is all-or-nothing per line (per record), never per chunk. Hostile files on a real Postgres: every
 * bad line (a year-0 date, a 30 February, a 1 MB line, a 300-character eventId, a NUL, a future timestamp, an unknown
 * customer, a value the database itself refuses) is reported with its line number and skipped, the good lines are
 * kept; a feature that is not in the catalog is a warning and its lines are kept; a NUL in the customers or catalog
 * file skips that record only; a file that aborts half-way (its connection dropped after the first chunk) leaves
 * nothing of it imported.
 */
let database: TestDatabase;
let db: Db;
let dir: string;
const NOW = new Date('2026-03-31T12:00:00Z');
const ACME = randomUUID();
const GLOBEX = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-hostile-'));
});

afterAll(async () => {
  await database?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

it('customers: a NUL, an over-long name or an out-of-range ARR skips that customer only, with its line', async () => {
  const file = write(
    'customers.json',
    [
      '[',
      `  { "id": "${ACME}", "name": "Acme", "arr": 1000 },`,
      `  { "id": "${randomUUID()}", "name": "Evil\\u0000Corp" },`,
      `  { "id": "${randomUUID()}", "name": "Big", "arr": 1e15 },`,
      `  { "id": "${randomUUID()}", "name": "${'n'.repeat(300)}" },`,
      `  { "id": "${GLOBEX}", "name": "Globex", "csm": { "name": "Sam", "email": "sam@vendor.example", "slackUserId": "U1" } }`,
      ']',
    ].join('\n'),
  );
  const summary = await importCustomersFile(db, file);
  expect(summary).toMatchObject({ read: 5, imported: 2, skipped: 3 });
  expect(summary.issues.map((issue) => [issue.line, issue.message])).toEqual([
    [3, 'customer #2: name: contains a NUL character'],
    [4, 'customer #3: arr: must be <= 999999999999'],
    [5, 'customer #4: name: must NOT have more than 255 characters'],
  ]);
  expect(await count(`SELECT COUNT(*)::int AS n FROM customers`)).toBe(2);
});

it("customers: the CSM's time zone is an IANA name (training slots use it); anything else skips that customer, with its line", async () => {
  const berlin = randomUUID();
  const file = write(
    'customers-zones.json',
    [
      '[',
      `  { "id": "${berlin}", "name": "Berlin GmbH", "csm": { "name": "Jo", "email": "jo@vendor.example", "timeZone": "Europe/Berlin" } },`,
      `  { "id": "${randomUUID()}", "name": "Mars Inc", "csm": { "name": "Al", "email": "al@vendor.example", "timeZone": "Mars/Olympus_Mons" } },`,
      `  { "id": "${randomUUID()}", "name": "Offset Ltd", "csm": { "name": "Ed", "email": "ed@vendor.example", "timeZone": "+02:00; DROP TABLE customers" } }`,
      ']',
    ].join('\n'),
  );
  const summary = await importCustomersFile(db, file);
  expect(summary).toMatchObject({ read: 3, imported: 1, skipped: 2 });
  expect(summary.issues.map((issue) => [issue.line, issue.message])).toEqual([
    [3, 'customer #2: csm.timeZone "Mars/Olympus_Mons" is not an IANA time zone (e.g. Europe/Berlin)'],
    [4, 'customer #3: csm.timeZone "+02:00; DROP TABLE customers" is not an IANA time zone (e.g. Europe/Berlin)'],
  ]);
  const stored = await db.query<{ csm_time_zone: string }>(`SELECT csm_time_zone FROM customers WHERE id = $1`, [berlin]);
  expect(stored.rows).toEqual([{ csm_time_zone: 'Europe/Berlin' }]);
});

it('catalog: a NUL or a next session that does not exist skips that entry only, with its line', async () => {
  const file = write(
    'catalog.yaml',
    [
      '- feature_id: analytics',
      '  feature_name: Analytics',
      '- feature_id: "bad\\0id"',
      '  feature_name: Bad',
      '- feature_id: webinars',
      '  feature_name: Webinars',
      '  training_resources:',
      '    - { type: webinar, title: Live, url: "https://training.example.com/live", next_session: "2026-02-30T10:00:00Z" }',
      '- feature_id: office_hours',
      '  feature_name: Office hours',
      '  training_resources:',
      '    - { type: live_training, title: Live, url: "https://training.example.com/oh", sessions: ["2026-03-03", "9999-99-99"] }',
      '- feature_id: automation',
      '  feature_name: Automation',
      '  tips: "use\\0it"',
      '- feature_id: exports',
      '  feature_name: Exports',
    ].join('\n'),
  );
  const summary = await importCatalogFile(db, file);
  expect(summary).toMatchObject({ read: 5 + 1, imported: 2, skipped: 4 });
  expect(summary.issues.map((issue) => [issue.line, issue.message])).toEqual([
    [3, 'feature #2: feature_id: contains a NUL character'],
    [5, 'feature #3: training_resources.0.next_session: is not a date that exists (day of month)'],
    [9, 'feature #4: training_resources.0.sessions.1: is not a date that exists (month)'],
    [13, 'feature #5: tips: contains a NUL character'],
  ]);
  expect((await db.query(`SELECT feature_id FROM feature_catalog ORDER BY feature_id`)).rows).toEqual([
    { feature_id: 'analytics' },
    { feature_id: 'exports' },
  ]);
});

it('usage: every bad line is reported with its number and skipped; good lines are kept; unknown features are warnings', async () => {
  // A line Postgres itself refuses (past our checks): a trigger stands in for any constraint we did not foresee.
  await db.exec(`
    CREATE FUNCTION refuse_forbidden() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.feature_id = 'forbidden' THEN RAISE EXCEPTION 'feature forbidden by policy'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_forbidden BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION refuse_forbidden();`);
  const event = (fields: Record<string, unknown>) =>
    JSON.stringify({ customerId: ACME, featureId: 'analytics', event: 'used', occurredAt: '2026-03-30T10:00:00Z', ...fields });
  const lines = [
    event({ eventId: 'good-1' }), // 1
    event({ eventId: 'year-0', occurredAt: '0000-01-01T00:00:00Z' }), // 2
    event({ eventId: 'x'.repeat(1024 * 1024) }), // 3: a 1 MB line
    event({ eventId: 'e'.repeat(300) }), // 4
    event({ eventId: 'nul', featureId: 'analy\u0000tics' }), // 5
    event({ eventId: 'good-2', occurredAt: '2026-03-31T12:04:00Z' }), // 6: within the 5-minute clock tolerance
    event({ eventId: 'future', occurredAt: '2026-04-30T10:00:00Z' }), // 7
    event({ eventId: 'unknown-feature', featureId: 'teleporter' }), // 8: kept, a warning
    event({ eventId: 'feb-30', occurredAt: '2026-02-30T10:00:00Z' }), // 9
    event({ eventId: 'nobody', customerId: randomUUID() }), // 10
    event({ eventId: 'refused', featureId: 'forbidden' }), // 11: refused by the database
    '{"customerId": ', // 12
    event({ eventId: 'good-3', featureId: 'exports' }), // 13
    event({ eventId: 'unknown-feature-2', featureId: 'teleporter' }), // 14
  ];
  const file = write('usage.ndjson', lines.join('\n') + '\n');
  const summary = await importUsageFile(db, file, { chunkSize: 4, now: () => NOW });
  expect(summary.issues.map((issue) => [issue.line, issue.message])).toEqual([
    [2, 'occurredAt: has a year outside 1970-9999: "0000-01-01T00:00:00Z"'],
    [3, 'the line is longer than 65536 characters'],
    [4, 'eventId: at most 255 characters, got 300'],
    [5, 'featureId: must not contain a NUL character'],
    [7, "occurredAt: 2026-04-30T10:00:00.000Z is in the future (after the import's clock + 5 minutes)"],
    [9, 'occurredAt: no such date: "2026-02-30T10:00:00Z"'],
    [10, expect.stringMatching(/^customerId: unknown customer/)],
    [11, expect.stringMatching(/^refused by the database: feature forbidden by policy/)],
    [12, expect.stringMatching(/^not valid JSON/)],
  ]);
  expect(summary.warnings.map((warning) => [warning.line, warning.message])).toEqual([
    [8, 'featureId: "teleporter" is not in the feature catalog (2 lines imported anyway; import the catalog to score it)'],
  ]);
  expect(summary).toMatchObject({ read: 14, imported: 5, duplicates: 0, skipped: 9 });
  const stored = (await db.query<{ event_key: string }>(`SELECT event_key FROM usage_events ORDER BY event_key`)).rows.map((row) => row.event_key);
  expect(stored).toEqual(['good-1', 'good-2', 'good-3', 'unknown-feature', 'unknown-feature-2'].map((id) => `id:${ACME}:${id}`).sort());
  // The rollups of the kept lines were refreshed.
  expect(await count(`SELECT COALESCE(SUM(used_events), 0)::int AS n FROM usage_daily WHERE customer_id = $1`, [ACME])).toBe(5);
});

it('usage CSV: a raw NUL byte in a field skips that line only', async () => {
  const file = write(
    'usage.csv',
    [
      'customer_id,feature_id,event,occurred_at,event_id',
      `${GLOBEX},analytics,used,2026-03-29T10:00:00Z,csv-1`,
      `${GLOBEX},analy\u0000tics,used,2026-03-29T10:00:00Z,csv-2`,
      `${GLOBEX},analytics,used,2026-03-29T11:00:00Z,csv-3`,
    ].join('\n'),
  );
  const summary = await importUsageFile(db, file, { now: () => NOW });
  expect(summary.issues.map((issue) => [issue.line, issue.message])).toEqual([[3, 'featureId: must not contain a NUL character']]);
  expect(summary).toMatchObject({ read: 3, imported: 2, skipped: 1 });
});

it('a usage file that aborts half-way (the database fails after the first chunk is stored) leaves nothing of it imported', async () => {
  const before = await count(`SELECT COUNT(*)::int AS n FROM usage_events`);
  const rollupsBefore = await count(`SELECT COUNT(*)::int AS n FROM usage_daily`);
  const lines = Array.from({ length: 10 }, (_, index) =>
    JSON.stringify({
      customerId: GLOBEX,
      featureId: 'analytics',
      event: 'used',
      occurredAt: `2026-03-0${1 + (index % 9)}T10:00:00Z`,
      eventId: `abort-${index}`,
    }),
  );
  const file = write('abort.ndjson', lines.join('\n'));
  let inserts = 0;
  // The first chunk is stored (and its rollups refreshed) for real; then the database fails the whole file's
  // transaction (as a lost connection would; a real dropped connection is not used here because the pg client
  // emits it as an unhandled 'error' event, see the report).
  const failing: Db = {
    ...db,
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          ...tx,
          query: async (sql, params) => {
            if (sql.includes('INSERT INTO usage_events') && (inserts += 1) === 2) {
              await tx.query(`SELECT 1 / 0`).catch(() => undefined);
              throw new Error('Connection terminated unexpectedly');
            }
            return tx.query(sql, params);
          },
        }),
      ),
  };
  await expect(importUsageFile(failing, file, { chunkSize: 4, now: () => NOW })).rejects.toThrow('Connection terminated unexpectedly');
  expect(inserts).toBe(2);
  expect(await count(`SELECT COUNT(*)::int AS n FROM usage_events`)).toBe(before);
  expect(await count(`SELECT COUNT(*)::int AS n FROM usage_daily`)).toBe(rollupsBefore);
});
