import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDefinition, loadDefinitionFile, loadShippedDefinitions, loadShippedPlans, shippedDefinitionsDir } from '../../../definitions/compile';
import { planDigest } from '../../../definitions/digest';
import { packageRoot } from '../../../package-root';
import type { Plan } from '../../../definitions/plan';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'definitions');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** A one-step definition around `steps` (YAML lines, indented as list items under `steps:`). */
function definition(...steps: string[]): string {
  return ['workflow: t', 'version: 1', 'trigger:', '  type: risk_signal_created', 'steps:', ...steps].join('\n') + '\n';
}
const compile = (source: string) => compileDefinition(source, 'inline.yaml');
const messages = (source: string) => compile(source).diagnostics.map((d) => `${d.line}:${d.column} ${d.category} ${d.message}`);

describe('the PRD section 4.4 definition, byte for byte', () => {
  const { plan, diagnostics } = compileDefinition(read('prd-4.4.yaml'), 'prd-4.4.yaml');

  it('compiles with zero diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(plan).toBeDefined();
  });

  it('keeps `version: 1.0` as the string "1.0" although YAML reads the number 1', () => {
    expect(read('prd-4.4.yaml')).toContain('version: 1.0\n');
    expect(plan!.version).toBe('1.0');
  });

  it('normalises every step into the plan shapes', () => {
    expect(plan).toEqual({
      name: 'feature_adoption_enablement',
      version: '1.0',
      trigger: { type: 'risk_signal_created', filter: { signal_type: 'adoption_stalled' } },
      steps: [
        {
          id: 'analyze_stall',
          action: 'delegate_to_agent',
          sourceLine: 9,
          config: {
            agent: 'researcher',
            action: 'analyze_adoption_gap',
            params: { customer_id: '{{customer.id}}', feature_id: '{{feature_id}}' },
          },
        },
        {
          id: 'get_resources',
          action: 'query_database',
          sourceLine: 18,
          config: { sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1', params: ['{{feature_id}}'], maxRows: 100 },
        },
        {
          id: 'notify_csm',
          action: 'slack_dm',
          sourceLine: 23,
          config: { message_template: 'adoption_stalled_alert', include_resources: true, params: {} },
        },
        {
          id: 'draft_enablement_email',
          action: 'delegate_to_agent',
          sourceLine: 29,
          config: {
            agent: 'communicator',
            action: 'draft_email',
            params: { template: 'feature_enablement', feature_name: '{{feature_name}}', resources: '{{resources}}', requires_approval: true },
          },
        },
        {
          id: 'create_task',
          action: 'create_task',
          sourceLine: 40,
          config: { title: 'Enable {{customer.name}} on {{feature_name}}', dueInSeconds: 72 * 3600, priority: 'medium' },
        },
        {
          id: 'schedule_followup',
          action: 'create_task',
          sourceLine: 47,
          config: { title: 'Check {{feature_name}} adoption for {{customer.name}}', dueInSeconds: 14 * 86400, priority: 'low' },
        },
      ],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      source: 'prd-4.4.yaml',
    });
  });
});

