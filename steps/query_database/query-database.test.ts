import { createActivities as createQueryDatabaseActivity } from './activity';
import { PRD_RESOURCES, seedCatalog, seedCustomer, stepContext } from '../../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

describe('query_database activity', () => {
  let test: TestDatabase;
  let customerId: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    customerId = await seedCustomer(test.db);
    await seedCatalog(test.db, {
      featureId: 'advanced_analytics',
      featureName: 'Advanced Analytics Dashboard',
      category: 'analytics',
      importance: 85,
      resources: PRD_RESOURCES,
    });
    for (let i = 0; i < 5; i++) await seedCatalog(test.db, { featureId: `f${i}`, featureName: `Feature ${i}`, importance: 10 * i });
  });
  afterAll(async () => {
    await test.dispose();
  });

  const activity = () => createQueryDatabaseActivity({ db: test.db }, { statementTimeoutMs: 300 });

  it("runs the PRD's catalog lookup with the feature id bound, as JSON (dates as ISO strings)", async () => {
    const result = await activity().queryDatabase(stepContext(customerId), {
      sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1',
      params: ['advanced_analytics'],
      maxRows: 10,
    });
    expect(result.rowCount).toBe(1);
    expect(result.truncated).toBe(false);
    const row = result.rows[0];
    expect(row).toMatchObject({ feature_id: 'advanced_analytics', importance_score: 85, training_resources: PRD_RESOURCES });
    expect(row.created_at).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/));
    // The whole result survives a JSON round trip unchanged: what Temporal history will store.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('treats a value that looks like SQL as a value', async () => {
    const result = await activity().queryDatabase(stepContext(customerId), {
      sql: 'SELECT feature_id FROM feature_catalog WHERE feature_id = $1',
      params: ["x' OR '1'='1"],
      maxRows: 10,
    });
    expect(result.rows).toEqual([]);
  });

  it('returns at most maxRows rows and says when it cut the result', async () => {
    const sql = 'SELECT feature_id FROM feature_catalog WHERE importance_score < $1 ORDER BY feature_id;';
    const cut = await activity().queryDatabase(stepContext(customerId), { sql, params: [100], maxRows: 3 });
    expect(cut).toEqual({ rows: [{ feature_id: 'advanced_analytics' }, { feature_id: 'f0' }, { feature_id: 'f1' }], rowCount: 3, truncated: true });
    const whole = await activity().queryDatabase(stepContext(customerId), { sql, params: [100], maxRows: 6 });
    expect(whole).toMatchObject({ rowCount: 6, truncated: false });
  });

  it('runs read-only: writes fail, even hidden in a function call', async () => {
    await expect(
      activity().queryDatabase(stepContext(customerId), { sql: `SELECT nextval('outbox_id_seq')`, params: [], maxRows: 1 }),
      // Refused by the statement check; behind it, the reader role and the READ ONLY transaction would refuse it too.
    ).rejects.toThrow(/function nextval\(\) is not allowed/);
    await expect(
      activity().queryDatabase(stepContext(customerId), {
        sql: `WITH gone AS (DELETE FROM feature_catalog RETURNING feature_id) SELECT * FROM gone`,
        params: [],
        maxRows: 1,
      }),
    ).rejects.toThrow();
    const count = await test.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM feature_catalog');
    expect(count.rows[0].n).toBe(6);
  });

  it('refuses several statements in one string, so nothing can leave the read-only transaction', async () => {
    await expect(
      activity().queryDatabase(stepContext(customerId), { sql: 'SELECT 1; COMMIT; DELETE FROM feature_catalog', params: [], maxRows: 1 }),
    ).rejects.toThrow();
    const count = await test.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM feature_catalog');
    expect(count.rows[0].n).toBe(6);
  });

  it('stops a runaway query at the statement timeout', async () => {
    await expect(
      activity().queryDatabase(stepContext(customerId), { sql: 'SELECT COUNT(*) FROM generate_series(1, 10000000000)', params: [], maxRows: 1 }),
    ).rejects.toThrow(/statement timeout/);
  });
});
