import fs from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import type { DiagnosticCategory, DocPath } from '../../definitions/language/diagnostic-category';
import { compareDiagnostics, formatDiagnostic, type Diagnostic } from '../../definitions/language/diagnostics';
import { SourceMap } from '../../definitions/language/yaml-source-map';
import { DEFAULT_LOADED_RULES, DEFAULT_RULES, rulesDigest, type AdoptionRules, type LoadedRules, type SegmentRules } from './rules';
import { RULES_CONFIG_SCHEMA, type RawRulesConfig } from './schema';

/**
 * Reads and validates `adoption.config.yaml`. Like a workflow definition (definitions/compile-definition.ts), every problem is a
 * diagnostic at the line and column of the YAML node it is about, with a stable category; rules come back only when
 * there is none.
 */
/** A problem in the rules file: the same diagnostic (file, line, column, stable category) as a definition's. */
export type ConfigDiagnostic = Diagnostic;

export type ConfigResult = { loaded: LoadedRules; diagnostics: [] } | { loaded?: undefined; diagnostics: ConfigDiagnostic[] };

/** The environment variable naming the rules file detection reads (README "Detection rules"). */
export const RULES_CONFIG_ENV = 'ADOPTION_CONFIG';
/** The file `config validate` checks when given none. */
export const DEFAULT_RULES_CONFIG_FILE = 'adoption.config.yaml';

/** A rules file has no business being large or deep: refused before and right after parsing, never walked for long. */
export const RULES_CONFIG_LIMITS = { maxBytes: 64 * 1024, maxDepth: 8, maxAliases: 20 } as const;

const validateSchema = new Ajv({ allErrors: true, strict: false, verbose: true }).compile<RawRulesConfig>(RULES_CONFIG_SCHEMA);

/** An invalid rules file, with every diagnostic in its message (one `FILE:LINE:COLUMN: message` per line). */
export class RulesConfigError extends Error {
  constructor(readonly diagnostics: ConfigDiagnostic[]) {
    super(`invalid detection rules:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
    this.name = 'RulesConfigError';
  }
}

export function loadRulesConfigFile(file: string): ConfigResult {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > RULES_CONFIG_LIMITS.maxBytes) return fileProblem(file, 'limit', `the file is larger than ${RULES_CONFIG_LIMITS.maxBytes / 1024} KiB`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    return fileProblem(file, 'io', `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fileProblem(file, 'encoding', 'the file is not UTF-8 text');
  }
  return parseRulesConfig(text, file);
}

/** Validates the text of a rules file; `file` names it in the diagnostics and becomes the rules' `source`. */
export function parseRulesConfig(sourceText: string, file: string): ConfigResult {
  if (Buffer.byteLength(sourceText, 'utf8') > RULES_CONFIG_LIMITS.maxBytes) {
    return fileProblem(file, 'limit', `the file is larger than ${RULES_CONFIG_LIMITS.maxBytes / 1024} KiB`);
  }
  const nul = sourceText.indexOf('\u0000');
  if (nul >= 0) {
    const before = sourceText.slice(0, nul).split('\n');
    return fileProblem(file, 'encoding', 'the file contains a NUL character', before.length, before[before.length - 1].length + 1);
  }
  const depth = nestingProblem(sourceText);
  if (depth) return fileProblem(file, 'limit', `the file is nested deeper than ${RULES_CONFIG_LIMITS.maxDepth} levels`, depth.line, depth.column);
  const lines = new LineCounter();
  const doc = parseDocument(sourceText, { lineCounter: lines, prettyErrors: false });
  const map = new SourceMap(doc, lines, sourceText);
  const diagnostics: ConfigDiagnostic[] = [];
  const report = (path: DocPath, category: DiagnosticCategory, message: string, options: { key?: boolean } = {}) => {
    const { line, column } = map.position(path, options);
    diagnostics.push({ file, line, column, category, message, path: formatPath(path) || undefined });
  };
  const yamlProblems = [...doc.errors, ...doc.warnings];
  if (yamlProblems.length > 0) {
    for (const problem of yamlProblems) {
      const { line, column } = map.at(problem.pos[0]);
      diagnostics.push({ file, line, column, category: 'yaml-syntax', message: `YAML: ${problem.message.split('\n')[0]}` });
    }
    return { diagnostics: sorted(diagnostics) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: RULES_CONFIG_LIMITS.maxAliases });
  } catch (error) {
    report([], 'yaml-syntax', `YAML: ${(error as Error).message}`);
    return { diagnostics: diagnostics };
  }
  if (value === null || value === undefined) {
    report([], 'schema', 'the file is empty: it needs at least `version: 1`');
    return { diagnostics };
  }
  if (!validateSchema(value)) {
    for (const error of validateSchema.errors ?? []) {
      // A bad key name is reported once, by its propertyNames error, not also by the pattern that rejected it.
      if (error.propertyName !== undefined && error.keyword !== 'propertyNames') continue;
      const problem = describeSchemaError(error);
      report(problem.path, problem.category, problem.message, { key: problem.atKey });
    }
    return { diagnostics: sorted(dedupe(diagnostics)) };
  }
  const rules = resolve(value);
  checkAcrossKeys(rules, report);
  if (diagnostics.length > 0) return { diagnostics: sorted(diagnostics) };
  return { loaded: { rules, source: file, digest: rulesDigest(rules) }, diagnostics: [] };
}

