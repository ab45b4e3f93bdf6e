import type { RunFacts } from '../adoption/model/run-facts';
import type { Plan } from '../definitions/plan';

/** What an enablement run starts with: its facts and the plan it keeps for its whole life. Types only. */
export interface EnablementInput extends RunFacts {
  plan: Plan;
  /**
   * FR-2.4's intervention cooldown of the rules the run started under (`adoption.config.yaml`), pinned like the plan
   * so a later change of the file does not change a run in flight. Absent in runs of earlier releases: 30 days.
   */
  cooldownDays?: number;
}

/** Activities get the run's facts but not the plan: the plan is the workflow's business and would bloat history. */
export function factsOf(input: EnablementInput): RunFacts {
  const { plan: _plan, cooldownDays: _cooldownDays, ...facts } = input;
  return facts;
}
