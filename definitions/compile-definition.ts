import { DEFINITION_LIMITS } from './limits';
import { validateAgainstSchema } from './schema';
import { fileProblem, type CompileResult } from './compilation';
import { parseDefinition } from './parse';
import { reportSchemaErrors } from './schema-errors';
import { checkSteps } from './step-checks';
import { buildPlan } from './build-plan';
import type { RawDefinition } from './raw-definition';
// Installs the Postgres parser that query_database's check uses (kept out of the step kind: the workflow bundles it).
import '../steps/query_database/statement-parser';

export interface CompileOptions {
  /** `plan.source`; defaults to the file name used in diagnostics. */
  source?: string;
}

/**
 * YAML definition -> validated, typed Plan. Problems come back as diagnostics, each at the line and column of the
 * node it is about; a plan comes back only when there are none.
 *
 * Order of work: YAML syntax (nothing else is trustworthy without it), then the JSON Schema, then semantic checks
 * (ids, references, SQL, durations, jumps). Semantic checks of a step run only when that step passed the schema, so a
 * file with several problems reports each once instead of a cascade.
 */
export function compileDefinition(sourceText: string, fileName: string, options: CompileOptions = {}): CompileResult {
  // Size first, before any parsing: a 50 MB file is refused in no time instead of parsed into gigabytes.
  if (sourceText.length > DEFINITION_LIMITS.maxBytes || Buffer.byteLength(sourceText, 'utf8') > DEFINITION_LIMITS.maxBytes) {
    return fileProblem(fileName, 'limit', `the definition is larger than ${DEFINITION_LIMITS.maxBytes / 1024} KiB`);
  }
  const parsed = parseDefinition(sourceText, fileName);
  const compilation = parsed.compilation;
  const done = (): CompileResult => ({ diagnostics: compilation.sorted() });
  if (!parsed.parsed) return done();
  const value = parsed.value;

  const invalidSteps = reportSchemaErrors(compilation, validateAgainstSchema(value));
  const raw = value as RawDefinition;
  if (value === null || typeof value !== 'object' || !Array.isArray(raw.steps)) return done();
  checkSteps(compilation, raw.steps, invalidSteps);
  if (compilation.diagnostics.length > 0) return done();

  const plan = buildPlan(raw, compilation.map, sourceText, options.source ?? fileName);
  return { plan, diagnostics: [] };
}
