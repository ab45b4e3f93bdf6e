import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { badRequest, HttpError, notFound } from '../errors';
import { IdempotencyKeyConflictError, INTERVENTION_TYPES, recordIntervention, type InterventionType } from '../../adoption/interventions';
import { loadCustomer } from '../adoption-data';
import { syncCustomerAdoption } from '../../adoption/sync';

interface InterventionBody {
  interventionType: InterventionType;
  details: string;
  resourcesShared?: string[];
}

const isForm = (contentType: string | undefined) => (contentType ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * PRD 4.2 `POST /api/feature-adoption/:id/intervention` (FR-4.2) and `POST /api/feature-adoption/sync`.
 * The intervention endpoint also takes the adoption page's form post and then redirects back to the page.
 */
export function registerInterventionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { id: string }; Body: InterventionBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/feature-adoption/:id/intervention',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: UUID_SCHEMA } },
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } },
        body: {
          type: 'object',
          required: ['interventionType', 'details'],
          additionalProperties: false,
          properties: {
            interventionType: { type: 'string', enum: [...INTERVENTION_TYPES] },
            details: { type: 'string', minLength: 1, maxLength: 10_000 },
            resourcesShared: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 2000 } },
          },
        },
      },
      // A form sends one `resourcesShared` as a plain string; the contract is a list.
      preValidation: async (request) => {
        const body = request.body as unknown as Record<string, unknown> | undefined;
        if (isForm(request.headers['content-type']) && body && typeof body.resourcesShared === 'string') {
          body.resourcesShared = [body.resourcesShared];
        }
      },
    },
    async (request, reply) => {
      const { interventionType, details, resourcesShared } = request.body;
      if (details.trim() === '') throw badRequest('body/details', 'must not be blank');
      const key = request.headers['idempotency-key'];
      const result = await recordIntervention(ctx.db, {
        featureAdoptionId: request.params.id,
        interventionType,
        details: details.trim(),
        resourcesShared: resourcesShared ?? [],
        at: ctx.now(),
        idempotencyKey: key ? `api/${key}` : null,
      }).catch((error: unknown) => {
        if (error instanceof IdempotencyKeyConflictError) throw new HttpError(409, error.message);
        throw error;
      });
      if (!result) throw notFound(`feature adoption ${request.params.id}`);
      if (isForm(request.headers['content-type'])) {
        const { customerId, featureId } = result.intervention;
        return reply.redirect(`/customers/${encodeURIComponent(customerId)}/adoption?sent=${encodeURIComponent(featureId)}`, 303);
      }
      return reply.code(result.created ? 201 : 200).send(result.intervention);
    },
  );

  app.post<{ Body: { customerId: string } }>(
    '/api/feature-adoption/sync',
    {
      schema: {
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
