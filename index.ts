/**
 * The package's public API for a platform wiring it into its own Temporal cluster: start runs for risk signals,
 * run the worker, create the detection schedule, compile definitions, serve the API.
 */
export { createWorker, type CreateWorkerOptions } from './worker/create-worker';
export { registerSearchAttributes } from './worker/search-attribute-registration';
export { createActivities } from './activities';
export type { ActivityDeps } from './activities/deps';
export {
  startEnablementForSignal,
  enablementWorkflowId,
  triggerMatches,
  DEFAULT_TASK_QUEUE,
  ENABLEMENT_WORKFLOW_TYPE,
  type StartEnablementOptions,
  type StartEnablementResult,
} from './temporal/start-enablement';
export { startListener, type ListenerOptions } from './client/listener';
export { createDetectionSchedule, deleteDetectionSchedule, DETECTION_SCHEDULE_ID } from './client/schedule';
export { compileDefinition, loadDefinitionFile, loadShippedPlans } from './definitions/compile';
export type { Plan, PlanStep } from './definitions/plan';
export { validateEmailDecision, validateRecovered, InvalidMessageError } from './workflows/messages';
export type { EnablementState, RecoveredSignal } from './workflows/messages';
export type { EmailDecision } from './activities/contracts';
export type { EnablementInput } from './workflows/enablement-input';
export { openDatabase } from './db/open';
export { migrate } from './db/migrate';
export type { Db } from './db/database';
export { runDetection } from './adoption/detection';
export { buildApiServer } from './api/server';
