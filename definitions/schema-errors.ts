import type { ErrorObject } from 'ajv';
import { withArticle } from './language/wording';
import { formatPath } from './language/diagnostics';
import type { DiagnosticCategory, DocPath } from './language/diagnostic-category';
import { STEP_ACTIONS } from '../steps';
import type { Compilation } from './compilation';

/** Reports ajv's errors at their YAML nodes; returns the indices of steps that have any, so their semantic checks are skipped. */
export function reportSchemaErrors(compilation: Compilation, errors: ErrorObject[]): Set<number> {
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
