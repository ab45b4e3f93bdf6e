import path from 'node:path';
import { buildProgram } from '../../../cli/main';
import { compileDefinition } from '../../../definitions/compile';

/**
 * Issue 19: `definitions validate` checks a `query_database` statement with Postgres's parser against the same
 * allow-lists as the activity, and names FILE:LINE:COLUMN of what it refuses. The query passed before.
 */
const FIXTURE = path.relative(process.cwd(), path.join(__dirname, '..', '..', 'fixtures', 'definitions', 'invalid', 'sql-escapes-role.yaml'));

function definitionWith(query: string): string {
  return [
    'workflow: t',
    'version: 1',
    'trigger: { type: risk_signal_created }',
    'steps:',
    '  - id: q',
    '    action: query_database',
    '    config:',
    '      query: |',
    ...query.split('\n').map((line) => `        ${line}`),
  ].join('\n');
}

async function validate(file: string): Promise<{ stderr: string; exitCode: number }> {
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    await buildProgram().exitOverride().parseAsync(['definitions', 'validate', file], { from: 'user' });
    return { stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previous;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('query_database at validate time', () => {
  it('refuses the issue\'s query at FILE:LINE:COLUMN of the resolved U&"..." name', async () => {
    expect(await validate(FIXTURE)).toEqual({
      exitCode: 1,
      stderr: `${FIXTURE}:13:16: function set_config() (written U&"\\0073et_config") is not allowed in query_database (aggregates, window, date/time, string, math and JSON basics are; definitions/README.md lists them)\n`,
    });
  });

  // [query, message, the text the diagnostic must point at]
  it.each<[string, RegExp, string]>([
    ['SELECT rolname, rolpassword FROM pg_authid', /pg_authid is not a relation definitions may read/, 'pg_authid'],
    ['SELECT *\n  FROM pg_catalog.pg_class', /pg_catalog\.pg_class is not a relation/, 'pg_catalog'],
    ['SELECT * FROM information_schema.tables', /information_schema\.tables is not a relation/, 'information_schema'],
    [`SELECT feature_id, set_config('role', 'none', true) FROM feature_catalog`, /function set_config\(\) is not allowed/, 'set_config'],
    [`SELECT current_setting('is_superuser')`, /function current_setting\(\) is not allowed/, 'current_setting'],
    [`SELECT query_to_xml('select 1', true, false, '')`, /function query_to_xml\(\) is not allowed/, 'query_to_xml'],
    [`SELECT pg_catalog.lower('A')`, /function pg_catalog\.lower\(\) is not allowed/, 'pg_catalog'],
    // After a reference: the offset is mapped back from `$1` to the YAML text.
    [`SELECT * FROM feature_catalog WHERE feature_id = '{{feature_id}}' AND pg_sleep(1) IS NULL`, /function pg_sleep\(\) is not allowed/, 'pg_sleep'],
    ['COPY feature_catalog TO STDOUT', /query_database runs one read-only SELECT/, 'COPY'],
  ])('refuses %j', (query, message, pointAt) => {
    // The query starts at line 9, column 9 of definitionWith's document.
    const before = query.slice(0, query.indexOf(pointAt)).split('\n');
    const line = 9 + before.length - 1;
    const column = 9 + before[before.length - 1].length;
    const { plan, diagnostics } = compileDefinition(definitionWith(query), 'inline.yaml');
    expect(plan).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line, column, message: expect.stringMatching(message) });
  });

  it('still compiles the documented kinds of query', () => {
    const query =
      "SELECT feature_id, training_resources FROM feature_catalog\nWHERE feature_id = '{{feature_id}}' AND lower(feature_name) LIKE '%{{feature_name}}%'";
    expect(compileDefinition(definitionWith(query), 'inline.yaml').diagnostics).toEqual([]);
  });
});
