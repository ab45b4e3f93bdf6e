import { withArticle } from './language/wording';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';
import type { ErrorObject } from 'ajv';
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { checkCondition, conditionStrings, normaliseCondition, stringsIn, type RawCondition } from './condition';
import { compareDiagnostics, formatDiagnostic, formatPath, type Diagnostic } from './language/diagnostics';
import type { DiagnosticCategory } from './language/diagnostic-category';
import { planDigest } from './digest';
import { parseDuration } from './language/duration';
import type { Plan } from './plan';
import type { JsonValue, RetrySpec } from './language/types';
import { ROOT_SCOPE, ROOT_SCOPE_NAMES, type ScopeShape } from '../adoption/model/scope-shape';
import { OUTPUT_NAME_PATTERN, STEP_ID_PATTERN, validateAgainstSchema } from './schema';
import { SourceMap } from './language/yaml-source-map';
import type { DocPath } from './language/diagnostic-category';
import { decodeDefinition, DEFINITION_LIMITS, inspectDocument } from './limits';
import { STEP_ACTIONS, stepKindOf } from '../steps';
import { type PlanStep, type StepAction } from '../steps';
import type { StepCheckContext } from '../steps/kind';
import { scanTemplate } from './language/template';

/**
 * YAML definition -> validated, typed Plan. Problems come back as diagnostics, each at the line and column of the
 * node it is about; a plan comes back only when there are none.
 *
 * Order of work: YAML syntax (nothing else is trustworthy without it), then the JSON Schema, then semantic checks
 * (ids, references, SQL, durations, jumps). Semantic checks of a step run only when that step passed the schema, so a
 * file with several problems reports each once instead of a cascade.
 */
export interface CompileResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

export interface CompileOptions {
  /** `plan.source`; defaults to the file name used in diagnostics. */
  source?: string;
}

interface RawRetry {
  maximum_attempts?: number;
  initial_interval?: string | number;
  backoff_coefficient?: number;
  maximum_interval?: string | number;
}

interface RawStep {
  id: string;
  action: StepAction;
  config?: unknown;
  when?: RawCondition;
  output?: string;
  retry?: RawRetry;
  timeout?: string | number;
}

interface RawDefinition {
  workflow: string;
  version: string | number;
  description?: string;
  trigger: { type: 'risk_signal_created'; filter?: Record<string, JsonValue> };
  steps: RawStep[];
}

type ReportOptions = { key?: boolean; valueOffset?: number };

class Compilation {
  readonly diagnostics: Diagnostic[] = [];
  /** Diagnostics past DEFINITION_LIMITS.maxDiagnostics: counted, not listed. */
  left = 0;

  constructor(
    readonly file: string,
    readonly map: SourceMap,
  ) {}

  report(path: DocPath, category: DiagnosticCategory, message: string, options: ReportOptions = {}): void {
    if (this.full()) return;
    const { line, column } = this.map.position(path, options);
    this.diagnostics.push({ file: this.file, line, column, category, message, path: formatPath(path) || undefined });
  }

  reportAt(offset: number, category: DiagnosticCategory, message: string): void {
    if (this.full()) return;
    const { line, column } = this.map.at(offset);
    this.diagnostics.push({ file: this.file, line, column, category, message });
  }

  /** True (and counts the problem) once maxDiagnostics are listed: a hostile file cannot make the list unbounded. */
  private full(): boolean {
    if (this.diagnostics.length < DEFINITION_LIMITS.maxDiagnostics) return false;
    this.left += 1;
    return true;
  }

  /** The diagnostics, sorted, plus one saying how many were left out. */
  sorted(): Diagnostic[] {
    const sorted = this.diagnostics.sort(compareDiagnostics);
    if (this.left === 0) return sorted;
    const last = sorted[sorted.length - 1];
    return [
      ...sorted,
      {
        file: this.file,
        line: last.line,
        column: last.column,
        category: 'limit',
        message: `${this.left} more problem${this.left === 1 ? '' : 's'} not listed (at most ${DEFINITION_LIMITS.maxDiagnostics} are)`,
      },
    ];
  }
}

/** One diagnostic at 1:1 for a whole-file problem found before parsing. */
function fileProblem(file: string, category: DiagnosticCategory, message: string, line = 1, column = 1): CompileResult {
  return { diagnostics: [{ file, line, column, category, message }] };
}

