import { UUID_PATTERN as UUID } from '../../core/identifiers';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { loadCustomerAdoption } from '../adoption-data';
import { renderAdoptionPage, renderErrorPage } from '../adoption-page';

/** PRD 5.2/5.3: `GET /customers/:customerId/adoption`, HTML for a browser (errors as HTML too). */
export function registerAdoptionPageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { customerId: string }; Querystring: { sent?: string } }>('/customers/:customerId/adoption', async (request, reply) => {
    const { customerId } = request.params;
    reply.type('text/html; charset=utf-8');
    reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'");
    if (!UUID.test(customerId)) return reply.code(400).send(renderErrorPage(400, `params/customerId must be a UUID`));
    try {
      const now = ctx.now();
      const details = await loadCustomerAdoption(ctx.db, customerId, now);
      const sent = typeof request.query.sent === 'string' ? request.query.sent : undefined;
      return reply.send(renderAdoptionPage(details, now, { sentFeatureId: sent }));
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 404) return reply.code(404).send(renderErrorPage(404, error.message));
      throw error;
    }
  });
}
