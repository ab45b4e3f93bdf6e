import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { customerDirectory } from '../../adoption/read-models/workspace';
import { renderIndexPage } from '../pages/index-page';
import { closedObject } from '../input-limits';
import { pageErrorHandler } from '../page-error-handler';

/** `GET /`: the index page (read scope, a page like the others: HTTP Basic or Bearer; docs/security.md). */
export function registerIndexPageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/',
    {
      schema: {
        summary: 'The index page: the customers with links to their adoption and workspace pages, the workspace and reports (HTML)',
        querystring: closedObject({}),
      },
      errorHandler: pageErrorHandler,
    },
    async (_request, reply) => {
      const customers = await customerDirectory(ctx.db);
      return reply
        .type('text/html; charset=utf-8')
        .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'")
        .send(renderIndexPage(customers));
    },
  );
}