export function compileDefinition(sourceText: string, fileName: string, options: CompileOptions = {}): CompileResult {
  // Size first, before any parsing: a 50 MB file is refused in no time instead of parsed into gigabytes.
  if (sourceText.length > DEFINITION_LIMITS.maxBytes || Buffer.byteLength(sourceText, 'utf8') > DEFINITION_LIMITS.maxBytes) {
    return fileProblem(fileName, 'limit', `the definition is larger than ${DEFINITION_LIMITS.maxBytes / 1024} KiB`);
  }
  const lines = new LineCounter();
  // Duplicate keys are found by inspectDocument in one pass (the yaml library's own check is quadratic).
  const doc = parseDocument(sourceText, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const compilation = new Compilation(fileName, new SourceMap(doc, lines, sourceText));
  const done = (): CompileResult => ({ diagnostics: compilation.sorted() });

  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    for (const problem of yamlProblems) compilation.reportAt(problem.pos[0], 'yaml-syntax', `YAML: ${problem.message.split('\n')[0]}`);
    return done();
  }
  const structure = inspectDocument(doc);
  if (structure.overLimit) {
    compilation.reportAt(structure.overLimit.offset, 'limit', structure.overLimit.message);
    return done();
  }
  if (structure.duplicateKeys.length > 0) {
    for (const offset of structure.duplicateKeys) compilation.reportAt(offset, 'yaml-syntax', 'YAML: Map keys must be unique');
    return done();
  }
  let value: unknown;
  try {
    // A small alias budget: a definition has no business expanding into a "billion laughs".
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    compilation.report([], 'yaml-syntax', `YAML: ${(error as Error).message}`);
    return done();
  }

  const invalidSteps = reportSchemaErrors(compilation, validateAgainstSchema(value));
  const raw = value as RawDefinition;
  if (value === null || typeof value !== 'object' || !Array.isArray(raw.steps)) return done();
  checkSteps(compilation, raw.steps, invalidSteps);
  if (compilation.diagnostics.length > 0) return done();

  const plan = buildPlan(raw, compilation.map, sourceText, options.source ?? fileName);
  return { plan, diagnostics: [] };
}

// ---------------------------------------------------------------------------------------------------------------
// Schema errors -> diagnostics at the YAML node

/** Reports ajv's errors; returns the indices of steps that have any, so their semantic checks are skipped. */
function reportSchemaErrors(compilation: Compilation, errors: ErrorObject[]): Set<number> {
  const invalidSteps = new Set<number>();
  // anyOf alternatives each fail on their own; one message about the whole (from its description) reads better.
  const anyOfPaths = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.schemaPath}/`);
  const seen = new Set<string>();
  for (const error of errors) {
    if (anyOfPaths.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    // `tag` errors repeat a missing or non-string `action` that `required` / `type` already reported.
    if (error.keyword === 'discriminator' && (error.params as { error: string }).error !== 'mapping') continue;
    const instancePath = parsePointer(error.instancePath);
    if (instancePath[0] === 'steps' && typeof instancePath[1] === 'number') invalidSteps.add(instancePath[1]);
    const diagnostic = describeSchemaError(error, instancePath);
    const key = `${formatPath(diagnostic.path)}|${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    compilation.report(diagnostic.path, diagnostic.category, diagnostic.message, { key: diagnostic.atKey });
  }
  return invalidSteps;
}

