import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema, textSchema } from '../input-limits';
import { findFeatureAdoption } from '../../adoption/read-models/customer-adoption';
import { INTERVENTION_TYPES, recordIntervention, type InterventionType } from '../../adoption/interventions';
import { CSRF_FIELD } from '../csrf';
import { pageErrorHandler } from '../page-error-handler';
import { followUpInterventions } from '../follow-ups';
import { shareResources } from '../resource-share';
import { shareRefusal, shareSettingsOf } from './share';

interface SendResourcesForm {
  _csrf: string;
  featureAdoptionId: string;
  interventionType: InterventionType;
  details: string;
  resourcesShared?: string[];
  /** Names the click (the page may render one per form); without it the form's anti-forgery token does. */
  nonce?: string;
}

/**
 * The adoption page's **Send Resources** form: `POST /customers/:customerId/adoption/interventions`, a page
 * route (HTTP Basic or Bearer with the `write` scope; form-encoded only; the page's anti-forgery token `_csrf`, checked
 * by web/auth.ts before this runs). Records the intervention like `POST /api/feature-adoption/:id/intervention` and
 * answers `303` back to the page. The JSON API itself takes JSON only, so no other site's form can reach it.
 */
export function registerAdoptionPageFormRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { customerId: string }; Body: SendResourcesForm }>(
    '/customers/:customerId/adoption/interventions',
    {
      config: { scope: 'write', page: true },
      schema: {
        summary: "The adoption page's Send Resources form (form-encoded, with the page's anti-forgery token)",
        params: closedObject({ customerId: UUID_SCHEMA }, ['customerId']),
        body: {
          type: 'object',
          required: [CSRF_FIELD, 'featureAdoptionId', 'interventionType', 'details'],
          additionalProperties: false,
          properties: {
            [CSRF_FIELD]: identifierSchema(200),
            featureAdoptionId: UUID_SCHEMA,
            interventionType: { type: 'string', enum: [...INTERVENTION_TYPES] },
            details: textSchema(10_000),
            resourcesShared: { type: 'array', maxItems: 100, items: identifierSchema(2000) },
            nonce: identifierSchema(100),
          },
        },
      },
      // A form sends one `resourcesShared` as a plain string; the contract is a list.
      preValidation: async (request) => {
        const body = request.body as unknown as Record<string, unknown> | undefined;
        if (body && typeof body.resourcesShared === 'string') body.resourcesShared = [body.resourcesShared];
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const { customerId } = request.params;
      const { featureAdoptionId, interventionType, details, resourcesShared } = request.body;
      if (details.trim() === '') throw new HttpError(400, 'body/details must not be blank', 'body/details');
      // The feature must be this customer's: the page's customer is the one the CSM was looking at.
      const tracked = await findFeatureAdoption(ctx.db, featureAdoptionId);
      if (tracked?.customerId !== customerId) throw new HttpError(404, `feature adoption ${featureAdoptionId} of customer ${customerId} not found`);
      if (interventionType === 'resource_share') {
        // "Send Resources" emails the champion. The click is the page render's token (or the form's nonce) and
        // the feature: a double submit or a resent form finds the first share (resource_shares.click_key is UNIQUE).
        const principal = request.principal?.name ?? 'open';
        const nonce = request.body.nonce ?? request.body[CSRF_FIELD];
        const outcome = await shareResources(
          shareSettingsOf(ctx, (error) => request.log.warn({ err: error }, 'follow-up not started')),
          {
            clickKey: `page/${principal}/${nonce}/${featureAdoptionId}`,
            source: 'page',
            customerId,
            featureAdoptionIds: [featureAdoptionId],
            requestedBy: principal,
          },
        );
        const refusal = shareRefusal(outcome);
        if (refusal) throw refusal;
        // A queued share (no SMTP, or SMTP down) must not read as sent: the page says it waits in the outbox.
        const queued = outcome.kind === 'queued' ? '&queued=1' : '';
        return reply.redirect(`/customers/${encodeURIComponent(customerId)}/adoption?sent=${encodeURIComponent(tracked.featureId)}${queued}`, 303);
      }
      const result = await recordIntervention(ctx.db, {
        featureAdoptionId,
        interventionType,
        details: details.trim(),
        resourcesShared: resourcesShared ?? [],
        at: ctx.now(),
        idempotencyKey: null,
      });
      if (!result) throw new HttpError(404, `feature adoption ${featureAdoptionId} not found`);
      // The same durable follow-up as an intervention recorded through the JSON API (web/follow-ups.ts).
      await followUpInterventions(
        {
          db: ctx.db,
          temporalClient: ctx.temporalClient,
          taskQueue: ctx.taskQueue,
          onError: (error) => request.log.warn({ err: error }, 'follow-up not started'),
        },
        [result.intervention.id],
      );
      const { featureId } = result.intervention;
      return reply.redirect(`/customers/${encodeURIComponent(customerId)}/adoption?sent=${encodeURIComponent(featureId)}`, 303);
    },
  );
}
