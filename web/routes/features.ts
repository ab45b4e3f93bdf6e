import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema } from '../input-limits';
import { suggestedOutreach } from '../../adoption/model/recommendations';
import { catalogResources } from '../../adoption/model/resources';

/** PRD 4.2 `GET /api/features/:featureId/resources`: the catalog entry, its training resources and an opener. */
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
      const { rows } = await ctx.db.query<{
        feature_id: string;
        feature_name: string;
        category: string | null;
        importance_score: number | null;
        expected_adoption_days: number | null;
        training_resources: unknown;
        tips: string | null;
        key_benefit: string | null;
        created_at: Date | null;
      }>(
        `SELECT feature_id, feature_name, category, importance_score, expected_adoption_days, training_resources, tips,
                key_benefit, created_at
           FROM feature_catalog WHERE feature_id = $1`,
        [request.params.featureId],
      );
      if (rows.length === 0) throw new HttpError(404, `feature ${request.params.featureId} not found in the feature catalog`);
      const row = rows[0];
      const resources = catalogResources(row.training_resources);
      return {
        feature: {
          featureId: row.feature_id,
          featureName: row.feature_name,
          category: row.category,
          importanceScore: row.importance_score,
          expectedAdoptionDays: row.expected_adoption_days,
          keyBenefit: row.key_benefit,
          tips: row.tips,
          trainingResources: resources,
        },
        resources,
        suggestedOutreach: suggestedOutreach({ featureName: row.feature_name, keyBenefit: row.key_benefit, tips: row.tips, resources }),
      };
    },
  );
}