function parsePointer(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function describeSchemaError(
  error: ErrorObject,
  at: Array<string | number>,
): { path: DocPath; category: DiagnosticCategory; message: string; atKey?: boolean } {
  const where = formatPath(at) || 'the definition';
  const parentSchema = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; description?: string };
  const got = ` (got ${describeValue(error.data)})`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      // The path names the missing key; the position falls back to the map it is missing from.
      return { path: [...at, missing], category: 'missing-key', message: `${where} is missing required key "${missing}"` };
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys(parentSchema.properties ?? {});
      return {
        path: [...at, extra],
        category: 'unknown-key',
        message: `unknown key "${extra}" in ${where}${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        atKey: true,
      };
    }
    case 'discriminator':
      return {
        path: [...at, 'action'],
        category: 'unknown-action',
        message: `unknown action "${String(params.tagValue)}" in ${where}; known actions: ${STEP_ACTIONS.join(', ')}`,
      };
    case 'type': {
      const types = String(params.type).split(',');
      return { path: at, category: 'schema', message: `${where} must be ${types.map(yamlTypeName).join(' or ')}${got}` };
    }
    case 'enum':
      return {
        path: at,
        category: 'schema',
        message: `${where} must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}${got}`,
      };
    case 'const':
      return { path: at, category: 'schema', message: `${where} must be ${JSON.stringify(params.allowedValue)}${got}` };
    case 'pattern':
      return {
        path: at,
        category: 'schema',
        message: `${where} ${JSON.stringify(error.data)} must be ${parentSchema.description ?? `like ${String(params.pattern)}`}`,
      };
    case 'anyOf':
      return { path: at, category: 'schema', message: `${where} must be ${parentSchema.description ?? 'one of the allowed forms'}${got}` };
    case 'minItems':
      return {
        path: at,
        category: 'schema',
        message: params.limit === 1 ? `${where} must not be empty` : `${where} must have at least ${String(params.limit)} items`,
      };
    case 'minLength':
    case 'minProperties':
      return { path: at, category: 'schema', message: `${where} must not be empty` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: at, category: 'schema', message: `${where} must be ${String(params.comparison)} ${String(params.limit)}${got}` };
    default:
      return { path: at, category: 'schema', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** JSON Schema's type names in YAML's words: a map, a list. */
function yamlTypeName(type: string): string {
  return withArticle(type === 'object' ? 'map' : type === 'array' ? 'list' : type);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Semantic checks

function checkSteps(compilation: Compilation, steps: RawStep[], invalidSteps: Set<number>): void {
  const ids = steps.map((step) => (isRecord(step) && typeof step.id === 'string' ? step.id : ''));
  const firstIndex = new Map<string, number>();
  ids.forEach((id, index) => {
    if (id === '' || !new RegExp(STEP_ID_PATTERN).test(id)) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else {
      const line = compilation.map.position(['steps', first]).line;
      compilation.report(['steps', index, 'id'], 'duplicate-id', `duplicate step id "${id}" (first used by the step at line ${line})`);
    }
  });

  const outputs = new Map<string, number>();
  steps.forEach((step, index) => {
    if (!isRecord(step) || typeof step.output !== 'string' || !new RegExp(OUTPUT_NAME_PATTERN).test(step.output)) return;
    if (ROOT_SCOPE_NAMES.includes(step.output)) {
      compilation.report(
        ['steps', index, 'output'],
        'output-clash',
        `output name "${step.output}" is a built-in scope name; choose another (built-in: ${ROOT_SCOPE_NAMES.join(', ')})`,
      );
    } else if (outputs.has(step.output)) {
      const line = compilation.map.position(['steps', outputs.get(step.output)!]).line;
      compilation.report(['steps', index, 'output'], 'duplicate-output', `output name "${step.output}" is already bound by the step at line ${line}`);
    } else outputs.set(step.output, index);
  });

  const scope: ReferenceScope = { firstIndex, outputs, ids, map: compilation.map, mayNotRun: stepsThatMayNotRun(steps, firstIndex) };
  steps.forEach((step, index) => {
    if (invalidSteps.has(index) || !isRecord(step)) return;
    checkStep(compilation, step, index, scope);
  });
}

function checkStep(compilation: Compilation, step: RawStep, index: number, scope: ReferenceScope): void {
  const kind = stepKindOf(step.action);
  const base: DocPath = ['steps', index];
  const config = (step.config ?? {}) as never;
  const context: StepCheckContext = {
    index,
    stepId: step.id,
    stepIds: scope.ids,
    indexOf: (id) => scope.firstIndex.get(id),
    report: (path, category, message, options) => compilation.report([...base, 'config', ...path], category, message, options),
  };
  kind.check?.(config, context);

  for (const site of stringsIn(config as JsonValue, [])) {
    const templated = typeof site.path[0] === 'string' && kind.templated.includes(site.path[0]);
    checkTemplates(compilation, [...base, 'config', ...site.path], site.text, templated, index, scope, `config.${String(site.path[0])}`);
  }

  if (step.when !== undefined) {
    checkCondition(step.when, [...base, 'when'], (path, category, message, options) => compilation.report(path, category, message, options));
    for (const site of conditionStrings(step.when, [...base, 'when'])) {
      checkTemplates(compilation, site.path, site.text, site.templated, index, scope, 'a condition operand');
    }
  }

  if (step.retry !== undefined) {
    for (const key of ['initial_interval', 'maximum_interval'] as const) {
      if (step.retry[key] === undefined) continue;
      const result = parseDuration(step.retry[key]);
      if ('error' in result) compilation.report([...base, 'retry', key], 'bad-duration', `retry.${key}: ${result.error}`);
    }
    const initial = parseDuration(step.retry.initial_interval);
    const maximum = parseDuration(step.retry.maximum_interval);
    if ('seconds' in initial && 'seconds' in maximum && maximum.seconds < initial.seconds) {
      compilation.report([...base, 'retry', 'maximum_interval'], 'bad-duration', 'retry.maximum_interval is shorter than retry.initial_interval');
    }
  }
  if (step.timeout !== undefined) {
    const result = parseDuration(step.timeout);
    if ('error' in result) compilation.report([...base, 'timeout'], 'bad-duration', `timeout: ${result.error}`);
  }
}

/**
 * Steps that a run may skip: those with a `when`, and those a `wait_for_signal`'s `on_timeout: {goto}` jumps over.
 * A later reference to their results resolves to nothing when they were skipped, so the compiler asks for a default
 * (`{{ steps.x.y ?? "..." }}`) rather than letting the run find out. Each entry says why, and for a jumped-over step
 * which jump, since steps skipped by the same jump either all run or none does.
 */
interface MayNotRun {
  reason: string;
  jumpedBy?: number;
}

function stepsThatMayNotRun(steps: RawStep[], firstIndex: Map<string, number>): Map<number, MayNotRun[]> {
  const found = new Map<number, MayNotRun[]>();
  const add = (index: number, entry: MayNotRun) => found.set(index, [...(found.get(index) ?? []), entry]);
  steps.forEach((step, index) => {
    if (!isRecord(step)) return;
    if (step.when !== undefined) add(index, { reason: 'it has a `when`' });
    const config = step.action === 'wait_for_signal' && isMap(step.config) ? step.config : undefined;
    const branch = config && isMap(config.on_timeout) ? config.on_timeout : undefined;
    const target = branch && typeof branch.goto === 'string' ? firstIndex.get(branch.goto) : undefined;
    if (target === undefined || target <= index) return;
    for (let skipped = index + 1; skipped < target; skipped += 1) {
      add(skipped, { reason: `step "${String(step.id)}" jumps over it on timeout`, jumpedBy: index });
    }
  });
  return found;
}

interface ReferenceScope {
  /** Why a step may be skipped at run time, by position (see stepsThatMayNotRun). */
  mayNotRun: Map<number, MayNotRun[]>;
  /** Step id -> index of the first step with it. */
  firstIndex: Map<string, number>;
  /** `output:` name -> index of the step binding it. */
  outputs: Map<string, number>;
  ids: string[];
  map: SourceMap;
}

function checkTemplates(
  compilation: Compilation,
  path: DocPath,
  text: string,
  templated: boolean,
  index: number,
  scope: ReferenceScope,
  where: string,
): void {
  for (const token of scanTemplate(text)) {
    const shown = text.slice(token.offset, token.offset + token.length);
    if (!templated) {
      compilation.report(path, 'template-not-allowed', `${shown}: references are not resolved in ${where}; write a literal value`, {
        valueOffset: token.offset,
      });
      return;
    }
    if (token.error !== undefined) {
      compilation.report(path, 'bad-reference', `malformed reference ${shown}: it ${token.error}`, { valueOffset: token.offset });
      continue;
    }
    const problem = checkReference(token.path, index, scope, token.fallback !== undefined);
    if (problem)
      compilation.report(path, problem.category, `${REFERENCE_PROBLEM[problem.category]} {{${token.path}}}: ${problem.message}`, {
        valueOffset: token.offset,
      });
  }
}

const REFERENCE_PROBLEM = {
  'unknown-reference': 'unknown reference',
  'forward-reference': 'forward reference',
  'maybe-skipped-reference': 'reference without a default',
} as const;

/** A reference from step `index` to the result of step `target`, which may not have run: needs a default. */
function mayBeSkipped(
  target: number,
  index: number,
  scope: Pick<ReferenceScope, 'mayNotRun' | 'ids'>,
  hasDefault: boolean,
): { category: 'maybe-skipped-reference'; message: string } | undefined {
  if (hasDefault) return undefined;
  const referrerJumps = new Set((scope.mayNotRun.get(index) ?? []).map((entry) => entry.jumpedBy).filter((at) => at !== undefined));
  const reasons = (scope.mayNotRun.get(target) ?? []).filter((entry) => entry.jumpedBy === undefined || !referrerJumps.has(entry.jumpedBy));
  if (reasons.length === 0) return undefined;
  return {
    category: 'maybe-skipped-reference',
    message: `step "${scope.ids[target]}" may not run (${reasons.map((entry) => entry.reason).join('; ')}); give the reference a default, e.g. {{ ... ?? null }}`,
  };
}

/** Checks one reference against what exists when step `index` runs (see core/scope-shape.ts). */
export function checkReference(
  reference: string,
  index: number,
  scope: Pick<ReferenceScope, 'firstIndex' | 'outputs' | 'ids' | 'map' | 'mayNotRun'>,
  hasDefault = false,
): { category: keyof typeof REFERENCE_PROBLEM; message: string } | undefined {
  const [root, ...rest] = reference.split('.');
  const earlierSteps = scope.ids.slice(0, index).filter((id) => id !== '');
  const lineOf = (stepIndex: number) => scope.map.position(['steps', stepIndex]).line;

  if (root === 'steps') {
    if (rest.length === 0) return undefined;
    const target = scope.firstIndex.get(rest[0]);
    if (target === undefined) {
      return { category: 'unknown-reference', message: `there is no step "${rest[0]}"${suggestion(rest[0], earlierSteps)}` };
    }
    if (target === index) return { category: 'forward-reference', message: `a step cannot use its own result` };
    if (target > index) {
      return {
        category: 'forward-reference',
        message: `step "${rest[0]}" runs later (line ${lineOf(target)}); only earlier steps' results exist here`,
      };
    }
    return mayBeSkipped(target, index, scope, hasDefault);
  }

  const shape: ScopeShape | undefined = Object.prototype.hasOwnProperty.call(ROOT_SCOPE, root) ? ROOT_SCOPE[root] : undefined;
  if (!shape) {
    const bound = scope.outputs.get(root);
    if (bound === undefined) {
      const earlierOutputs = [...scope.outputs].filter(([, at]) => at < index).map(([name]) => name);
      const known = [...ROOT_SCOPE_NAMES, ...earlierOutputs];
      return { category: 'unknown-reference', message: `"${root}" is not in scope${suggestion(root, known)} (known: ${known.join(', ')})` };
    }
    if (bound === index) return { category: 'forward-reference', message: `"${root}" is this step's own output` };
    if (bound > index) {
      return { category: 'forward-reference', message: `"${root}" is the output of a later step (line ${lineOf(bound)})` };
    }
    return mayBeSkipped(bound, index, scope, hasDefault);
  }

  let current = shape;
  let walked = root;
  for (const segment of rest) {
    if (current.kind === 'array' || current.kind === 'free') return undefined;
    if (current.kind === 'value') return { category: 'unknown-reference', message: `${walked} is a single value; it has no field "${segment}"` };
    const next: ScopeShape | undefined = Object.prototype.hasOwnProperty.call(current.fields, segment) ? current.fields[segment] : undefined;
    if (!next) {
      const fields = Object.keys(current.fields);
      return {
        category: 'unknown-reference',
        message: `${walked} has no field "${segment}"${suggestion(segment, fields)} (fields: ${fields.join(', ')})`,
      };
    }
    current = next;
    walked = `${walked}.${segment}`;
  }
  return undefined;
}

