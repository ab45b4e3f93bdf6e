import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/workflow';
import type { FastifyInstance } from 'fastify';
import {
  emailDecisionSignal,
  InvalidMessageError,
  recoveredSignal,
  stateQuery,
  validateEmailDecision,
  validateRecovered,
  type EnablementWorkflow,
} from '../../workflows/messages';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { closedObject, identifierSchema } from '../input-limits';
import { QUERY_TIMEOUT_MS, temporalErrorToHttp } from '../temporal-access';
import { decidedBy } from '../auth';

type Params = { workflowId: string };

// Temporal's default limit on workflow ids is 1000 bytes; no control characters (a NUL never reaches Temporal).
const PARAMS_SCHEMA = closedObject({ workflowId: identifierSchema(1000) }, ['workflowId']);
// The signal routes take no query parameters; the body is checked by the run's own validators (below).
const NO_QUERY = closedObject({});

/**
 * The message contract of an enablement run over HTTP (README "Message contract"): the body is validated by the
 * same validators the run uses, so a bad payload is refused with a 400 naming the field and nothing is sent.
 * Workflow ids contain slashes: put them in the path URL-encoded (`adoption-stalled%2F<customer>%2F<signal>`).
 */
export function registerWorkflowRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const withClient = async <T>(workflowId: string, work: (client: Client) => Promise<T>): Promise<T> => {
    const client = await ctx.temporalClient();
    try {
      return await work(client);
    } catch (error) {
      throw await temporalErrorToHttp(error, client, workflowId);
    }
  };

  const validated = <T>(validate: (payload: unknown) => T, body: unknown): T => {
    try {
      return validate(body);
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      // The validators name the field ("decision"), or the payload itself when it is not an object.
      const field = [emailDecisionSignal.name, recoveredSignal.name].includes(error.field) ? 'body' : `body/${error.field}`;
      const problem = error.message.slice(`${error.field}: `.length);
      throw new HttpError(400, `${field} ${problem}`, field);
    }
  };

  const signalRoute = <T>(path: string, signal: SignalDefinition<[T]>, validate: (payload: unknown) => T) =>
    app.post<{ Params: Params }>(
      path,
      { schema: { params: PARAMS_SCHEMA, querystring: NO_QUERY }, config: { scope: 'workflows' } },
      async (request, reply) => {
        // A decision made with an API key is recorded as that key's (docs/security.md).
        const payload = validated(validate, signal === emailDecisionSignal ? decidedBy(request.principal, request.body) : request.body);
        const { workflowId } = request.params;
        await withClient(workflowId, (client) => client.workflow.getHandle<EnablementWorkflow>(workflowId).signal(signal, payload));
        return reply.code(202).send({ workflowId, signal: signal.name, accepted: true });
      },
    );

  signalRoute('/api/workflows/:workflowId/email-decision', emailDecisionSignal, validateEmailDecision);
  signalRoute('/api/workflows/:workflowId/recovered', recoveredSignal, validateRecovered);

  app.get<{ Params: Params }>('/api/workflows/:workflowId/state', { schema: { params: PARAMS_SCHEMA, querystring: NO_QUERY } }, async (request) => {
    const { workflowId } = request.params;
    return withClient(workflowId, (client) =>
      client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.workflow.getHandle<EnablementWorkflow>(workflowId).query(stateQuery)),
    );
  });
}
