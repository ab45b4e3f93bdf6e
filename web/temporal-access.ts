import { QueryNotRegisteredError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { HttpError } from './errors';

/**
 * How the API reaches Temporal: a connected client, or a function that connects on first use (the `api` command:
 * the server starts and answers everything else while Temporal is down). Without either, the workflow endpoints
 * answer 503 and say why.
 */
export interface TemporalAccess {
  client: Client | (() => Promise<Client>);
  taskQueue: string;
}

/** How long a `state` query may take before the API gives up (a run whose worker is down never answers). */
export const QUERY_TIMEOUT_MS = 10_000;

export function temporalClientGetter(temporal: TemporalAccess | undefined): () => Promise<Client> {
  if (!temporal) {
    return () =>
      Promise.reject(new HttpError(503, 'Temporal is not configured for this API server, so workflow runs cannot be signalled or queried'));
  }
  const { client } = temporal;
  if (typeof client !== 'function') return () => Promise.resolve(client);
  let pending: Promise<Client> | null = null;
  return async () => {
    pending ??= client();
    try {
      return await pending;
    } catch (error) {
      pending = null; // the next request tries again
      throw new HttpError(503, `Temporal is unavailable: ${(error as Error).message}`);
    }
  };
}

/**
 * Sends one message of a run's contract (workflows/messages.ts). Every failure comes back as the HttpError an answer
 * needs: Temporal not configured or down 503, no such run 404, a finished run 409, and so on.
 */
export async function signalRun<Args extends unknown[]>(
  getClient: () => Promise<Client>,
  workflowId: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  let client: Client | null = null;
  try {
    client = await getClient();
    await client.workflow.getHandle(workflowId).signal(signal, ...args);
  } catch (error) {
    throw client ? await temporalErrorToHttp(error, client, workflowId) : error;
  }
}

/** Temporal client errors as HTTP answers: a missing run is a 404, a finished one a 409. */
export async function temporalErrorToHttp(error: unknown, client: Client, workflowId: string): Promise<HttpError> {
  if (error instanceof HttpError) return error;
  if (error instanceof WorkflowNotFoundError) {
    // Signalling a closed run also reports "not found": tell the two apart.
    const status = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then((description) => description.status.name)
      .catch(() => null);
    if (status && status !== 'RUNNING') return new HttpError(409, `workflow ${workflowId} has already finished (${status})`);
    return new HttpError(404, `workflow ${workflowId} not found`);
  }
  if (error instanceof QueryNotRegisteredError) {
    return new HttpError(404, `workflow ${workflowId} has no state query (is it an enablement run?)`);
  }
  const code = (error as { code?: number }).code;
  const message = (error as Error).message ?? String(error);
  if (code === 4 || /deadline/i.test(message)) {
    return new HttpError(504, `workflow ${workflowId} did not answer in time (is a worker running for it?)`);
  }
  if (code === 14) return new HttpError(503, `Temporal is unavailable: ${message}`);
  return new HttpError(502, `Temporal refused the request: ${message}`);
}
