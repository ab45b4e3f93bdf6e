/**
 * The stable categories of definition problems (tests and tools match on them; messages may be reworded), and the
 * path type a check uses to say where in the YAML a problem is. Here rather than in definitions/ because step kinds
 * report with them and the compiler imports the step kinds.
 */
export type DiagnosticCategory =
  | 'io'
  | 'limit'
  | 'encoding'
  | 'yaml-syntax'
  | 'missing-key'
  | 'unknown-key'
  | 'schema'
  | 'unknown-action'
  | 'duplicate-id'
  | 'duplicate-output'
  | 'output-clash'
  | 'bad-reference'
  | 'unknown-reference'
  | 'forward-reference'
  | 'maybe-skipped-reference'
  | 'template-not-allowed'
  | 'bad-duration'
  | 'conflicting-keys'
  | 'bad-goto'
  | 'bad-condition'
  | 'agent-params'
  | 'sql-not-select'
  | 'sql-not-allowed'
  | 'sql-multiple-statements'
  | 'sql-syntax'
  | 'sql-template-placement'
  | 'sql-positional-parameter';

/** A path into the YAML document, e.g. `['steps', 2, 'config', 'priority']`. */
export type DocPath = ReadonlyArray<string | number>;
