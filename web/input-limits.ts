import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkStructure, hasNul, preview, type StructureLimits } from '../adoption/model/input-checks';
import { HttpError } from './errors';

/**
 * Limits on everything a request carries, checked before anything else is consulted (database, Temporal): a bad
 * request is a 400 naming the field even while Temporal is down, and nothing from input can reach a 500.
 *
 * Two layers:
 * - `registerInputLimits(app)`: one `preValidation` hook for every route (ours and those added later) that walks the
 *   parsed params, query and body iteratively: NUL characters (Postgres refuses them), nesting deeper than
 *   `INPUT_LIMITS.maxDepth` (JSON nested 5,000 deep), strings longer than `maxStringLength`, more than `maxNodes`
 *   values; and a query parameter on a route whose schema declares none;
 * - the helpers below for the routes' JSON schemas, so each field also has its own length, pattern and format.
 * Raw bodies (Slack's signed form, kept as a Buffer) are not walked here: their route checks the signature first.
 */
export const INPUT_LIMITS: StructureLimits = { maxDepth: 16, maxStringLength: 100_000, maxNodes: 20_000 };

/** A string without NUL or other C0 control characters except tab, line feed and carriage return. */
export const NO_CONTROL_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$';
/** A one-line identifier-like string: no control characters at all. */
export const ONE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';

/** Multi-line text of 1..max characters (tabs and line breaks allowed, NUL and other controls not). */
export function textSchema(maxLength: number, minLength = 1) {
  return { type: 'string', minLength, maxLength, pattern: NO_CONTROL_PATTERN } as const;
}

/** A one-line identifier of 1..max characters (a feature id, a workflow id). */
export function identifierSchema(maxLength: number) {
  return { type: 'string', minLength: 1, maxLength, pattern: ONE_LINE_PATTERN } as const;
}

/** A params/querystring object schema that refuses anything it does not list. */
export function closedObject(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, required, properties } as const;
}

type Part = 'params' | 'querystring' | 'body';

function check(part: Part, value: unknown): void {
  if (value === undefined || value === null || Buffer.isBuffer(value)) return;
  const problem = checkStructure(value, INPUT_LIMITS);
  if (problem) {
    const field = `${part}${problem.path}`;
    throw new HttpError(400, `${field} ${problem.problem}`, field);
  }
}

/** Query parameters a route does not declare (none, without a querystring schema) are refused, on every route. */
function refuseUndeclaredQuery(request: FastifyRequest): void {
  const schema = request.routeOptions?.schema as
    { querystring?: { properties?: Record<string, unknown>; additionalProperties?: unknown } } | undefined;
  const declared = schema?.querystring;
  if (declared && (declared.additionalProperties === true || (declared.additionalProperties !== false && !declared.properties))) return;
  const known = declared?.properties ?? {};
  const query = request.query as Record<string, unknown> | undefined;
  for (const key in query ?? {}) {
    if (Object.prototype.hasOwnProperty.call(known, key)) continue;
    const field = `querystring/${key.length > 40 ? `${key.slice(0, 40)}…` : key}`;
    throw new HttpError(400, `${field} is not allowed`, field);
  }
}

/** Registers the request-wide checks; call before registering routes. */
export function registerInputLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // No route: the not-found handler answers 404 whatever the request carries.
    if (request.is404) return;
    check('params', request.params);
    check('querystring', request.query);
    refuseUndeclaredQuery(request);
    check('body', request.body);
  });
}

/** For code that reads a value outside the schemas (a Slack payload): the same NUL and length rules, as a 400. */
export function checkText(field: string, value: string, maxLength: number): string {
  if (value.length > maxLength) throw new HttpError(400, `${field} must be at most ${maxLength} characters`, field);
  if (hasNul(value)) throw new HttpError(400, `${field} must not contain a NUL character: ${preview(value)}`, field);
  return value;
}
