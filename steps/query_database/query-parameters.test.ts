import path from 'node:path';
import { compileDefinition, loadDefinitionFile } from '../../definitions/compile';
import type { PlanStepOf } from '../kind';
import type { QueryDatabasePlanConfig } from './definition';

type QueryDatabaseStep = PlanStepOf<'query_database', QueryDatabasePlanConfig>;
import type { JsonValue } from '../../definitions/language/types';
import { bindQueryParameters } from './sql';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

/**
 * The PRD's `query_database` step quotes its reference (`'{{feature_id}}'`). The compiler must turn it into a bound
 * parameter, so a hostile value is compared as data and can never change the statement. Proved on real Postgres.
 */
const PRD_FIXTURE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'definitions', 'prd-4.4.yaml');

function queryStep(plan: { steps: Array<{ action: string }> } | undefined, id = 'get_resources'): QueryDatabaseStep {
  const step = plan?.steps.find((candidate) => (candidate as QueryDatabaseStep).id === id);
  if (!step || step.action !== 'query_database') throw new Error(`no query_database step ${id}`);
  return step as QueryDatabaseStep;
}

describe('query_database parameters on real Postgres', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
    await test.db.query(`INSERT INTO feature_catalog (feature_id, feature_name, training_resources) VALUES ($1, $2, $3), ($4, $5, $6)`, [
      'analytics_dashboard',
      'Advanced Analytics Dashboard',
      JSON.stringify([{ type: 'video', title: 'Overview', url: 'https://t.example/a' }]),
      'workflow_builder',
      'Workflow Builder',
      JSON.stringify([]),
    ]);
  });

  afterAll(async () => {
    await test?.dispose();
  });

  async function run(step: QueryDatabaseStep, scope: Record<string, JsonValue>) {
    const { sql, values } = bindQueryParameters(step.config, scope);
    return (await test.db.query<Record<string, unknown>>(sql, values)).rows;
  }

  it('compiles the PRD query to a $1 placeholder, with no value in the SQL text', () => {
    const { plan, diagnostics } = loadDefinitionFile(PRD_FIXTURE);
    expect(diagnostics).toEqual([]);
    expect(queryStep(plan).config).toEqual({
      sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1',
      params: ['{{feature_id}}'],
      maxRows: 100,
    });
  });

  it("finds nothing for feature_id = x' OR '1'='1", async () => {
    const step = queryStep(loadDefinitionFile(PRD_FIXTURE).plan);
    expect(await run(step, { feature_id: "x' OR '1'='1" })).toEqual([]);
  });

  it('finds exactly the row for an exact id', async () => {
    const step = queryStep(loadDefinitionFile(PRD_FIXTURE).plan);
    const rows = await run(step, { feature_id: 'analytics_dashboard' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ feature_id: 'analytics_dashboard', feature_name: 'Advanced Analytics Dashboard' });
  });

  it('binds a literal mixing text and a reference as one value, so quotes and wildcards in it stay data', async () => {
    const source = [
      'workflow: t',
      'version: 1',
      'trigger: { type: risk_signal_created }',
      'steps:',
      '  - id: search',
      '    action: query_database',
      '    config:',
      `      query: "SELECT feature_id FROM feature_catalog WHERE feature_name LIKE '%{{feature_name}}%' ORDER BY feature_id"`,
    ].join('\n');
    const { plan, diagnostics } = compileDefinition(source, 'inline.yaml');
    expect(diagnostics).toEqual([]);
    const step = queryStep(plan, 'search');
    expect(step.config.sql).not.toContain('{{');
    expect(await run(step, { feature_name: 'Builder' })).toEqual([{ feature_id: 'workflow_builder' }]);
    expect(await run(step, { feature_name: "' OR 1=1 --" })).toEqual([]);
    // The feature table is intact: the hostile value did nothing but fail to match.
    expect((await test.db.query('SELECT count(*)::int AS n FROM feature_catalog')).rows).toEqual([{ n: 2 }]);
  });
});
