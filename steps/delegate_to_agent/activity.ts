import { stepKey } from '../../adoption/model/run-facts';
import type { RunFacts, StepContext } from '../../adoption/model/run-facts';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../definitions/language/types';
import type { ActivityDeps } from '../activity-deps';
import { resolveBuiltInAgent } from './agents/index';

export interface DelegateToAgentArgs {
  agent: string;
  action: string;
  params: Record<string, JsonValue>;
  /** The run's input facts, so built-in agents need not reload what the run already knows. */
  input: RunFacts;
}

/** The activities a `delegate_to_agent` step calls (the worker registers them under these names). */
export interface DelegateToAgentActivities {
  delegateToAgent(context: StepContext, args: DelegateToAgentArgs): Promise<JsonValue>;
}

/** Longer than a language-model agent usually needs; the activity's start-to-close timeout is the real bound. */
export const AGENT_HTTP_TIMEOUT_MS = 120_000;
const BODY_EXCERPT_CHARS = 500;
// 4xx answers a retry cannot fix, except these, which say "not now" rather than "never".
const TRANSIENT_4XX = new Set([408, 425, 429]);

/**
 * `delegate_to_agent`: an agent gateway. With AGENT_URL (deps.agents.url) every agent is an HTTP service answering
 * POST {url}/agents/{agent}/{action} with JSON; without it the built-in agents in agents/ answer.
 */
export function createActivities(deps: ActivityDeps, options: { timeoutMs?: number } = {}): DelegateToAgentActivities {
  const timeoutMs = options.timeoutMs ?? AGENT_HTTP_TIMEOUT_MS;
  return {
    async delegateToAgent(context: StepContext, args: DelegateToAgentArgs): Promise<JsonValue> {
      const url = deps.agents?.url;
      if (url) return callHttpAgent(url, timeoutMs, context, args);
      const action = resolveBuiltInAgent(args.agent, args.action);
      return action(deps, { context, params: args.params, input: args.input });
    },
  };
}

async function callHttpAgent(baseUrl: string, timeoutMs: number, context: StepContext, args: DelegateToAgentArgs): Promise<JsonValue> {
  const name = `${args.agent}/${args.action}`;
  const url = `${baseUrl.replace(/\/+$/, '')}/agents/${encodeURIComponent(args.agent)}/${encodeURIComponent(args.action)}`;
  const { signal, cancellation } = abortSignal(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': stepKey(context.workflowId, context.stepId) },
      body: JSON.stringify({ context, params: args.params, input: args.input }),
      signal,
    });
  } catch (error) {
    // A cancelled activity reports the cancellation (Temporal's CancelledFailure), not a network failure.
    if (cancellation?.aborted) throw cancellation.reason;
    // Refused connections, DNS failures and timeouts are the network's fault: Temporal retries them.
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
    throw ApplicationFailure.create({
      message: `agent ${name} at ${url} did not answer: ${reason}`,
      type: 'AgentUnavailable',
      nonRetryable: false,
      cause: error instanceof Error ? error : undefined,
    });
  }

  const text = await response.text();
  if (!response.ok) {
    const excerpt = text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}...` : text;
    const message = `agent ${name} answered HTTP ${response.status}: ${excerpt}`;
    const retryable = response.status >= 500 || TRANSIENT_4XX.has(response.status);
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    throw ApplicationFailure.create({
      message,
      type: retryable ? 'AgentServerError' : 'AgentRequestRejected',
      nonRetryable: !retryable,
      details: [{ status: response.status, body: excerpt }],
      nextRetryDelay: retryable && Number.isFinite(retryAfter) && retryAfter > 0 ? `${retryAfter}s` : undefined,
    });
  }
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // A 2xx that is not JSON is a contract breach by the agent service, not a transient failure.
    throw ApplicationFailure.create({
      message: `agent ${name} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, BODY_EXCERPT_CHARS)}`,
      type: 'AgentBadResponse',
      nonRetryable: true,
    });
  }
}

/** The timeout, plus the activity's cancellation when running inside a worker (not when called as a plain function). */
function abortSignal(timeoutMs: number): { signal: AbortSignal; cancellation?: AbortSignal } {
  const timeout = AbortSignal.timeout(timeoutMs);
  let cancellation: AbortSignal | undefined;
  try {
    cancellation = Context.current().cancellationSignal;
  } catch {
    cancellation = undefined;
  }
  return { signal: cancellation ? AbortSignal.any([timeout, cancellation]) : timeout, cancellation };
}
