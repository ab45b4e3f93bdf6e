import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { asHttpError, describeSchemaError, type HttpError, type SchemaError } from './errors';
import { renderErrorPage } from './pages/problem-pages';

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
  return reply
    .code(status >= 500 ? 500 : status)
    .type('text/html; charset=utf-8')
    .send(renderErrorPage(status >= 500 ? 500 : status, message));
}
