import { bindQueryParameters, parameteriseSql } from './sql';

const categories = (query: string) => parameteriseSql(query).problems.map((problem) => problem.category);

describe('parameteriseSql: references become bound parameters', () => {
  it('turns the PRD query into $1 with the template as its parameter', () => {
    expect(parameteriseSql("SELECT * FROM feature_catalog WHERE feature_id = '{{feature_id}}'")).toEqual({
      sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1',
      params: ['{{feature_id}}'],
      problems: [],
    });
  });

  it('treats quoted and unquoted references alike and shares one $n per reference', () => {
    const result = parameteriseSql("SELECT * FROM t WHERE a = {{ feature_id }} OR b = '{{feature_id}}' OR c = {{customer.id}} LIMIT {{steps.x.n}}");
    expect(result.sql).toBe('SELECT * FROM t WHERE a = $1 OR b = $1 OR c = $2 LIMIT $3');
    expect(result.params).toEqual(['{{feature_id}}', '{{customer.id}}', '{{steps.x.n}}']);
  });

  it('makes a literal mixing text and references one parameter whose template is the text', () => {
    const result = parameteriseSql("SELECT * FROM t WHERE name ILIKE '%{{feature_name}}%' AND note = 'it''s {{customer.name}}'");
    expect(result.sql).toBe('SELECT * FROM t WHERE name ILIKE $1 AND note = $2');
    expect(result.params).toEqual(['%{{feature_name}}%', "it's {{customer.name}}"]);
  });

  it('handles dollar-quoted literals like quoted ones', () => {
    expect(parameteriseSql('SELECT * FROM t WHERE a = $q${{feature_id}}$q$')).toMatchObject({
      sql: 'SELECT * FROM t WHERE a = $1',
      params: ['{{feature_id}}'],
    });
  });

  it('keeps $n apart from neighbouring words', () => {
    expect(parameteriseSql("SELECT * FROM t WHERE a LIKE'{{x}}'AND b = 1").sql).toBe('SELECT * FROM t WHERE a LIKE $1 AND b = 1');
  });

  it('leaves literals without references, comments and identifiers untouched, and drops a trailing semicolon', () => {
    const query = `WITH r AS (SELECT 'a;b' AS "x;y" /* ; */ -- ;\n) SELECT * FROM r;  `;
    expect(parameteriseSql(query)).toEqual({ sql: query.replace(/;\s*$/, '').trim(), params: [], problems: [] });
  });

  it('never puts a value into the SQL text', () => {
    const config = parameteriseSql("SELECT * FROM feature_catalog WHERE feature_id = '{{feature_id}}'");
    const bound = bindQueryParameters(config, { feature_id: "x' OR '1'='1" });
    expect(bound).toEqual({ sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1', values: ["x' OR '1'='1"] });
  });
});

describe('bindQueryParameters', () => {
  it('resolves each template against the scope, missing as NULL, exact references keeping their type', () => {
    const bound = bindQueryParameters(
      { sql: 'SELECT $1, $2, $3, $4', params: ['{{a}}', '%{{b}}%', '{{missing}}', '{{list}}'] },
      { a: 5, b: 'x', list: ['p', 'q'] },
    );
    expect(bound.values).toEqual([5, '%x%', null, ['p', 'q']]);
  });
});

describe('parameteriseSql: only one read-only SELECT', () => {
  it.each([
    'SELECT 1',
    'select * from feature_catalog',
    '(SELECT 1) UNION (SELECT 2)',
    'WITH a AS (SELECT 1 AS x) SELECT x FROM a',
    'WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 3) SELECT n FROM a',
    'SELECT \'insert into t\' AS text, "update" FROM t -- delete\n',
    'SELECT updated_at, deleted, created_by FROM t',
    'SELECT substring(name FROM 1 FOR 3) FROM t',
    'SELECT 1;',
  ])('accepts %j', (query) => {
    expect(parameteriseSql(query).problems).toEqual([]);
  });

  it.each([
    ["INSERT INTO feature_catalog (feature_id) VALUES ('x')", 'sql-not-select', /starts with INSERT/],
    ["UPDATE feature_catalog SET tips = ''", 'sql-not-select', /starts with UPDATE/],
    ['DELETE FROM feature_catalog', 'sql-not-select', /starts with DELETE/],
    ['DROP TABLE feature_catalog', 'sql-not-select', /starts with DROP/],
    ['TRUNCATE feature_catalog', 'sql-not-select', /starts with TRUNCATE/],
    ['SET search_path = public', 'sql-not-select', /starts with SET/],
    ['EXPLAIN ANALYZE SELECT 1', 'sql-not-select', /starts with EXPLAIN/],
    ['SELECT * INTO copy_of FROM feature_catalog', 'sql-not-select', /INTO creates a table/],
    ['SELECT * FROM feature_catalog FOR UPDATE', 'sql-not-select', /FOR UPDATE locks/],
    ['SELECT * FROM feature_catalog FOR SHARE', 'sql-not-select', /FOR SHARE locks/],
    ['SELECT * FROM feature_catalog FOR NO KEY UPDATE', 'sql-not-select', /locks rows/],
    ['WITH gone AS (DELETE FROM feature_catalog RETURNING *) SELECT * FROM gone', 'sql-not-select', /DELETE inside WITH/],
    ['WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1', 'sql-not-select', /INSERT inside WITH/],
    ['', 'sql-not-select', /empty/],
    ['-- nothing', 'sql-not-select', /empty/],
    ['SELECT 1; DELETE FROM feature_catalog', 'sql-multiple-statements', /exactly one statement/],
    ['SELECT 1; SELECT 2', 'sql-multiple-statements', /exactly one statement/],
    ["SELECT 'unterminated", 'sql-syntax', /unterminated string/],
    ['SELECT "x', 'sql-syntax', /unterminated quoted identifier/],
    ['SELECT 1 /* open', 'sql-syntax', /unterminated/],
    ['SELECT $body$ open', 'sql-syntax', /unterminated dollar/],
    ['SELECT * FROM t WHERE a = $1', 'sql-positional-parameter', /\$n/],
    ['SELECT * FROM {{table}}', 'sql-template-placement', /cannot name a table/],
    ['SELECT * FROM t WHERE col_{{x}} = 1', 'sql-template-placement', /glued/],
    ['SELECT "{{x}}" FROM t', 'sql-template-placement', /quoted identifier/],
    ['SELECT 1 -- {{x}}', 'sql-template-placement', /comment/],
    ["SELECT E'{{x}}'", 'sql-template-placement', /E'...' string/],
  ])('refuses %j', (query, category, message) => {
    const { problems } = parameteriseSql(query);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].category).toBe(category);
    expect(problems[0].message).toMatch(message);
  });

  it('points at the offending token', () => {
    const query = 'SELECT * FROM t FOR UPDATE';
    expect(parameteriseSql(query).problems[0].offset).toBe(query.indexOf('FOR'));
    const two = 'SELECT 1;\n  DELETE FROM t';
    expect(parameteriseSql(two).problems.map((p) => [p.category, p.offset])).toContainEqual(['sql-multiple-statements', two.indexOf('DELETE')]);
  });

  it('reads E-strings with backslash escapes to their real end', () => {
    expect(categories("SELECT E'it\\'s' AS x FROM t")).toEqual([]);
  });
});