/**
 * The rules detection uses: the file given, else the one `ADOPTION_CONFIG` names, else the defaults. An invalid file
 * throws RulesConfigError: detection never judges by half a configuration.
 */
export function resolveRules(file?: string | null, env: NodeJS.ProcessEnv = process.env): LoadedRules {
  const chosen = file ?? (env[RULES_CONFIG_ENV] ? env[RULES_CONFIG_ENV] : null);
  if (!chosen) return DEFAULT_LOADED_RULES;
  // Read again only when the file changed: every scoring call asks, and the file is edited rarely.
  let stamp: string;
  try {
    const stat = fs.statSync(chosen);
    stamp = `${chosen}|${stat.mtimeMs}|${stat.size}`;
  } catch {
    stamp = '';
  }
  if (stamp && lastLoaded?.stamp === stamp) return lastLoaded.loaded;
  const result = loadRulesConfigFile(chosen);
  if (!result.loaded) throw new RulesConfigError(result.diagnostics);
  if (stamp) lastLoaded = { stamp, loaded: result.loaded };
  return result.loaded;
}

let lastLoaded: { stamp: string; loaded: LoadedRules } | null = null;

function fileProblem(file: string, category: DiagnosticCategory, message: string, line = 1, column = 1): ConfigResult {
  return { diagnostics: [{ file, line, column, category, message }] };
}

/**
 * The first place where nesting goes past the limit, found by one scan of the text before the parser sees it (a
 * 60 KiB `[[[[...` would otherwise be parsed into thousands of levels first): flow brackets deeper than maxDepth, or a
 * line indented more than maxDepth levels of 8 spaces. A real rules file is 5 levels deep at most.
 */
function nestingProblem(text: string): { line: number; column: number } | null {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\n') {
      line += 1;
      lineStart = i + 1;
      let spaces = 0;
      while (text[i + 1 + spaces] === ' ') spaces += 1;
      if (spaces > RULES_CONFIG_LIMITS.maxDepth * 8) return { line, column: spaces + 1 };
    } else if (char === '#' && (i === lineStart || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > RULES_CONFIG_LIMITS.maxDepth) return { line, column: i - lineStart + 1 };
    } else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
  }
  return null;
}

function formatPath(path: DocPath): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text === '' ? segment : `${text}.${segment}`),
    '',
  );
}

function sorted(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return diagnostics.sort(compareDiagnostics);
}

