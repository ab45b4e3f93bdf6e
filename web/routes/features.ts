import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema } from '../input-limits';
import { featureResources } from '../../adoption/catalog';

/** `GET /api/features/:featureId/resources`: the catalog entry, its training resources and an opener. */
export function registerFeatureRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { featureId: string } }>(
    '/api/features/:featureId/resources',
    {
      schema: {
        // feature_catalog.feature_id is VARCHAR(100).
        params: closedObject({ featureId: identifierSchema(100) }, ['featureId']),
        querystring: closedObject({}),
      },
    },
    async (request) => {
      const found = await featureResources(ctx.db, request.params.featureId);
      if (!found) throw new HttpError(404, `feature ${request.params.featureId} not found in the feature catalog`);
      return found;
    },
  );
}
