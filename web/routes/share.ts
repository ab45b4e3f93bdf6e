import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema, textSchema } from '../input-limits';
import { shareResources, type ShareOutcome, type ShareSettings } from '../resource-share';
import type { ShareRecord } from '../../adoption/resource-share';

interface ShareBody {
  featureIds?: string[];
  workflowId?: string;
  requestedBy?: string;
}

export function shareSettingsOf(ctx: ApiContext, onFollowUpError?: (error: unknown) => void): ShareSettings {
  return {
    db: ctx.db,
    now: ctx.now,
    email: ctx.email,
    links: ctx.links,
    temporalClient: ctx.temporalClient,
    taskQueue: ctx.taskQueue,
    onFollowUpError,
  };
}

export function shareView(share: ShareRecord) {
  return {
    id: share.id,
    customerId: share.customerId,
    workflowId: share.workflowId,
    featureIds: share.featureIds,
    to: { name: share.toName, email: share.toEmail },
    subject: share.subject,
    resources: share.resources,
    source: share.source,
    delivery: share.deliveredAt ? 'delivered' : 'queued',
    createdAt: share.createdAt,
    deliveredAt: share.deliveredAt,
  };
}

/** The refusal for an outcome that shared nothing; null when something was (or had been) shared. */
export function shareRefusal(outcome: ShareOutcome): HttpError | null {
  switch (outcome.kind) {
    case 'unknown_customer':
      return new HttpError(404, 'customer not found');
    case 'key_conflict':
      return new HttpError(409, 'this idempotency key was already used to share resources with another customer', 'headers/idempotency-key');
    case 'foreign_run':
      return new HttpError(400, 'body/workflowId is not an enablement run of this customer', 'body/workflowId');
    case 'no_champion':
      return new HttpError(422, `${outcome.customerName} has no champion email on file, so there is nobody to send the resources to`);
    case 'nothing_to_share':
      return new HttpError(
        422,
        `nothing to share with ${outcome.customerName}: the features have no training resources left that the customer has not already received`,
      );
    default:
      return null;
  }
}

/**
 * `POST /api/customers/:customerId/resource-shares`: emails the ranked resources of the named features (else the
 * customer's stalled ones, or the run's) to the champion. `Idempotency-Key` is required and names the click: the
 * same key again answers the first share (200) and sends nothing; a new share answers 201. JSON only, `write` scope.
 */
export function registerShareRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { customerId: string }; Body: ShareBody; Headers: { 'idempotency-key': string } }>(
    '/api/customers/:customerId/resource-shares',
    {
      config: { scope: 'write' },
      schema: {
        summary: "Email the recommended training resources to the customer's champion, once per Idempotency-Key",
        params: closedObject({ customerId: UUID_SCHEMA }, ['customerId']),
        headers: { type: 'object', required: ['idempotency-key'], properties: { 'idempotency-key': identifierSchema(200) } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            featureIds: { type: 'array', maxItems: 50, uniqueItems: true, items: identifierSchema(100) },
            workflowId: identifierSchema(1000),
            requestedBy: textSchema(255),
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const principal = request.principal?.name ?? 'open';
      const outcome = await shareResources(
        shareSettingsOf(ctx, (error) => request.log.warn({ err: error }, 'follow-up not started')),
        {
          clickKey: `api/${principal}/${request.headers['idempotency-key']}`,
          source: 'api',
          customerId: request.params.customerId,
          workflowId: body.workflowId ?? null,
          featureIds: body.featureIds ?? null,
          requestedBy: body.requestedBy?.trim() || principal,
        },
      );
      const refusal = shareRefusal(outcome);
      if (refusal) throw refusal;
      if (outcome.kind !== 'sent' && outcome.kind !== 'queued') throw new Error('unreachable');
      return reply.code(outcome.repeated ? 200 : 201).send({ ...shareView(outcome.share), repeated: outcome.repeated });
    },
  );
}
