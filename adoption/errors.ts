/**
 * What the domain refuses, in words a caller can show. Callers map the kind to their own medium (the web layer to an
 * HTTP status, the CLI to an exit code); the domain knows nothing of HTTP.
 */
export type DomainErrorKind = 'not_found' | 'invalid' | 'conflict' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** The input field at fault, as the caller named it (`body/customerId`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
