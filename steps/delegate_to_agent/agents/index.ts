import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../../definitions/language/types';
import type { RunFacts, StepContext } from '../../../adoption/model/run-facts';
import type { BuiltInAgents } from '../built-in-params';
import type { ActivityDeps } from '../../activity-deps';
import { draftEmail } from './communicator';
import { analyzeAdoptionGap } from './researcher';

/** What a built-in agent action receives: the same three things the HTTP transport POSTs. */
export interface AgentRequest {
  context: StepContext;
  params: Record<string, JsonValue>;
  input: RunFacts;
}

export type AgentAction = (deps: ActivityDeps, request: AgentRequest) => Promise<JsonValue>;

/** The agents that answer when no AGENT_URL is configured, by agent and action name. */
// Typed by the params table: an action here without its params there (or the other way round) does not compile.
export const builtInAgents: { readonly [Agent in keyof BuiltInAgents]: { readonly [Action in keyof BuiltInAgents[Agent]]: AgentAction } } = {
  researcher: { analyze_adoption_gap: analyzeAdoptionGap },
  communicator: { draft_email: draftEmail },
};

export function knownAgentActions(): string[] {
  return Object.entries(builtInAgents).flatMap(([agent, actions]) => Object.keys(actions).map((action) => `${agent}/${action}`));
}

/**
 * Finds a built-in action. An unknown name is a definition error that no retry can fix, so it fails the step at once
 * instead of burning the retry policy.
 */
export function resolveBuiltInAgent(agent: string, action: string): AgentAction {
  const table: Readonly<Record<string, Readonly<Record<string, AgentAction>>>> = builtInAgents;
  const found = Object.prototype.hasOwnProperty.call(table, agent) ? table[agent] : undefined;
  const fn = found && Object.prototype.hasOwnProperty.call(found, action) ? found[action] : undefined;
  if (!fn) {
    throw ApplicationFailure.create({
      message: `no built-in agent action ${agent}/${action}; known: ${knownAgentActions().join(', ')}`,
      type: 'UnknownAgentAction',
      nonRetryable: true,
      details: [{ agent, action, known: knownAgentActions() }],
    });
  }
  return fn;
}
