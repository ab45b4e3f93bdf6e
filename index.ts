/**
 * The package's public API for a platform wiring it into its own Temporal cluster: start runs for risk signals,
 * run the worker, create the detection schedule, compile definitions, serve the API.
 */
export { createWorker, type CreateWorkerOptions } from './worker/create-worker';
export { registerSearchAttributes } from './client/search-attribute-registration';
export { createActivities } from './activities';
export type { ActivityDeps } from './steps/activity-deps';
export {
  startEnablementForSignal,
  enablementWorkflowId,
  triggerMatches,
  DEFAULT_TASK_QUEUE,
  type StartEnablementOptions,
  type StartEnablementResult,
} from './client/start-enablement';
export { startListener, type ListenerOptions } from './client/listener';
export { createDetectionSchedule, deleteDetectionSchedule, DETECTION_SCHEDULE_ID } from './client/schedule';
export { compileDefinition, loadDefinitionFile, loadShippedPlans } from './definitions/compile';
export type { Plan } from './definitions/plan';
export type { PlanStep } from './steps/index';
export {
  validateEmailDecision,
  validateRecovered,
  InvalidMessageError,
  emailDecisionSignal,
  recoveredSignal,
  stateQuery,
  ENABLEMENT_WORKFLOW,
} from './workflows/messages';
export type { EnablementState } from './workflows/messages';
export type { RecoveredSignal } from './steps/signals';
export type { EmailDecision } from './steps/signals';
export type { EnablementInput } from './workflows/enablement-input';
export { openDatabase } from './db/open';
export { migrate } from './db/migrate';
export type { Db } from './db/database';
export { runDetection } from './adoption/detection';
export { buildApiServer } from './web/server';
export { buildWorkflowBundle } from './plugin/workflow-bundle';
export { AdoptionEnablementPlugin, enablementClient, type AdoptionEnablementPluginOptions, type EnablementClient } from './plugin';
