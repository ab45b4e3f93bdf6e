import { ApplicationFailure } from '@temporalio/common';
import type { EnablementActivities, MeasureAdoptionArgs, MeasureAdoptionResult, StepContext } from './contracts';
import type { ActivityDeps } from './deps';
import { createCheckRecentInterventionsActivity } from './check-recent-interventions';
import { createCreateTaskActivity } from './create-task';
import { createDelegateToAgentActivity } from './delegate-to-agent';
import { createQueryDatabaseActivity } from './query-database';
import { createSendEmailActivity } from './send-email';
import { createSlackDmActivity } from './slack-dm';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the dependencies it hands in (real servers in tests too). */
export function createActivities(deps: ActivityDeps): EnablementActivities & Record<string, Function> {
  return {
    ...createDelegateToAgentActivity(deps),
    ...createQueryDatabaseActivity(deps),
    ...createSlackDmActivity(deps),
    ...createCreateTaskActivity(deps),
    ...createSendEmailActivity(deps),
    ...createCheckRecentInterventionsActivity(deps),
    // TODO(measure-adoption): activities/measure-adoption.ts did not exist yet when this file was written. Replace
    // the next line with `...createMeasureAdoptionActivity(deps),` and import it from './measure-adoption'.
    ...measureAdoptionNotWired(),
  };
}

function measureAdoptionNotWired() {
  return {
    async measureAdoption(_context: StepContext, _args: MeasureAdoptionArgs): Promise<MeasureAdoptionResult> {
      throw ApplicationFailure.create({ message: 'measureAdoption is not wired into createActivities yet', type: 'NotImplemented', nonRetryable: true });
    },
  };
}
