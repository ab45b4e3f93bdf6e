import { UUID_PATTERN as UUID } from '../../adoption/model/identifiers';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { loadCustomerAdoption } from '../../adoption/read-models/customer-adoption';
import { renderAdoptionPage } from '../pages/adoption-page';
import { renderErrorPage } from '../pages/problem-pages';
import { issueCsrfToken } from '../csrf';
import { closedObject, identifierSchema } from '../input-limits';
import { pageErrorHandler } from '../page-error-handler';
import { heldOutFeatureIds } from '../../adoption/read-models/workspace';
import { engagementByFeature } from '../../adoption/engagement';

/** `GET /customers/:customerId/adoption`, HTML for a browser; errors, an unknown customer included, are HTML too. */
export function registerAdoptionPageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { customerId: string }; Querystring: { sent?: string; queued?: '1' } }>(
    '/customers/:customerId/adoption',
    {
      // `sent` is the feature id the page just sent resources for (feature_catalog.feature_id is VARCHAR(100)).
      schema: { querystring: closedObject({ sent: identifierSchema(100), queued: { type: 'string', enum: ['1'] } }) },
      // Input errors of this page are HTML too (the input limits and the schema answer 400 before the handler).
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const { customerId } = request.params;
      reply.type('text/html; charset=utf-8');
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'");
      if (!UUID.test(customerId)) return reply.code(400).send(renderErrorPage(400, `params/customerId must be a UUID`));
      const now = ctx.now();
      const details = await loadCustomerAdoption(ctx.db, customerId, now);
      const sent = typeof request.query.sent === 'string' ? request.query.sent : undefined;
      const csrfToken = request.principal ? issueCsrfToken(request.principal, now) : undefined;
      const heldOut = await heldOutFeatureIds(ctx.db, customerId);
      const engagement = await engagementByFeature(ctx.db, customerId);
      return reply.send(
        renderAdoptionPage(details, now, {
          sentFeatureId: sent,
          sentQueued: request.query.queued === '1',
          csrfToken,
          heldOutFeatureIds: heldOut,
          engagement,
        }),
      );
    },
  );
}