function dedupe(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function parsePointer(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** ajv's error -> where (the key's path), the stable category, and a message in the file's own words. */
function describeSchemaError(error: ErrorObject): { path: DocPath; category: DiagnosticCategory; message: string; atKey?: boolean } {
  const at = parsePointer(error.instancePath);
  const where = formatPath(at) || 'the file';
  const params = error.params as Record<string, unknown>;
  const got = ` (got ${describeValue(error.data)})`;
  switch (error.keyword) {
    case 'required':
      return { path: at, category: 'missing-key', message: `${where} is missing required key "${String(params.missingProperty)}"` };
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys(((error.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      return {
        path: [...at, extra],
        category: 'unknown-key',
        message: `unknown key "${extra}" in ${where}${allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ''}`,
        atKey: true,
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return {
        path: [...at, name],
        category: 'schema',
        message: `segment name ${describeValue(name)} in ${where} must be 1-50 letters, digits, "_", ".", "-" or spaces`,
        atKey: true,
      };
    }
    case 'type':
      return { path: at, category: 'schema', message: `${where} must be ${typeName(String(params.type))}${got}` };
    case 'const':
      return { path: at, category: 'schema', message: `${where} must be ${JSON.stringify(params.allowedValue)}${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: at, category: 'schema', message: `${where} must be ${String(params.comparison)} ${String(params.limit)}${got}` };
    case 'maxProperties':
      return { path: at, category: 'limit', message: `${where} has more than ${String(params.limit)} entries` };
    default:
      return { path: at, category: 'schema', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

function typeName(type: string): string {
  return (
    { object: 'a map', array: 'a list', integer: 'a whole number', number: 'a number', boolean: 'true or false', string: 'a string' }[type] ?? type
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The file over the defaults; each segment over the (resolved) global stall rules. */
function resolve(raw: RawRulesConfig): AdoptionRules {
  const d = DEFAULT_RULES;
  const stall = raw.stall_rules ?? {};
  const global: SegmentRules = {
    lowUsageScoreBelow: stall.low_usage?.score_below ?? d.stallRules.lowUsageScoreBelow,
    lowUsageMinDays: stall.low_usage?.min_days_since_activation ?? d.stallRules.lowUsageMinDays,
    pastExpectedScoreBelow: stall.past_expected_timeline?.score_below ?? d.stallRules.pastExpectedScoreBelow,
    minImportance: raw.alerting?.min_importance ?? d.stallRules.minImportance,
  };
  const segments: Record<string, SegmentRules> = {};
  for (const [segment, override] of Object.entries(raw.segments ?? {})) {
    segments[segment] = {
      lowUsageScoreBelow: override.stall_rules?.low_usage?.score_below ?? global.lowUsageScoreBelow,
      lowUsageMinDays: override.stall_rules?.low_usage?.min_days_since_activation ?? global.lowUsageMinDays,
      pastExpectedScoreBelow: override.stall_rules?.past_expected_timeline?.score_below ?? global.pastExpectedScoreBelow,
      minImportance: override.alerting?.min_importance ?? global.minImportance,
    };
  }
  const rhythm = raw.rhythm ?? {};
  return {
    stages: {
      engagedFrom: raw.stages?.engaged_from ?? d.stages.engagedFrom,
      adoptedFrom: raw.stages?.adopted_from ?? d.stages.adoptedFrom,
      notStartedAfterDays: raw.stages?.not_started_after_days ?? d.stages.notStartedAfterDays,
    },
    stallRules: {
      ...global,
      minPeers: stall.segment_benchmarks?.min_peers ?? d.stallRules.minPeers,
      dip: {
        baselineDays: stall.account_wide_dip?.baseline_days ?? d.stallRules.dip.baselineDays,
        minBaselineUserDaysPer14Days: stall.account_wide_dip?.min_baseline_user_days_per_14_days ?? d.stallRules.dip.minBaselineUserDaysPer14Days,
        ratio: stall.account_wide_dip?.ratio ?? d.stallRules.dip.ratio,
      },
    },
    rhythm: {
      enabled: rhythm.enabled ?? d.rhythm.enabled,
      lookbackDays: rhythm.lookback_days ?? d.rhythm.lookbackDays,
      burstGapDays: rhythm.burst_gap_days ?? d.rhythm.burstGapDays,
      minOccasions: rhythm.min_occasions ?? d.rhythm.minOccasions,
      minCadenceDays: rhythm.min_cadence_days ?? d.rhythm.minCadenceDays,
      maxCadenceDays: rhythm.max_cadence_days ?? d.rhythm.maxCadenceDays,
      tolerance: rhythm.tolerance ?? d.rhythm.tolerance,
      regularShare: rhythm.regular_share ?? d.rhythm.regularShare,
    },
    cooldowns: {
      signalDays: raw.cooldowns?.signal_days ?? d.cooldowns.signalDays,
      interventionDays: raw.cooldowns?.intervention_days ?? d.cooldowns.interventionDays,
    },
    segments,
  };
}

/** Values each valid alone that contradict each other, reported at the key that would have to change. */
function checkAcrossKeys(rules: AdoptionRules, report: (path: DocPath, category: DiagnosticCategory, message: string) => void): void {
  if (rules.stages.engagedFrom >= rules.stages.adoptedFrom) {
    report(
      ['stages', 'adopted_from'],
      'conflicting-keys',
      `stages.adopted_from (${rules.stages.adoptedFrom}) must be above stages.engaged_from (${rules.stages.engagedFrom})`,
    );
  }
  if (rules.stages.engagedFrom < 1) report(['stages', 'engaged_from'], 'schema', 'stages.engaged_from must be at least 1 (score 0 is never engaged)');
  if (rules.rhythm.minCadenceDays > rules.rhythm.maxCadenceDays) {
    report(
      ['rhythm', 'max_cadence_days'],
      'conflicting-keys',
      `rhythm.max_cadence_days (${rules.rhythm.maxCadenceDays}) must not be below rhythm.min_cadence_days (${rules.rhythm.minCadenceDays})`,
    );
  }
  const needed = rules.rhythm.maxCadenceDays * (rules.rhythm.minOccasions - 1);
  if (rules.rhythm.enabled && needed > rules.rhythm.lookbackDays) {
    report(
      ['rhythm', 'lookback_days'],
      'conflicting-keys',
      `rhythm.lookback_days (${rules.rhythm.lookbackDays}) must hold rhythm.min_occasions (${rules.rhythm.minOccasions}) uses at the longest ` +
        `cadence (rhythm.max_cadence_days ${rules.rhythm.maxCadenceDays}): at least ${needed} days`,
    );
  }
}
