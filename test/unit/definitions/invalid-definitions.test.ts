import { STEP_ACTIONS } from '../../../steps';
import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitionFile } from '../../../definitions/compile';
import { formatDiagnostic } from '../../../definitions/language/diagnostics';

/**
 * One broken definition per file, each with exactly one problem; each must be reported once, at the exact line and
 * column of the offending node, with a stable category. Lines and columns are 1-based, as editors count them.
 */
const DIR = path.join(__dirname, '..', '..', 'fixtures', 'definitions', 'invalid');

const EXPECTED: Array<[file: string, line: number, column: number, category: string, message: string]> = [
  [
    'agent-params.yaml',
    16,
    9,
    'agent-params',
    'researcher/analyze_adoption_gap has no param "featur_id" (known: customer_id, feature_id, feature_ids)',
  ],
  ['bad-condition.yaml', 14, 7, 'bad-condition', 'exactly one operator; this one has equals and exists'],
  ['bad-duration.yaml', 12, 17, 'bad-duration', 'cannot read duration "14 days"'],
  ['bad-retry.yaml', 12, 25, 'schema', 'steps[0].retry.maximum_attempts must be >= 1 (got 0)'],
  ['bad-step-id.yaml', 9, 9, 'schema', 'steps[0].id "AnalyzeStall" must be snake_case'],
  ['both-offsets.yaml', 14, 7, 'conflicting-keys', 'give due_date_offset_hours or due_date_offset_days, not both'],
  ['duplicate-key.yaml', 5, 1, 'yaml-syntax', 'Map keys must be unique'],
  ['duplicate-output.yaml', 18, 13, 'duplicate-output', 'output name "analysis" is already bound by the step at line 9'],
  ['duplicate-step-id.yaml', 15, 9, 'duplicate-id', 'duplicate step id "create_task" (first used by the step at line 9)'],
  ['empty-steps.yaml', 5, 8, 'schema', 'steps must not be empty'],
  ['forward-output.yaml', 14, 16, 'forward-reference', '"enablement_task" is the output of a later step (line 16)'],
  ['forward-reference.yaml', 14, 16, 'forward-reference', 'step "create_task" runs later (line 16)'],
  ['goto-backwards.yaml', 23, 15, 'bad-goto', 'must jump forward; "draft_enablement_email" is an earlier step'],
  ['goto-unknown.yaml', 14, 27, 'bad-goto', 'no step "send_enablement_emial" (later steps: send_enablement_email)'],
  ['malformed-reference.yaml', 12, 22, 'bad-reference', 'malformed reference {{ customer..name }}'],
  ['missing-config.yaml', 9, 5, 'missing-key', 'steps[0] is missing required key "config"'],
  ['missing-steps.yaml', 1, 1, 'missing-key', 'missing required key "steps"'],
  ['negative-duration.yaml', 13, 16, 'bad-duration', 'duration "-72h" is negative'],
  ['nul-description.yaml', 3, 14, 'encoding', 'contains a NUL character'],
  ['nul-task-title.yaml', 12, 14, 'encoding', 'contains a NUL character'],
  ['output-clash.yaml', 11, 13, 'output-clash', 'output name "customer" is a built-in scope name'],
  ['reference-in-operand.yaml', 13, 16, 'template-not-allowed', 'references are not resolved in a condition operand'],
  ['self-reference.yaml', 12, 20, 'forward-reference', 'a step cannot use its own result'],
  ['skipped-step-reference.yaml', 21, 15, 'maybe-skipped-reference', 'step "draft" may not run (it has a `when`); give the reference a default'],
  ['jumped-step-reference.yaml', 27, 26, 'maybe-skipped-reference', 'step "analyze" may not run (step "approval" jumps over it on timeout)'],
  ['sql-for-update.yaml', 16, 9, 'sql-not-select', 'FOR UPDATE locks rows'],
  ['sql-insert.yaml', 12, 15, 'sql-not-select', 'this statement starts with INSERT'],
  ['sql-modifying-cte.yaml', 13, 23, 'sql-not-select', 'DELETE inside WITH modifies data'],
  ['sql-select-into.yaml', 12, 23, 'sql-not-select', 'SELECT ... INTO creates a table'],
  ['sql-two-statements.yaml', 12, 82, 'sql-multiple-statements', 'exactly one statement'],
  ['sql-escapes-role.yaml', 13, 16, 'sql-not-allowed', 'function set_config() (written U&"\\0073et_config") is not allowed'],
  ['template-not-allowed.yaml', 14, 35, 'template-not-allowed', '{{csm.name}}: references are not resolved in config.waiting_for'],
  ['typo-field.yaml', 12, 22, 'unknown-reference', 'customer has no field "nme"; did you mean "name"?'],
  ['typo-reference.yaml', 15, 23, 'unknown-reference', '"custmer" is not in scope; did you mean "customer"?'],
  ['unknown-action.yaml', 10, 13, 'unknown-action', 'unknown action "send_slack" in steps[0]; known actions: ' + STEP_ACTIONS.join(', ')],
  ['unknown-filter-key.yaml', 7, 5, 'unknown-key', 'unknown key "segment" in trigger.filter (allowed: signal_type, priority)'],
  ['unknown-key.yaml', 14, 7, 'unknown-key', 'unknown key "assignee" in steps[0].config (allowed: title, description, due_date_offset_hours'],
  ['unknown-slack-template.yaml', 12, 25, 'schema', 'must be one of: adoption_stalled_alert, adoption_outcome (got "adoption_stalled")'],
  ['wrong-trigger.yaml', 4, 9, 'schema', 'trigger.type must be "risk_signal_created" (got "risk_signal_updated")'],
  ['wrong-type-priority.yaml', 14, 17, 'schema', 'steps[0].config.priority must be one of: low, medium, high, urgent (got 5)'],
  ['yaml-syntax.yaml', 7, 1, 'yaml-syntax', 'Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ['zero-offset.yaml', 13, 30, 'bad-duration', 'due_date_offset_hours must be a positive number of hours, not 0'],
];

describe('invalid definitions', () => {
  it('has a row for every fixture in the folder (and a fixture for every row)', () => {
    const files = fs
      .readdirSync(DIR)
      .filter((name) => name.endsWith('.yaml'))
      .sort();
    expect(EXPECTED.map(([file]) => file).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(EXPECTED)('%s -> %d:%d %s', (file, line, column, category, message) => {
    const filePath = path.join(DIR, file);
    const { plan, diagnostics } = loadDefinitionFile(filePath);
    expect(plan).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toHaveLength(1);
    const [diagnostic] = diagnostics;
    expect({ line: diagnostic.line, column: diagnostic.column, category: diagnostic.category }).toEqual({ line, column, category });
    expect(diagnostic.message).toContain(message);
    expect(diagnostic.file).toBe(filePath);
    expect(formatDiagnostic(diagnostic)).toBe(`${filePath}:${line}:${column}: ${diagnostic.message}`);
  });
});
