/**
 * `adoption-enablement/plugin`: the Temporal plugin and the typed client helpers, for a platform adding adoption
 * enablement to its own Client and Worker (README "Use it in your worker").
 */
export { AdoptionEnablementPlugin, findPlugin, PLUGIN_NAME, WORKFLOW_TYPES, type AdoptionEnablementPluginOptions } from './plugin';
export { enablementClient, type EnablementClient, type EnablementClientOptions } from '../client/enablement-client';
export { MissingWorkflowsError, REEXPORT_LINE } from './workflows-check';
export { ALL_SEARCH_ATTRIBUTES as SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
export { registerSearchAttributes } from '../client/search-attribute-registration';
export { DEFAULT_TASK_QUEUE, enablementWorkflowId } from '../client/start-enablement';
export type { ActivityDeps } from '../activities';
export type { EmailDecision } from '../steps/signals';
export type { EnablementState } from '../workflows/messages';
export type { RecoveredSignal } from '../steps/signals';
export type { EnablementResult } from '../workflows/enablement';
export type { StartEnablementResult } from '../client/start-enablement';
