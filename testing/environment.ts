import type { Client, Connection } from '@temporalio/client';
import { stateQuery, type EnablementState, type EnablementWorkflow } from '../workflows/messages';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { registerSearchAttributes } from '../client/search-attribute-registration';

/** Our search attributes, for `TestWorkflowEnvironment.createLocal({ server: { searchAttributes } })`. */
export const SEARCH_ATTRIBUTES = ALL_SEARCH_ATTRIBUTES;

/**
 * Makes a test environment ready for runs: the time-skipping test server has no `--search-attribute` flag, so our
 * attributes are registered through its operator service (the plugin does the same for a worker before it polls).
 * Takes anything with a client connection and a namespace: a `TestWorkflowEnvironment` or a `Client`.
 */
export async function prepareTestEnvironment(env: { connection: Pick<Connection, 'operatorService'>; namespace?: string }): Promise<void> {
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
}

/**
 * Polls the run's `state` query until `predicate` holds (e.g. `(s) => s.waitingFor === 'emailDecision'`).
 * Queries do not advance time on the time-skipping server, so this waits on the wall clock, up to `timeoutMs`.
 */
export async function waitForState(
  client: Client,
  workflowId: string,
  predicate: (state: EnablementState) => boolean,
  timeoutMs = 60_000,
): Promise<EnablementState> {
  const deadline = Date.now() + timeoutMs;
  let last: EnablementState | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await client.workflow.getHandle<EnablementWorkflow>(workflowId).query(stateQuery);
      if (predicate(last)) return last;
    } catch (error) {
      lastError = error; // the first workflow task may not have run yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = last ? JSON.stringify(last) : `no state (${(lastError as Error | undefined)?.message ?? 'no answer'})`;
  throw new Error(`${workflowId}: the state never matched within ${timeoutMs} ms; last: ${seen}`);
}