describe('every extension, normalised', () => {
  const { plan, diagnostics } = compileDefinition(read('full.yaml'), 'full.yaml');
  const step = (id: string) => plan!.steps.find((candidate) => candidate.id === id)!;

  it('compiles without diagnostics and keeps description and trigger filter lists', () => {
    expect(diagnostics).toEqual([]);
    expect(plan).toMatchObject({
      name: 'full-example',
      version: '2.3',
      description: 'All step kinds, conditions, outputs, retries and timeouts',
      trigger: { type: 'risk_signal_created', filter: { signal_type: ['adoption_stalled', 'adoption_regressed'], priority: 1 } },
    });
    expect(plan!.steps.map((s) => [s.id, s.sourceLine])).toEqual([
      ['analyze_stall', 12],
      ['get_resources', 29],
      ['notify_csm', 39],
      ['draft_enablement_email', 64],
      ['create_task', 75],
      ['await_approval', 82],
      ['send_enablement_email', 91],
      ['wait_for_adoption', 98],
      ['measure_impact', 104],
      ['report_outcome', 107],
      ['escalate', 115],
    ]);
  });

  it('turns retry and timeout durations into seconds and keeps output', () => {
    expect(step('analyze_stall')).toMatchObject({
      output: 'analysis',
      retry: { maximumAttempts: 5, initialIntervalSeconds: 2, backoffCoefficient: 2, maximumIntervalSeconds: 60 },
      timeoutSeconds: 30,
      config: {
        params: { customer_id: '{{customer.id}}', feature_ids: ['{{feature_id}}', '{{feature.featureId}}'], feature_id: '{{features.0.featureId}}' },
      },
    });
  });

  it('parameterises a block-scalar query, quoted and unquoted references alike, and honours max_rows', () => {
    expect(step('get_resources').config).toEqual({
      sql: 'SELECT feature_id, training_resources\nFROM feature_catalog\nWHERE feature_id = $1 OR feature_name ILIKE $2\nLIMIT $3',
      params: ['{{feature_id}}', '%{{ feature_name }}%', '{{overall_adoption}}'],
      maxRows: 10,
    });
  });

  it('normalises nested when conditions', () => {
    expect(step('notify_csm').when).toEqual({
      op: 'all',
      conditions: [
        { op: 'in', value: '{{signal.priority}}', operands: [1, 2] },
        { op: 'not', condition: { op: 'equals', value: '{{analysis.summary}}', operand: '' } },
        {
          op: 'any',
          conditions: [
            { op: 'exists', value: '{{customer.csm.slackUserId}}', expected: true },
            { op: 'truthy', value: '{{steps.get_resources.rowCount}}', expected: true },
            { op: 'not_in', value: '{{customer.segment}}', operands: ['smb'] },
            { op: 'not_equals', value: '{{signal.type}}', operand: 'adoption_regressed' },
          ],
        },
      ],
    });
    expect(step('report_outcome').when).toEqual({ op: 'not_equals', value: '{{steps.measure_impact.outcome}}', operand: 'recovered' });
  });

  it('fills defaults: slack include_resources false and params {}, task priority medium, record_impact true', () => {
    expect(step('notify_csm').config).toEqual({
      message_template: 'adoption_stalled_alert',
      include_resources: false,
      to: '{{csm.slackUserId}}',
      params: { headline: '{{customer.name}}: {{feature_name}} stalled ({{overall_adoption}}%)', first_resource: '{{resources.0.url}}' },
    });
    expect(step('report_outcome').config).toEqual({ message_template: 'adoption_outcome', include_resources: false, params: {} });
    expect(step('create_task').config).toEqual({
      title: 'Enable {{customer.name}} on {{feature_name}}',
      description: '{{analysis.summary}}',
      dueInSeconds: 5400,
      priority: 'medium',
    });
    expect(step('measure_impact').config).toEqual({ record_impact: true });
  });

  it('normalises waits: ISO and combined durations, goto / fail branches, until_signal', () => {
    expect(step('await_approval').config).toEqual({
      signal: 'emailDecision',
      timeoutSeconds: 3 * 86400,
      on_timeout: { action: 'goto', step: 'wait_for_adoption' },
      waiting_for: 'CSM approval',
    });
    expect(step('wait_for_adoption').config).toEqual({ seconds: 8 * 86400 + 12 * 3600, until_signal: 'recovered' });
    expect(step('escalate').config).toEqual({ signal: 'recovered', timeoutSeconds: 12 * 3600, on_timeout: { action: 'fail' } });
  });

  it('keeps send_email references as templates', () => {
    expect(step('send_enablement_email').config).toEqual({
      draft: '{{steps.draft_enablement_email.draftId}}',
      decision: '{{steps.await_approval.payload}}',
      to: '{{champion.email}}',
    });
  });

  it('produces plain JSON (it travels in Temporal history)', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('defaults of the smaller kinds', () => {
  it('on_timeout defaults to continue; wait without until_signal has none', () => {
    const { plan } = compile(
      definition(
        '  - id: a',
        '    action: wait_for_signal',
        '    config: { signal: recovered, timeout: 45s }',
        '  - id: b',
        '    action: wait',
        '    config: { duration: 30m }',
      ),
    );
    expect(plan!.steps.map((s) => s.config)).toEqual([
      { signal: 'recovered', timeoutSeconds: 45, on_timeout: { action: 'continue' } },
      { seconds: 1800 },
    ]);
  });

  it('accepts any agent and action, with params unchecked, for HTTP agents', () => {
    const { plan, diagnostics } = compile(
      definition(
        '  - id: a',
        '    action: delegate_to_agent',
        '    config: { agent: scheduler, action: book_call, params: { anything: [1, "{{customer.id}}"] } }',
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(plan!.steps[0].config).toEqual({ agent: 'scheduler', action: 'book_call', params: { anything: [1, '{{customer.id}}'] } });
  });

  it("defaults params to {} and checks the types of built-in agents' params", () => {
    const bare = compile(definition('  - id: a', '    action: delegate_to_agent', '    config: { agent: communicator, action: draft_email }'));
    expect(bare.diagnostics).toEqual([]);
    expect(bare.plan!.steps[0].config).toEqual({ agent: 'communicator', action: 'draft_email', params: {} });
    expect(
      messages(
        definition(
          '  - id: a',
          '    action: delegate_to_agent',
          '    config:',
          '      agent: communicator',
          '      action: draft_email',
          '      params: { template: weekly_digest, requires_approval: "yes" }',
        ),
      ),
    ).toEqual([
      '11:27 agent-params param "template" of communicator/draft_email must be one of: feature_enablement',
      '11:61 agent-params param "requires_approval" of communicator/draft_email must be a boolean',
    ]);
  });
});

describe('versions', () => {
  it.each([
    ['1.0', '1.0'],
    ['1.10', '1.10'],
    ['2', '2'],
    ['"1.0"', '1.0'],
    ["'3.1-beta'", '3.1-beta'],
    ['1.0 # the PRD', '1.0'],
  ])('version: %s -> %j', (written, expected) => {
    const { plan } = compile(definition('  - id: a', '    action: measure_adoption').replace('version: 1', `version: ${written}`));
    expect(plan!.version).toBe(expected);
  });
});

describe('references', () => {
  const task = (title: string) =>
    definition('  - id: a', '    action: create_task', '    config:', `      title: "${title}"`, '      due_date_offset_days: 1');

  it.each([
    '{{customer.csm.slackUserId}}',
    '{{champion.email}}',
    '{{csm.name}}',
    '{{signal.detectedAt}}',
    '{{feature.keyBenefit}}',
    '{{feature.resources.3.anything.below}}',
    '{{features.0.featureName}}',
    '{{resources.0.url}}',
    '{{key_benefit}}',
    '{{overall_adoption}}',
    '{{workflow.version}}',
    '{{steps}}',
  ])('knows %s', (reference) => {
    expect(compile(task(`x ${reference}`)).diagnostics).toEqual([]);
  });

  it.each([
    ['{{customer.name.first}}', 'customer.name is a single value; it has no field "first"'],
    ['{{customer.csm.slack}}', 'customer.csm has no field "slack"'],
    ['{{signal.kind}}', 'signal has no field "kind"'],
    ['{{workflow.digest}}', 'workflow has no field "digest"'],
    ['{{feature_id.x}}', 'feature_id is a single value'],
    ['{{steps.nowhere.x}}', 'there is no step "nowhere"'],
    ['{{champion_name}}', '"champion_name" is not in scope'],
  ])('rejects %s', (reference, message) => {
    const { diagnostics } = compile(task(`x ${reference}`));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ category: 'unknown-reference', line: 9, column: 17 });
    expect(diagnostics[0].message).toContain(message);
  });

  it('leaves results of earlier steps and their output names free-form', () => {
    const source = definition(
      '  - id: analyze',
      '    action: delegate_to_agent',
      '    output: gap',
      '    config: { agent: researcher, action: analyze_adoption_gap }',
      '  - id: b',
      '    action: create_task',
      '    config:',
      '      title: "{{steps.analyze.likelyCauses.0.cause}} {{gap.summary.deep.er}}"',
      '      due_date_offset_days: 1',
    );
    expect(compile(source).diagnostics).toEqual([]);
  });

  it('points into quoted strings with escapes and into block scalars', () => {
    const source = definition(
      '  - id: a',
      '    action: create_task',
      '    config:',
      '      title: "say \\"hi\\" to {{custmer.name}}"',
      '      description: |',
      '        first line',
      '        second {{customer.nme}}',
      '      due_date_offset_days: 1',
    );
    expect(messages(source).map((m) => m.split(' ').slice(0, 2).join(' '))).toEqual(['9:29 unknown-reference', '12:16 unknown-reference']);
  });

  it('reports every problem of a file, sorted by position, and no plan', () => {
    const source = definition(
      '  - id: a',
      '    action: create_task',
      '    config: { title: "{{x}}", due_date_offset_days: 1, priority: top }',
      '  - id: b',
      '    action: wait',
      '    config: { duration: soon }',
      '  - id: b',
      '    action: slack_dm',
      '    config: { message_template: adoption_outcome, params: { x: "{{steps.c.y}}" } }',
    );
    const result = compile(source);
    expect(result.plan).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.category}`)).toEqual([
      '8:66 schema',
      '11:25 bad-duration',
      '12:9 duplicate-id',
      '14:65 unknown-reference',
    ]);
  });
});

describe('YAML problems', () => {
  it('reports a second document', () => {
    expect(messages(definition('  - id: a', '    action: measure_adoption') + '---\nworkflow: again\n')[0]).toMatch(/^\d+:\d+ yaml-syntax YAML: /);
  });

  it('reports an empty file as a missing map, at 1:1', () => {
    expect(messages('')).toEqual(['1:1 schema the definition must be a map (got nothing)']);
  });

  it('refuses alias expansion bombs', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(messages(bomb)[0]).toMatch(/yaml-syntax/);
  });
});

describe('digest', () => {
  const prd = read('prd-4.4.yaml');

  it('is the sha256 of the plan without digest and source', () => {
    const { plan } = compileDefinition(prd, 'a.yaml');
    const { digest, source, ...rest } = plan!;
    expect(source).toBe('a.yaml');
    expect(digest).toBe(planDigest(rest));
  });

  it('ignores the file name, key order, comments and formatting', () => {
    const reordered = prd
      .replace('workflow: feature_adoption_enablement\nversion: 1.0\n', 'version: 1.0 # same\nworkflow: "feature_adoption_enablement"\n')
      .replace('      agent: researcher\n      action: analyze_adoption_gap\n', '      action: analyze_adoption_gap\n      agent: researcher\n');
    expect(reordered).not.toBe(prd);
    expect(compileDefinition(reordered, 'elsewhere/b.yaml').plan!.digest).toBe(compileDefinition(prd, 'a.yaml').plan!.digest);
  });

  it('changes when behaviour changes', () => {
    const changed = prd.replace('due_date_offset_hours: 72', 'due_date_offset_hours: 48');
    expect(compileDefinition(changed, 'a.yaml').plan!.digest).not.toBe(compileDefinition(prd, 'a.yaml').plan!.digest);
  });
});

describe('files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'definitions-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the package root from the sources, and the shipped folder in it', () => {
    expect(fs.existsSync(path.join(packageRoot(), 'package.json'))).toBe(true);
    expect(shippedDefinitionsDir()).toBe(path.join(packageRoot(), 'definitions'));
    expect(packageRoot(path.join(packageRoot(), 'dist', 'definitions'))).toBe(packageRoot());
  });

  it('loads every *.yaml of a folder in name order; an empty folder gives none', () => {
    expect(loadShippedDefinitions(dir)).toEqual([]);
    fs.writeFileSync(path.join(dir, 'b.yaml'), read('prd-4.4.yaml'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), read('invalid/unknown-action.yaml'));
    fs.writeFileSync(path.join(dir, 'notes.md'), 'not a definition');
    const loaded = loadShippedDefinitions(dir);
    expect(loaded.map((d) => [path.basename(d.file), d.diagnostics.length, d.plan?.name])).toEqual([
      ['a.yaml', 1, undefined],
      ['b.yaml', 0, 'feature_adoption_enablement'],
    ]);
    expect(() => loadShippedPlans(dir)).toThrow(/a\.yaml:10:13: unknown action "send_slack"/);
    fs.rmSync(path.join(dir, 'a.yaml'));
    expect(loadShippedPlans(dir).map((plan: Plan) => plan.source)).toEqual([path.join(dir, 'b.yaml')]);
  });

  it('reports an unreadable file as an io diagnostic', () => {
    expect(loadDefinitionFile(path.join(dir, 'missing.yaml')).diagnostics).toEqual([
      { file: path.join(dir, 'missing.yaml'), line: 1, column: 1, category: 'io', message: 'cannot read: no such file' },
    ]);
  });

  it('records the source relative to the working directory', () => {
    expect(loadDefinitionFile(path.join(FIXTURES, 'prd-4.4.yaml')).plan!.source).toBe('test/fixtures/definitions/prd-4.4.yaml');
  });

  it('compiles every shipped definition without diagnostics', () => {
    for (const loaded of loadShippedDefinitions()) expect(loaded.diagnostics).toEqual([]);
  });
});
