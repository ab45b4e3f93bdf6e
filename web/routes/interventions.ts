import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { badRequest, HttpError, notFound } from '../errors';
import { closedObject, identifierSchema, textSchema } from '../input-limits';
import { IdempotencyKeyConflictError, INTERVENTION_TYPES, recordIntervention, type InterventionType } from '../../adoption/interventions';
import { loadCustomer } from '../../adoption/read-models/customer-adoption';
import { syncCustomerAdoption } from '../../adoption/sync';
import { followUpInterventions } from '../follow-ups';

interface InterventionBody {
  interventionType: InterventionType;
  details: string;
  resourcesShared?: string[];
  performedBy?: string;
}

/**
 * `POST /api/feature-adoption/:id/intervention` and `POST /api/feature-adoption/sync`.
 * JSON only (web/auth.ts answers 415 to anything else); the adoption page's form posts to routes/adoption-page-form.ts.
 */
export function registerInterventionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { id: string }; Body: InterventionBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/feature-adoption/:id/intervention',
    {
      schema: {
        params: closedObject({ id: UUID_SCHEMA }, ['id']),
        querystring: closedObject({}),
        headers: { type: 'object', properties: { 'idempotency-key': identifierSchema(200) } },
        body: {
          type: 'object',
          required: ['interventionType', 'details'],
          additionalProperties: false,
          properties: {
            interventionType: { type: 'string', enum: [...INTERVENTION_TYPES] },
            details: textSchema(10_000),
            resourcesShared: { type: 'array', maxItems: 100, items: identifierSchema(2000) },
            // Who performed it (name or e-mail); the reports group outcomes by it.
            performedBy: { type: 'string', minLength: 1, maxLength: 255 },
          },
        },
      },
    },
    async (request, reply) => {
      const { interventionType, details, resourcesShared, performedBy } = request.body;
      if (details.trim() === '') throw badRequest('body/details', 'must not be blank');
      const key = request.headers['idempotency-key'];
      const result = await recordIntervention(ctx.db, {
        featureAdoptionId: request.params.id,
        interventionType,
        details: details.trim(),
        resourcesShared: resourcesShared ?? [],
        at: ctx.now(),
        idempotencyKey: key ? `api/${key}` : null,
        performedBy: performedBy?.trim() || null,
      }).catch((error: unknown) => {
        if (error instanceof IdempotencyKeyConflictError) throw new HttpError(409, error.message);
        throw error;
      });
      if (!result) throw notFound(`feature adoption ${request.params.id}`);
      // Every intervention gets its durable 14/30-day follow-up (docs/impact.md).
      const [followUp] = await followUpInterventions(
        {
          db: ctx.db,
          temporalClient: ctx.temporalClient,
          taskQueue: ctx.taskQueue,
          onError: (error) => request.log.warn({ err: error }, 'follow-up not started'),
        },
        [result.intervention.id],
      );
      if (followUp) result.intervention.followUpWorkflowId = followUp.workflowId;
      return reply.code(result.created ? 201 : 200).send(result.intervention);
    },
  );

  app.post<{ Body: { customerId: string } }>(
    '/api/feature-adoption/sync',
    {
      schema: {
        querystring: closedObject({}),
        body: {
          type: 'object',
          required: ['customerId'],
          additionalProperties: false,
          properties: { customerId: UUID_SCHEMA },
        },
      },
    },
    async (request) => {
      await loadCustomer(ctx.db, request.body.customerId);
      return syncCustomerAdoption(ctx.db, request.body.customerId, ctx.now());
    },
  );
}
