import { checkStatement, checkStatementSync } from './statement-parser';

/**
 * The statement check on Postgres's own parse tree (libpg_query), with the hostile variants of issue 19: each is
 * refused, and the message names what. The synchronous path (the compiler's) and the asynchronous one (the
 * activity's) give the same answer.
 */
const ISSUE_19_QUERY = `SELECT U&"\\0073et_config"('role', 'none', true) AS r, query_to_xml('select rolname, rolpassword from pg_authid', true, false, '') AS x`;

async function problem(sql: string) {
  const sync = checkStatementSync(sql);
  expect(await checkStatement(sql)).toEqual(sync);
  return sync;
}

describe('query_database statement check', () => {
  it.each([
    'SELECT * FROM feature_catalog WHERE feature_id = $1',
    'SELECT f.feature_id, count(*) AS n FROM adoption.feature_catalog f JOIN feature_adoption a USING (feature_id) GROUP BY 1 ORDER BY 2 DESC',
    'SELECT feature_id, training_resources FROM feature_catalog WHERE feature_id = $1 OR feature_name ILIKE $2 LIMIT $3',
    'WITH recent AS (SELECT * FROM usage_daily WHERE day > current_date - 30) SELECT feature_id, sum(events) FROM recent GROUP BY feature_id',
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n',
    "SELECT extract(day FROM now() - created_at), substring(feature_name FROM 1 FOR 3), trim(both ' ' FROM feature_name), created_at AT TIME ZONE 'UTC' FROM feature_catalog",
    'SELECT CAST(importance_score AS numeric), importance_score::text, coalesce(tips, $1), greatest(1, 2) FROM feature_catalog',
    'SELECT * FROM feature_catalog WHERE feature_id = ANY($1) AND EXISTS (SELECT 1 FROM customers c WHERE c.id = $2)',
    'SELECT row_number() OVER (PARTITION BY feature_id ORDER BY day) FROM usage_daily',
    "SELECT 'pg_authid and set_config() are only words here' AS note",
  ])('accepts %s', async (sql) => {
    expect(await problem(sql)).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    [ISSUE_19_QUERY, 'sql-not-allowed', /function set_config\(\) \(written U&"\\0073et_config"\) is not allowed/],
    [`SELECT query_to_xml('select rolname, rolpassword from pg_authid', true, false, '')`, 'sql-not-allowed', /function query_to_xml\(\)/],
    [`SELECT table_to_xml('adoption.customers', true, false, '')`, 'sql-not-allowed', /function table_to_xml\(\)/],
    [`SELECT set_config('role', 'none', true)`, 'sql-not-allowed', /function set_config\(\)/],
    [`SELECT current_setting('is_superuser')`, 'sql-not-allowed', /function current_setting\(\)/],
    ['SELECT rolname, rolpassword FROM pg_authid', 'sql-not-allowed', /pg_authid is not a relation definitions may read/],
    ['SELECT * FROM U&"p\\0067_authid"', 'sql-not-allowed', /pg_authid \(written U&"p\\0067_authid"\) is not a relation/],
    ['SELECT * FROM pg_catalog.pg_class', 'sql-not-allowed', /pg_catalog\.pg_class is not a relation .* schema adoption only/],
    ['SELECT * FROM information_schema.tables', 'sql-not-allowed', /information_schema\.tables is not a relation/],
    ['SELECT pg_catalog.now()', 'sql-not-allowed', /function pg_catalog\.now\(\) is not allowed: call allowed functions by their plain names/],
    ['SELECT pg_read_file($1)', 'sql-not-allowed', /function pg_read_file\(\)/],
    ['SELECT pg_sleep(10)', 'sql-not-allowed', /function pg_sleep\(\)/],
    ['SELECT pg_advisory_lock(1)', 'sql-not-allowed', /function pg_advisory_lock\(\)/],
    ["SELECT dblink('host=x', 'select 1')", 'sql-not-allowed', /function dblink\(\)/],
    ['SELECT lo_import($1)', 'sql-not-allowed', /function lo_import\(\)/],
    ["SELECT nextval('outbox_id_seq')", 'sql-not-allowed', /function nextval\(\)/],
    ["SELECT 'pg_authid'::regclass::oid", 'sql-not-allowed', /type regclass is not allowed/],
    ['SELECT current_user', 'sql-not-allowed', /CURRENT_USER is not allowed/],
    [
      'SELECT * FROM email_drafts',
      'sql-not-allowed',
      /email_drafts is not a relation definitions may read \(they may read customers, feature_catalog/,
    ],
    ['WITH pg_authid AS (SELECT * FROM pg_authid) SELECT * FROM pg_authid', 'sql-not-allowed', /pg_authid is not a relation/],
    ['SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) a, x', 'sql-not-allowed', /x is not a relation/],
    ['SELECT 1 OPERATOR(pg_catalog.+) 1', 'sql-not-allowed', /OPERATOR\(pg_catalog\.\+\)/],
    ["SELECT xmlparse(document '<a/>')", 'sql-not-allowed', /XmlExpr is not allowed/],
    ["COPY feature_catalog TO '/tmp/x'", 'sql-not-select', /this statement is COPY/],
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'sql-not-select', /this statement is COPY/],
    ['DELETE FROM feature_catalog', 'sql-not-select', /this statement is DELETE/],
    ['CREATE TABLE t (a int)', 'sql-not-select', /this statement is a table definition/],
    ['SELECT * INTO stolen FROM feature_catalog', 'sql-not-select', /SELECT \.\.\. INTO creates a table/],
    ['SELECT * FROM feature_catalog FOR UPDATE', 'sql-not-select', /FOR UPDATE \/ FOR SHARE locks rows/],
    ['SELECT * FROM feature_catalog FOR KEY SHARE', 'sql-not-select', /locks rows/],
    ['WITH gone AS (DELETE FROM feature_catalog RETURNING *) SELECT * FROM gone', 'sql-not-select', /DELETE inside WITH modifies data/],
    ['SELECT 1; SELECT 2', 'sql-multiple-statements', /exactly one statement/],
    ['-- nothing', 'sql-not-select', /empty/],
    ['SELECT FROM WHERE', 'sql-syntax', /Postgres cannot parse the query: syntax error at or near "WHERE"/],
  ])('refuses %s', async (sql, category, message) => {
    const found = await problem(sql);
    expect(found?.category).toBe(category);
    expect(found?.message).toMatch(message);
  });

  it('points at the refused name, in UTF-16 offsets even after multi-byte text', async () => {
    const sql = `SELECT 'Zoë ✓' AS a, set_config('role', 'none', true)`;
    expect((await problem(sql))?.offset).toBe(sql.indexOf('set_config'));
    expect((await problem(ISSUE_19_QUERY))?.offset).toBe(ISSUE_19_QUERY.indexOf('U&'));
  });
});
