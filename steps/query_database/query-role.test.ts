import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QUERY_READER_ROLE, runDefinitionQuery } from '../../adoption/definition-queries';
import { createActivities } from './activity';
import { openEmbedded } from '../../db/embedded';
import { migrate } from '../../db/migrate';
import { seedCatalog, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase, itOnPostgresServer } from '../../test/support/test-database';

/**
 * Issue 8: `query_database` runs as the read-only role adoption_query_reader (db/migrations/010_query_role.sql), on
 * the real Postgres server: the role exists after migrating, sees only the documented tables, cannot read pg_authid
 * or call pg_ls_waldir() even when the application connects as a superuser, and the activity takes it for every query.
 */
let test: TestDatabase;
let customerId: string;

beforeAll(async () => {
  test = await createTestDatabase();
  customerId = await seedCustomer(test.db);
  await seedCatalog(test.db, { featureId: 'advanced_analytics', featureName: 'Advanced Analytics Dashboard' });
});
afterAll(async () => {
  await test?.dispose();
});

const run = (sql: string) => createActivities({ db: test.db }).queryDatabase(stepContext(customerId), { sql, params: [], maxRows: 10 });

/** Runs `sql` as the reader role in a read-only transaction, as the activity does, without its name check. */
const asReader = (sql: string) =>
  test.db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION READ ONLY');
    await tx.query(`SET LOCAL ROLE ${QUERY_READER_ROLE}`);
    return (await tx.query(sql)).rows;
  });

it('the migration created the role (idempotently), not a superuser, and the test connects as a superuser', async () => {
  const { rows } = await test.db.query<{ rolsuper: boolean; rolcanlogin: boolean; me_super: boolean }>(
    `SELECT r.rolsuper, r.rolcanlogin, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS me_super
       FROM pg_roles r WHERE r.rolname = $1`,
    [QUERY_READER_ROLE],
  );
  expect(rows).toEqual([{ rolsuper: false, rolcanlogin: false, me_super: true }]);
  expect((await migrate(test.db)).applied).toEqual([]);
});

it('without a reader login, each query runs as the reader role with the schema alone on its search_path', async () => {
  // current_user and current_schemas() are refused in definitions, so this asks the domain function directly.
  const result = await runDefinitionQuery(test.db, { sql: 'SELECT current_user AS who, current_schemas(false) AS path', params: [], maxRows: 1 });
  expect(result.rows).toEqual([{ who: QUERY_READER_ROLE, path: '{adoption}' }]);
  expect((await run('SELECT feature_id FROM feature_catalog')).rows).toEqual([{ feature_id: 'advanced_analytics' }]);
});

itOnPostgresServer(
  'the reader role cannot read pg_authid, call pg_ls_waldir() or read tables the definition language does not document',
  async () => {
    await expect(asReader('SELECT rolname, rolpassword FROM pg_catalog.pg_authid')).rejects.toThrow(
      /permission denied for (table|relation) pg_authid/,
    );
    await expect(asReader('SELECT * FROM pg_catalog.pg_ls_waldir()')).rejects.toThrow(/permission denied for function pg_ls_waldir/);
    await expect(asReader(`SELECT pg_catalog.pg_read_file('PG_VERSION')`)).rejects.toThrow(/permission denied for function pg_read_file/);
    await expect(asReader('SELECT * FROM adoption.email_drafts')).rejects.toThrow(/permission denied for (table|relation) email_drafts/);
    await expect(asReader('SELECT * FROM adoption.usage_events')).rejects.toThrow(/permission denied/);
    await expect(asReader('SELECT feature_id FROM adoption.feature_catalog')).resolves.toEqual([{ feature_id: 'advanced_analytics' }]);
    // Through the activity: undocumented tables, catalogs and admin functions are refused before they reach the database.
    await expect(run('SELECT * FROM email_drafts')).rejects.toMatchObject({
      type: 'InvalidQuery',
      message: expect.stringContaining('email_drafts is not a relation'),
    });
    await expect(run('SELECT rolname FROM pg_authid')).rejects.toMatchObject({
      type: 'InvalidQuery',
      message: expect.stringContaining('pg_authid is not a relation definitions may read'),
    });
    await expect(run(`SELECT set_config('role', 'none', true), 1`)).rejects.toMatchObject({ type: 'InvalidQuery' });
  },
);

it('on PGlite the same migration runs; the role exists there too and the activity uses it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'query-role-pglite-'));
  const db = await openEmbedded(dir);
  try {
    await migrate(db);
    const roles = await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM pg_roles WHERE rolname = $1`, [QUERY_READER_ROLE]);
    const who = await runDefinitionQuery(db, { sql: 'SELECT current_user AS who', params: [], maxRows: 1 });
    // Recorded for the report: what PGlite does with roles.
    console.log(`PGlite: role exists=${roles.rows[0].n === 1}, query runs as ${String(who.rows[0].who)}`);
    expect(who.rows).toHaveLength(1);
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses issue 19's statement before it reaches the database, on the SET ROLE path too", async () => {
  const issue19 = `SELECT U&"\\0073et_config"('role', 'none', true) AS r, query_to_xml('select rolname, rolpassword from pg_authid', true, false, '') AS x`;
  await expect(run(issue19)).rejects.toMatchObject({
    type: 'InvalidQuery',
    nonRetryable: true,
    message: expect.stringContaining('query_database: function set_config() (written U&"\\0073et_config") is not allowed'),
  });
});
