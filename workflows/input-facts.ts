import type { EnablementInput } from './enablement-input';

/** Activities get the run's facts but not the plan: the plan is the workflow's business and would bloat history. */
export function inputWithoutPlan(input: EnablementInput): Omit<EnablementInput, 'plan'> {
  const { plan: _plan, ...facts } = input;
  return facts;
}
