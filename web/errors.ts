import { DomainError, type DomainErrorKind } from '../adoption/errors';
import { withArticle } from '../definitions/language/wording';
/**
 * Errors the API answers with: `{ "error": "<message>" }` (plus `field` for input errors), never a stack trace.
 * Input problems name the field as fastify's validation context does: `body/interventionType`, `params/customerId`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

const STATUS_OF: Record<DomainErrorKind, number> = { not_found: 404, invalid: 400, conflict: 409, forbidden: 403 };

/** The answer for an error the domain raised; anything else stays as it is. */
export function asHttpError<E>(error: E): E | HttpError {
  if (!(error instanceof DomainError)) return error;
  return new HttpError(STATUS_OF[error.kind], error.message, error.field);
}
export const badRequest = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, field);

/** The subset of an ajv error object fastify attaches to a validation error. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * One readable sentence per schema error, naming the field with its context:
 *   body/interventionType must be one of email, call, training, resource_share
 *   body/details is required
 *   body/colour is not allowed
 *   params/customerId must be a UUID
 */
export function describeSchemaError(context: string, error: SchemaError): { field: string; message: string } {
  const at = `${context}${error.instancePath}`;
  const params = error.params ?? {};
  switch (error.keyword) {
    case 'required': {
      const field = `${at}/${String(params.missingProperty)}`;
      return { field, message: `${field} is required` };
    }
    case 'additionalProperties': {
      const field = `${at}/${String(params.additionalProperty)}`;
      return { field, message: `${field} is not allowed` };
    }
    case 'enum':
      return { field: at, message: `${at} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'format':
      return { field: at, message: `${at} must be ${params.format === 'uuid' ? 'a UUID' : `a valid ${String(params.format)}`}` };
    case 'type': {
      const type = String(params.type);
      return { field: at, message: `${at} must be ${withArticle(type)}` };
    }
    case 'minLength':
      return {
        field: at,
        message: params.limit === 1 ? `${at} must not be empty` : `${at} must be at least ${String(params.limit)} characters`,
      };
    case 'maxLength':
      return { field: at, message: `${at} must be at most ${String(params.limit)} characters` };
    case 'maxItems':
      return { field: at, message: `${at} must have at most ${String(params.limit)} items` };
    case 'pattern':
      return { field: at, message: `${at} has the wrong format` };
    default:
      return { field: at, message: `${at} ${error.message ?? 'is invalid'}` };
  }
}
