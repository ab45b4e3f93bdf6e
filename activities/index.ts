import type { EnablementActivities } from './contracts';
import type { ActivityDeps } from './deps';
import { createCheckRecentInterventionsActivity } from './check-recent-interventions';
import { createCreateTaskActivity } from './create-task';
import { createDetectionActivities } from './detection-activities';
import { createMeasureAdoptionActivity } from './measure-adoption';
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
    ...createMeasureAdoptionActivity(deps),
    ...createDetectionActivities(deps),
  };
}
