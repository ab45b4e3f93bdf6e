import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Db } from '../db/database';
import type { EmailDecision } from '../steps/signals';
import type { Plan } from '../definitions/plan';
import { startEnablementForSignal, type StartEnablementResult } from './start-enablement';
import {
  emailDecisionSignal,
  recoveredSignal,
  stateQuery,
  validateEmailDecision,
  validateRecovered,
  type EnablementState,
  type EnablementWorkflow,
} from '../workflows/messages';
import { type RecoveredSignal } from '../steps/signals';
import type { EnablementResult } from '../workflows/enablement';

/** The plugin's name on a client (and a worker): how the helpers find it among the client's plugins. */
export const PLUGIN_NAME = 'adoption-enablement';

/** What the helpers need of the plugin (`AdoptionEnablementPlugin` is one): its queue, definitions and database. */
export interface EnablementPluginSettings {
  readonly name: string;
  readonly taskQueue: string;
  readonly deps?: { db: Db };
  plans(): Plan[];
}

/**
 * Typed helpers over the platform's own `Client` for enablement runs. Payloads are validated before anything is
 * sent (a typo is refused with the field's name); the run validates them again.
 */
export interface EnablementClient {
  /** The task queue runs start on (the plugin's). */
  readonly taskQueue: string;
  /** Starts the run for a stored `adoption_stalled` risk signal; a second call finds the existing run (`started: false`). */
  startForSignal(signalId: string): Promise<StartEnablementResult>;
  /** Sends the CSM's decision on the email draft (signal `emailDecision`). */
  decide(workflowId: string, decision: EmailDecision): Promise<void>;
  /** Tells a run a feature's usage resumed (signal `recovered`). */
  recovered(workflowId: string, signal: RecoveredSignal): Promise<void>;
  /** The run's state (query `state`). */
  state(workflowId: string): Promise<EnablementState>;
  /** Waits for the run to finish and returns its result. */
  result(workflowId: string): Promise<EnablementResult>;
  handle(workflowId: string): WorkflowHandle;
}

export interface EnablementClientOptions {
  /** Default: the plugin registered on the client (`new Client({ plugins: [plugin] })`). */
  plugin?: EnablementPluginSettings;
  /** Default: the plugin's `deps.db`. */
  db?: Db;
}

/** Finds our plugin among the client's plugins, by its name. */
export function findEnablementPlugin(client: Client): EnablementPluginSettings | undefined {
  const plugins = ((client.options as { plugins?: unknown[] }).plugins ?? []) as Array<{ name?: string }>;
  return plugins.find((plugin) => plugin?.name === PLUGIN_NAME) as EnablementPluginSettings | undefined;
}

export function enablementClient(client: Client, options: EnablementClientOptions = {}): EnablementClient {
  const plugin = options.plugin ?? findEnablementPlugin(client);
  if (!plugin) {
    throw new Error('enablementClient: the client has no AdoptionEnablementPlugin; create it with new Client({ connection, plugins: [plugin] })');
  }
  const db = options.db ?? plugin.deps?.db;
  const handle = (workflowId: string) => client.workflow.getHandle<EnablementWorkflow>(workflowId);
  return {
    taskQueue: plugin.taskQueue,
    startForSignal(signalId) {
      if (!db) throw new Error('enablementClient: starting a run reads the signal from the database: give the plugin deps.db');
      return startEnablementForSignal({ client, db, signalId, plans: plugin.plans(), taskQueue: plugin.taskQueue });
    },
    async decide(workflowId, decision) {
      await handle(workflowId).signal(emailDecisionSignal, validateEmailDecision(decision));
    },
    async recovered(workflowId, signal) {
      await handle(workflowId).signal(recoveredSignal, validateRecovered(signal));
    },
    state: (workflowId) => handle(workflowId).query(stateQuery),
    result: (workflowId) => handle(workflowId).result(),
    handle,
  };
}
