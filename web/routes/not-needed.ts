import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context';
import { UUID_SCHEMA } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema, textSchema } from '../input-limits';
import { notNeededStatus, NOT_NEEDED_REASON_CHARS, type NotNeededSource } from '../../adoption/not-needed';
import { MESSAGE_LIMITS } from '../../workflows/messages';
import { CSRF_FIELD } from '../csrf';
import { pageErrorHandler } from '../page-error-handler';
import type { Principal } from '../api-keys';
import { applyNotNeededChange, type NotNeededOutcome } from './not-needed-change';

type Params = { customerId: string; featureId: string };

// feature_catalog.feature_id is VARCHAR(100).
const PARAMS_SCHEMA = closedObject({ customerId: UUID_SCHEMA, featureId: identifierSchema(100) }, ['customerId', 'featureId']);

interface NotNeededBody {
  notNeeded?: boolean;
  reason?: string;
  by?: string;
}

/** Where a page's form goes back to after the change (a fixed list: never a URL from the form). */
export const RETURN_PAGES = ['adoption', 'workspace'] as const;
type ReturnPage = (typeof RETURN_PAGES)[number];

interface NotNeededForm {
  _csrf: string;
  notNeeded: 'true' | 'false';
  reason?: string;
  back?: ReturnPage;
}

/** Who changed the mark: the API key's name, and what the caller says it is, labelled as its claim. */
function whoChanged(principal: Principal | null, claimed: string | undefined): string {
  const key = !principal ? 'unknown caller' : principal.open ? 'local (no API keys configured)' : `API key ${principal.name}`;
  return claimed && claimed.trim() !== '' ? `${claimed.trim()} (${key})` : key;
}

function answer(outcome: NotNeededOutcome) {
  return {
    customerId: outcome.customerId,
    featureId: outcome.featureId,
    featureName: outcome.featureName,
    notNeeded: outcome.notNeeded,
    reason: outcome.reason,
    notNeededSince: outcome.markedAt,
    changed: outcome.changed,
    runsTold: outcome.runsTold,
    runsUnreachable: outcome.runsUnreachable,
  };
}

/**
 * "Not needed" (docs/api.md): `PUT /api/customers/:customerId/features/:featureId/not-needed` sets
 * or takes back the mark (`notNeeded: false` is the way back), `GET` the same path shows it with its audit; the pages'
 * button posts to `POST /customers/:customerId/features/:featureId/not-needed` (form, anti-forgery token).
 */
export function registerNotNeededRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const apply = (request: FastifyRequest, params: Params, notNeeded: boolean, reason: string | undefined, by: string, source: NotNeededSource) => {
    const trimmed = reason?.trim() ?? '';
    if (notNeeded && trimmed === '') throw new HttpError(400, 'body/reason is required when marking a feature not needed', 'body/reason');
    return applyNotNeededChange(
      {
        db: ctx.db,
        temporalClient: ctx.temporalClient,
        onError: (error, workflowId) => request.log.warn({ err: error, workflowId }, 'a run was not told about the not-needed change'),
      },
      { customerId: params.customerId, featureId: params.featureId, notNeeded, reason: trimmed || null, by, source, at: ctx.now() },
    );
  };

  app.put<{ Params: Params; Body: NotNeededBody }>(
    '/api/customers/:customerId/features/:featureId/not-needed',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Mark a feature of a customer not needed (or needed again with notNeeded: false); audited, running runs are told',
        params: PARAMS_SCHEMA,
        querystring: closedObject({}),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            notNeeded: { type: 'boolean', default: true, description: 'true (default): not needed; false: the way back' },
            reason: { ...textSchema(NOT_NEEDED_REASON_CHARS), description: 'Why; required when notNeeded is true' },
            by: { ...identifierSchema(MESSAGE_LIMITS.by), description: "Who, as the caller says; recorded next to the API key's name" },
          },
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const notNeeded = body.notNeeded ?? true;
      const outcome = await apply(request, request.params, notNeeded, body.reason, whoChanged(request.principal, body.by), 'api');
      return answer(outcome);
    },
  );

  app.get<{ Params: Params }>(
    '/api/customers/:customerId/features/:featureId/not-needed',
    {
      schema: {
        summary: "A customer's feature: its not-needed mark and the audit of every change (newest first)",
        params: PARAMS_SCHEMA,
        querystring: closedObject({}),
      },
    },
    async (request) => {
      const { customerId, featureId } = request.params;
      const status = await notNeededStatus(ctx.db, customerId, featureId);
      if (!status) throw new HttpError(404, `feature ${featureId} of customer ${customerId} not found`);
      return status;
    },
  );

  app.post<{ Params: Params; Body: NotNeededForm }>(
    '/customers/:customerId/features/:featureId/not-needed',
    {
      config: { scope: 'write', page: true },
      schema: {
        summary: "The pages' Not needed / Needed again button (form-encoded, with the page's anti-forgery token)",
        params: PARAMS_SCHEMA,
        querystring: closedObject({}),
        body: {
          type: 'object',
          required: [CSRF_FIELD, 'notNeeded'],
          additionalProperties: false,
          properties: {
            [CSRF_FIELD]: identifierSchema(200),
            notNeeded: { type: 'string', enum: ['true', 'false'] },
            reason: textSchema(NOT_NEEDED_REASON_CHARS, 0),
            back: { type: 'string', enum: [...RETURN_PAGES] },
          },
        },
      },
      errorHandler: pageErrorHandler,
    },
    async (request, reply) => {
      const { customerId } = request.params;
      const notNeeded = request.body.notNeeded === 'true';
      await apply(request, request.params, notNeeded, request.body.reason, whoChanged(request.principal, undefined), 'page');
      const back =
        request.body.back === 'workspace'
          ? `/workspace/customers/${encodeURIComponent(customerId)}?notice=${notNeeded ? 'not-needed' : 'needed-again'}`
          : `/customers/${encodeURIComponent(customerId)}/adoption`;
      return reply.redirect(back, 303);
    },
  );
}