function suggestion(name: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? `; did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRecord(value: unknown): value is RawStep {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation

function buildPlan(raw: RawDefinition, map: SourceMap, sourceText: string, source: string): Plan {
  const steps = raw.steps.map((step, index): PlanStep => {
    const kind = stepKindOf(step.action);
    return {
      id: step.id,
      action: step.action,
      sourceLine: map.position(['steps', index]).line,
      ...(step.when === undefined ? {} : { when: normaliseCondition(step.when) }),
      ...(step.output === undefined ? {} : { output: step.output }),
      ...(step.retry === undefined ? {} : { retry: normaliseRetry(step.retry) }),
      ...(step.timeout === undefined ? {} : { timeoutSeconds: seconds(step.timeout) }),
      config: kind.normalise((step.config ?? {}) as never),
    } as PlanStep;
  });
  const withoutDigest = {
    name: raw.workflow,
    version: versionText(raw.version, map, sourceText),
    ...(raw.description === undefined ? {} : { description: raw.description }),
    trigger: { type: raw.trigger.type, filter: raw.trigger.filter ?? {} },
    steps,
  };
  return { ...withoutDigest, digest: planDigest(withoutDigest), source };
}

/** YAML reads `version: 1.0` as the number 1; the author wrote "1.0", and that is the version. */
function versionText(version: string | number, map: SourceMap, sourceText: string): string {
  if (typeof version === 'string') return version;
  const { node } = map.find(['version']);
  if (isScalar(node) && node.range) return sourceText.slice(node.range[0], node.range[1]).trim();
  return String(version);
}

function normaliseRetry(retry: RawRetry): RetrySpec {
  return {
    ...(retry.maximum_attempts === undefined ? {} : { maximumAttempts: retry.maximum_attempts }),
    ...(retry.initial_interval === undefined ? {} : { initialIntervalSeconds: seconds(retry.initial_interval) }),
    ...(retry.backoff_coefficient === undefined ? {} : { backoffCoefficient: retry.backoff_coefficient }),
    ...(retry.maximum_interval === undefined ? {} : { maximumIntervalSeconds: seconds(retry.maximum_interval) }),
  };
}

function seconds(duration: string | number): number {
  const result = parseDuration(duration);
  if ('error' in result) throw new Error(`unchecked duration reached normalisation: ${result.error}`);
  return result.seconds;
}

// ---------------------------------------------------------------------------------------------------------------
// Files

export { packageRoot };

export function shippedDefinitionsDir(): string {
  return path.join(packageRoot(), 'definitions');
}

export interface LoadedDefinition extends CompileResult {
  /** The path as given (diagnostics use it too). */
  file: string;
}

export function loadDefinitionFile(filePath: string): LoadedDefinition {
  let bytes: Buffer;
  try {
    // The size is checked before reading, so an oversized file is never loaded into memory.
    const size = fs.statSync(filePath).size;
    if (size > DEFINITION_LIMITS.maxBytes) {
      return {
        file: filePath,
        ...fileProblem(filePath, 'limit', `the definition is larger than ${DEFINITION_LIMITS.maxBytes / 1024} KiB (${size} bytes)`),
      };
    }
    bytes = fs.readFileSync(filePath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { file: filePath, ...fileProblem(filePath, 'io', `cannot read: ${reason}`) };
  }
  const decoded = decodeDefinition(bytes);
  if (!decoded.ok) return { file: filePath, ...fileProblem(filePath, 'encoding', decoded.message, decoded.line, decoded.column) };
  return { file: filePath, ...compileDefinition(decoded.text, filePath, { source: planSource(filePath) }) };
}

/** Relative to the shipped definitions folder when the file is in it, else to the working directory when below it. */
function planSource(filePath: string): string {
  const absolute = path.resolve(filePath);
  for (const base of [shippedDefinitionsDir(), process.cwd()]) {
    const relative = path.relative(base, absolute);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  }
  return absolute;
}

function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

/** Every `*.yaml` / `*.yml` in `dir` (not below it), compiled, in file-name order. */
export function loadShippedDefinitions(dir = shippedDefinitionsDir()): LoadedDefinition[] {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
    : [];
  return files.map((name) => loadDefinitionFile(displayPath(path.join(dir, name))));
}

/** The shipped plans, or an Error listing every problem: for the worker and client, which cannot run on a bad one. */
export function loadShippedPlans(dir = shippedDefinitionsDir()): Plan[] {
  const loaded = loadShippedDefinitions(dir);
  const problems = loaded.flatMap((definition) => definition.diagnostics);
  if (problems.length > 0) throw new Error(`invalid workflow definitions:\n${problems.map(formatDiagnostic).join('\n')}`);
  return loaded.map((definition) => definition.plan!);
}
