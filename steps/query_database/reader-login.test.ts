import { DEFINITION_READER_LOGIN, runDefinitionQuery } from '../../adoption/definition-queries';
import { openPostgres, type Db } from '../../db/database';
import { QUERYABLE_RELATIONS } from './allowed-sql';
import { createActivities } from './activity';
import { seedCatalog, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, itOnPostgresServer, type TestDatabase } from '../../test/support/test-database';

/**
 * Issue 19: definition queries run on their own connection that logs in as adoption_definition_reader
 * (db/migrations/100_definition_reader.sql). Unlike SET ROLE, nothing in a statement can take a stronger user
 * back: there is no role to reset to. Proved on the real Postgres server of the test run (trust auth on a private
 * cluster, so the reader connects by changing the user of the test database's URL).
 */
const ISSUE_19_QUERY = `SELECT U&"\\0073et_config"('role', 'none', true) AS r, query_to_xml('select rolname, rolpassword from pg_authid', true, false, '') AS x`;

let test: TestDatabase;
let reader: Db;
let customerId: string;
let applicationUser: string;

beforeAll(async () => {
  test = await createTestDatabase();
  customerId = await seedCustomer(test.db);
  await seedCatalog(test.db, { featureId: 'advanced_analytics', featureName: 'Advanced Analytics Dashboard' });
  applicationUser = (await test.db.query<{ who: string }>('SELECT current_user AS who')).rows[0].who;
  if (test.url) {
    const url = new URL(test.url);
    url.username = DEFINITION_READER_LOGIN;
    url.password = '';
    reader = openPostgres({ connectionString: url.toString(), max: 2 });
  }
});
afterAll(async () => {
  await reader?.close();
  await test?.dispose();
});

/** A statement sent straight to the reader's connection, bypassing every check of ours: what the database allows. */
const onReader = (...statements: string[]) =>
  reader.transaction(async (tx) => {
    let rows: unknown[] = [];
    for (const statement of statements) rows = (await tx.query(statement)).rows;
    return rows;
  });

itOnPostgresServer('the migration created a login role, no superuser, member of nothing, with SELECT on the documented relations only', async () => {
  const { rows } = await test.db.query<{ rolcanlogin: boolean; rolsuper: boolean; memberships: number }>(
    `SELECT r.rolcanlogin, r.rolsuper, (SELECT COUNT(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS memberships
       FROM pg_roles r WHERE r.rolname = $1`,
    [DEFINITION_READER_LOGIN],
  );
  expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, memberships: 0 }]);
  const grants = await test.db.query<{ table_name: string; privilege_type: string }>(
    `SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = $1 AND table_schema = 'adoption' ORDER BY 1`,
    [DEFINITION_READER_LOGIN],
  );
  expect(grants.rows).toEqual([...QUERYABLE_RELATIONS].sort().map((table_name) => ({ table_name, privilege_type: 'SELECT' })));
});

itOnPostgresServer('on the reader login, set_config(role), SET ROLE and RESET ROLE give nothing more', async () => {
  expect(await onReader('SELECT current_user AS who, session_user AS login')).toEqual([
    { who: DEFINITION_READER_LOGIN, login: DEFINITION_READER_LOGIN },
  ]);
  // The issue's statement itself, unchecked: "none" resets to the login, which may not read pg_authid.
  await expect(onReader(ISSUE_19_QUERY)).rejects.toThrow(/permission denied for (table|relation) pg_authid/);
  await expect(onReader(`SELECT set_config('role', '${applicationUser}', false)`)).rejects.toThrow(/permission denied to set role/);
  await expect(onReader(`SET ROLE "${applicationUser}"`)).rejects.toThrow(/permission denied to set role/);
  await expect(onReader('RESET ROLE', 'SELECT rolname, rolpassword FROM pg_catalog.pg_authid')).rejects.toThrow(/permission denied/);
  await expect(onReader(`SELECT set_config('role', 'none', false)`, 'SELECT * FROM adoption.email_drafts')).rejects.toThrow(
    /permission denied for (table|relation) email_drafts/,
  );
  await expect(onReader('SELECT feature_id FROM adoption.feature_catalog')).resolves.toEqual([{ feature_id: 'advanced_analytics' }]);
});

itOnPostgresServer('the activity runs definitions on the reader login when one is configured, and still checks them', async () => {
  const activity = createActivities({ db: test.db, queryDatabase: reader });
  const result = await activity.queryDatabase(stepContext(customerId), {
    sql: 'SELECT feature_id FROM feature_catalog WHERE feature_id = $1',
    params: ['advanced_analytics'],
    maxRows: 5,
  });
  expect(result.rows).toEqual([{ feature_id: 'advanced_analytics' }]);
  const who = await runDefinitionQuery(test.db, { sql: 'SELECT current_user AS who', params: [], maxRows: 1 }, { readerDb: reader });
  expect(who.rows).toEqual([{ who: DEFINITION_READER_LOGIN }]);
  await expect(activity.queryDatabase(stepContext(customerId), { sql: ISSUE_19_QUERY, params: [], maxRows: 5 })).rejects.toMatchObject({
    type: 'InvalidQuery',
    nonRetryable: true,
    message: expect.stringMatching(/set_config\(\) \(written U&"\\0073et_config"\) is not allowed/),
  });
});

itOnPostgresServer('a reader connection that logs in as a superuser is refused, not used', async () => {
  await expect(runDefinitionQuery(test.db, { sql: 'SELECT 1 AS one', params: [], maxRows: 1 }, { readerDb: test.db })).rejects.toThrow(
    new RegExp(`logs in as ${applicationUser}, a superuser; it must log in as ${DEFINITION_READER_LOGIN}`),
  );
});
