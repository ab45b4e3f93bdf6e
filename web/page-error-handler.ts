import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asHttpError, describeSchemaError, type HttpError, type SchemaError } from './errors';
import { customerBackLink, renderErrorPage } from './pages/problem-pages';
import { isUuid } from '../adoption/model/identifiers';

/**
 * The error handler of every route a browser reads (pages and their forms): the problem as an HTML page naming the
 * field, the status kept, and never a stack trace (a 5xx is logged and shown as "internal error").
 */
export function pageErrorHandler(raised: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply) {
  const error = asHttpError(raised);
  const validation = (error as FastifyError).validation as SchemaError[] | undefined;
  const status = validation?.length ? 400 : (error.statusCode ?? 500);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const message =
    status >= 500
      ? 'internal error; see the server log'
      : validation?.length
        ? describeSchemaError((error as FastifyError).validationContext ?? 'body', validation[0]).message
        : error.message;
  // A customer's page or form (Send Resources refused, say) points back to that customer.
  const customerId = (request.params as { customerId?: unknown } | undefined)?.customerId;
  const back = request.method !== 'GET' && typeof customerId === 'string' && isUuid(customerId) ? customerBackLink(customerId) : undefined;
  return reply
    .code(status >= 500 ? 500 : status)
    .type('text/html; charset=utf-8')
    .send(renderErrorPage(status >= 500 ? 500 : status, message, back));
}
