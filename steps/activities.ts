import type { ActivityDeps } from './activity-deps';
import { STEP_ACTIONS, STEP_KINDS, type StepActivities } from '.';

/**
 * The worker's half of the registry: every step kind's activities, loaded from the kind's own `activity.ts`
 * (`createActivities(deps)`). Derived from STEP_KINDS so a new kind needs no line here; loaded by path, not
 * imported, so nothing the workflow bundle reaches can pull in activity code. Each kind names the activities its
 * executor calls (`activities: { sendEmail: true }`, typed by the kind's activity interface), and a kind whose module
 * does not provide them fails here, at worker start, naming the kind and the missing activity.
 */
export function createStepActivities(deps: ActivityDeps): StepActivities {
  const all: Record<string, unknown> = {};
  for (const action of STEP_ACTIONS) {
    const names = Object.keys(STEP_KINDS[action].activities);
    if (names.length === 0) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`./${action}/activity`) as { createActivities?: (deps: ActivityDeps) => Record<string, unknown> };
    if (typeof module.createActivities !== 'function') {
      throw new Error(`step kind ${action}: steps/${action}/activity does not export createActivities(deps)`);
    }
    const provided = module.createActivities(deps);
    for (const name of names) {
      if (typeof provided[name] !== 'function') throw new Error(`step kind ${action}: its activity module provides no ${name}()`);
      all[name] = provided[name];
    }
  }
  return all as unknown as StepActivities;
}
