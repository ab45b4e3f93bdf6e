import type { RunFacts } from '../core/run-facts';
import type { Plan } from '../definitions/plan';

/** What an enablement run starts with: its facts and the plan it keeps for its whole life. Types only. */
export interface EnablementInput extends RunFacts {
  plan: Plan;
}

/** Activities get the run's facts but not the plan: the plan is the workflow's business and would bloat history. */
export function factsOf(input: EnablementInput): RunFacts {
  const { plan: _plan, ...facts } = input;
  return facts;
}
