import { SimplePlugin } from '@temporalio/plugin';
import { Client, type ClientOptions, type ClientPlugin } from '@temporalio/client';
import {
  NativeConnection,
  type BundleOptions,
  type BundlerPlugin,
  type ReplayWorkerOptions,
  type WorkerOptions,
  type WorkerPlugin,
  type Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { startOutboxRelay } from '../channels/delivery-relay';
import { deliveryHooks } from '../adoption/delivery-hooks';
import { createActivities, type ActivityDeps } from '../activities';
import { createDetectionActivities } from '../activities/detection-activities';
import { loadShippedPlans } from '../definitions/compile';
import type { Plan } from '../definitions/plan';
import { DEFAULT_TASK_QUEUE } from '../client/start-enablement';
import { registerSearchAttributes } from '../client/search-attribute-registration';
import { findEnablementPlugin, PLUGIN_NAME } from '../client/enablement-client';
import { DETECTION_WORKFLOW_TYPE } from '../workflows/detection';
import { ENABLEMENT_WORKFLOW } from '../workflows/messages';
import { workflowBundle } from './workflow-bundle';
import { checkBundleCode, workflowsExportCheck } from './workflows-check';

export { PLUGIN_NAME };

/** Finds our plugin among the client's plugins. */
export function findPlugin(client: Client): AdoptionEnablementPlugin | undefined {
  return findEnablementPlugin(client) as AdoptionEnablementPlugin | undefined;
}

/** The workflow types the plugin brings; their names are part of the committed histories and never change. */
export const WORKFLOW_TYPES = [ENABLEMENT_WORKFLOW, DETECTION_WORKFLOW_TYPE] as const;

/** gRPC status code of a refused operator call (Temporal Cloud keys cannot add search attributes that way). */
const PERMISSION_DENIED = 7;

export interface AdoptionEnablementPluginOptions {
  /**
   * What our activities need: the database (required on a worker and for starting runs), Slack, the mailer, the
   * agents, a clock and a log. The same `deps` `createWorker` takes. `deps.temporal` may be left out: the plugin then
   * gives the detection activities a client on the worker's own connection and task queue.
   */
  deps?: ActivityDeps;
  /**
   * The task queue enablement runs are started on and served from. Default `adoption-enablement` (a dedicated
   * worker); set it to the platform's own queue to share one worker. A worker using the plugin must poll this queue.
   */
  taskQueue?: string;
  /** Folder of the YAML definitions runs choose from; default the shipped `definitions/`. */
  definitionsDir?: string;
  /** Registers our custom search attributes in the worker's namespace before it polls (default true). */
  registerSearchAttributes?: boolean;
  /**
   * Our prebuilt workflow bundle is used when the worker brings no workflow code; this replaces it (tests pass a
   * cached bundle). Ignored when the worker has its own `workflowsPath` or `workflowBundle`.
   */
  workflowBundle?: WorkflowBundleOption;
  /** Replaces the activities built from `deps` (fault-injecting recorders); normally left out. */
  activities?: object;
  /**
   * How often the worker's outbox relay delivers messages written while their channel was unset or down
   * (docs/delivery.md); default 30 s, 0 turns it off (another worker relays).
   */
  outboxRelayIntervalMs?: number;
}

const DEFAULT_OUTBOX_RELAY_INTERVAL_MS = 30_000;

/**
 * PRD-090's enablement playbook as a Temporal plugin: put it in `plugins` of the platform's `Worker.create`,
 * `new Client(...)`, `bundleWorkflowCode` or `Worker.runReplayHistories`.
 *
 * - Worker: adds our activities (refusing a name the platform already registers), our workflows (our prebuilt
 *   bundle when the worker has no workflow code; otherwise the platform's workflows file must re-export
 *   `adoption-enablement/workflows`, checked while bundling), and registers our search attributes before polling.
 * - Replay worker and bundler: the same workflow code, so the platform's replay tests cover our histories.
 * - Client: `enablementClient(client)` finds the plugin on the client and starts runs, sends decisions, reads state.
 *
 * Plugins are experimental in the Temporal TypeScript SDK; this package pins `@temporalio/plugin` to the SDK version.
 */
export class AdoptionEnablementPlugin implements WorkerPlugin, ClientPlugin, BundlerPlugin {
  readonly name = PLUGIN_NAME;
  readonly taskQueue: string;
  private readonly settings: AdoptionEnablementPluginOptions;
  private plansCache: Plan[] | undefined;

  constructor(options: AdoptionEnablementPluginOptions = {}) {
    this.settings = options;
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  }

  /**
   * The activity dependencies, for the client helpers (the database) and for the platform's own use; the domain's
   * on-delivered hooks are wired in unless the platform brought its own.
   */
  get deps(): ActivityDeps | undefined {
    const deps = this.settings.deps;
    return deps && { ...deps, onDelivered: deps.onDelivered ?? deliveryHooks };
  }

  /** The compiled definitions runs choose from (loaded once, validated: an invalid file fails loudly). */
  plans(): Plan[] {
    this.plansCache ??= this.settings.definitionsDir ? loadShippedPlans(this.settings.definitionsDir) : loadShippedPlans();
    return this.plansCache;
  }

  /** Nothing to change on the client; `enablementClient(client)` finds the plugin among the client's plugins. */
  configureClient(options: Omit<ClientOptions, 'plugins'>): Omit<ClientOptions, 'plugins'> {
    return options;
  }

  async configureWorker(options: WorkerOptions): Promise<WorkerOptions> {
    if (options.taskQueue !== this.taskQueue) {
      throw new Error(
        `AdoptionEnablementPlugin: this worker polls task queue '${options.taskQueue}', but enablement runs start on ` +
          `'${this.taskQueue}'. Share the queue with new AdoptionEnablementPlugin({ taskQueue: '${options.taskQueue}', ... }), ` +
          `or run a dedicated worker with taskQueue: plugin.taskQueue.`,
      );
    }
    const namespace = options.namespace ?? 'default';
    const activities = this.ourActivities(options, namespace);
    const clashes = Object.keys(activities).filter((name) => name in ((options.activities ?? {}) as object));
    if (clashes.length > 0) {
      throw new Error(
        `AdoptionEnablementPlugin: the worker already registers activities named ${clashes.join(', ')}; ` +
          `ours would replace them. Run the plugin on a dedicated worker and task queue (README "Use it in your worker").`,
      );
    }
    const ownWorkflows = Boolean(options.workflowsPath || options.workflowBundle);
    if (options.workflowBundle) await checkBundleCode(options.workflowBundle, WORKFLOW_TYPES);
    // With a workflowsPath the worker bundles it itself and calls configureBundler: the re-export is checked there.
    // SimplePlugin's merge rules: activities appended to the worker's, the bundle only where the worker has none.
    const configured = new SimplePlugin({
      name: PLUGIN_NAME,
      activities,
      workflowBundle: ownWorkflows ? undefined : (this.settings.workflowBundle ?? (await workflowBundle())),
    }).configureWorker(options);
    if (this.settings.registerSearchAttributes !== false) await this.registerSearchAttributes(options.connection, namespace);
    return configured;
  }

  /** While the worker runs, its outbox relay delivers what waits in the outbox (channels/delivery-relay.ts). */
  async runWorker(worker: Worker, next: (worker: Worker) => Promise<void>): Promise<void> {
    const deps = this.deps;
    const intervalMs = this.settings.outboxRelayIntervalMs ?? DEFAULT_OUTBOX_RELAY_INTERVAL_MS;
    const relay = deps && intervalMs > 0 ? startOutboxRelay(deps, intervalMs) : undefined;
    try {
      await next(worker);
    } finally {
      await relay?.stop();
    }
  }

  /** Replay workers get the same workflow code as workers: our bundle, or the platform's with the re-export. */
  async configureReplayWorker(options: ReplayWorkerOptions): Promise<ReplayWorkerOptions> {
    if (options.workflowBundle) await checkBundleCode(options.workflowBundle, WORKFLOW_TYPES);
    if (options.workflowsPath || options.workflowBundle) return options;
    return { ...options, workflowBundle: this.settings.workflowBundle ?? (await workflowBundle()) };
  }

  /** Bundling the platform's workflows (by its worker or `bundleWorkflowCode({ plugins })`): checks the re-export. */
  configureBundler(options: BundleOptions): BundleOptions {
    const previousHook = options.webpackConfigHook;
    const check = workflowsExportCheck(options.workflowsPath, WORKFLOW_TYPES);
    return {
      ...options,
      webpackConfigHook: (config) => {
        const base = previousHook ? previousHook(config) : config;
        type WebpackPlugin = NonNullable<typeof base.plugins>[number];
        return { ...base, plugins: [...(base.plugins ?? []), check as unknown as WebpackPlugin] };
      },
    };
  }

  private ourActivities(options: WorkerOptions, namespace: string): object {
    if (this.settings.activities) return this.settings.activities;
    const deps = this.deps;
    if (!deps) {
      throw new Error('AdoptionEnablementPlugin: a worker needs the activity dependencies: new AdoptionEnablementPlugin({ deps: { db, ... } })');
    }
    const withTemporal: ActivityDeps = deps.temporal
      ? deps
      : {
          ...deps,
          // A NativeConnection is a client connection too: detection starts runs over the worker's own connection.
          temporal: options.connection ? { client: new Client({ connection: options.connection, namespace }), taskQueue: this.taskQueue } : undefined,
        };
    const activities = createActivities(withTemporal);
    if (!this.settings.definitionsDir) return activities;
    return { ...activities, ...createDetectionActivities(withTemporal, { plans: () => this.plans() }) };
  }

  private async registerSearchAttributes(connection: NativeConnection | undefined, namespace: string): Promise<void> {
    const own = connection ? undefined : await NativeConnection.connect();
    try {
      const added = await registerSearchAttributes((connection ?? own)!, namespace);
      if (added.length > 0) this.settings.deps?.log?.(`registered search attributes in ${namespace}: ${added.join(', ')}`);
    } catch (error) {
      if ((error as { code?: number }).code !== PERMISSION_DENIED) throw error;
      // Temporal Cloud: attributes are created in the Cloud UI or with tcld; a start fails clearly if they are missing.
      (this.settings.deps?.log ?? ((message: string) => process.stderr.write(`${message}\n`)))(
        `adoption-enablement: not allowed to register search attributes in ${namespace}; create them as the README says`,
      );
    } finally {
      await own?.close();
    }
  }
}
