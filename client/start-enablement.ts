import type { Client } from '@temporalio/client';
import { startOnce } from './start-once';
import type { Db } from '../db/database';
import type { Plan } from '../definitions/plan';
import type { JsonValue } from '../definitions/language/types';
import type { EnablementInput } from '../workflows/enablement-input';
import { CustomerArr, CustomerId, DefinitionVersion, FeatureIds, AdoptionStage } from '../workflows/search-attributes';
import { loadRunFacts, loadRiskSignal, type StoredRiskSignal } from '../adoption/run-input';
import { assignHoldout, holdoutPercent } from '../adoption/holdout';
import { ENABLEMENT_WORKFLOW, type EnablementWorkflow } from '../workflows/messages';
import { resolveRules } from '../adoption/config/load';
import { markSignalHandled, recordSignalRun, signalDay } from '../adoption/signals';
import type { LoadedRules } from '../adoption/config/rules';

export const DEFAULT_TASK_QUEUE = 'adoption-enablement';

/** The business key: one run per customer and signal, so a repeated trigger finds the run instead of doubling it. */
export function enablementWorkflowId(customerId: string, signalId: string): string {
  return `adoption-stalled/${customerId}/${signalId}`;
}

/** Does a definition's `trigger.filter` accept this signal? Keys name signal fields; a list means any of. */
export function triggerMatches(plan: Plan, signal: Pick<StoredRiskSignal, 'signal_type' | 'priority'>): boolean {
  if (plan.trigger.type !== 'risk_signal_created') return false;
  const fields: Record<string, JsonValue> = { signal_type: signal.signal_type, priority: signal.priority };
  return Object.entries(plan.trigger.filter).every(([key, expected]) => {
    const actual = fields[key];
    return Array.isArray(expected) ? expected.some((value) => value === actual) : expected === actual;
  });
}

export interface StartEnablementOptions {
  client: Client;
  db: Db;
  signalId: string;
  taskQueue?: string;
  /** The definitions to choose from (compiled); the first whose trigger matches runs. */
  plans: Plan[];
  /** Share of newly stalled customer-features held out (0-50); default `impact_settings.holdout_percent` (0: none). */
  holdoutPercent?: number;
  /** The detection rules whose intervention cooldown the run keeps; default: `ADOPTION_CONFIG`'s, else the PRD's. */
  rules?: LoadedRules;
}

export interface StartEnablementResult {
  workflowId: string;
  runId: string | null;
  /** False when a run for this signal already existed (running or finished): nothing new was started. */
  started: boolean;
  definition: string;
  /** Features of the signal held out of automatic outreach (docs/impact.md); when that is all of them, no run starts. */
  heldOut: string[];
}

/** `risk_signal_created` -> enablement run, for the platform, the CLI, the listener and the detection workflow. */
export async function startEnablementForSignal(options: StartEnablementOptions): Promise<StartEnablementResult> {
  const signal = await loadRiskSignal(options.db, options.signalId);
  const plan = options.plans.find((candidate) => triggerMatches(candidate, signal));
  if (!plan) {
    const names = options.plans.map((candidate) => candidate.name).join(', ') || 'none loaded';
    throw new Error(`no definition's trigger matches signal ${signal.id} (type ${signal.signal_type}); definitions: ${names}`);
  }
  const workflowId = enablementWorkflowId(signal.customer_id, signal.id);
  const facts = await loadRunFacts(options.db, signal);
  // The holdout: only for a signal no run was started for yet (a rerun chooses the same; a started run is left alone).
  const heldOut: string[] = [];
  if (!signal.workflow_id) {
    const percent = options.holdoutPercent ?? (await holdoutPercent(options.db));
    const arms = await assignHoldout(
      options.db,
      { id: signal.id, customerId: signal.customer_id, asOf: await signalDay(options.db, signal.id) },
      facts.features.map((feature) => ({ featureId: feature.featureId, rule: feature.rule, usageScore: feature.usageScore })),
      percent,
    );
    heldOut.push(...facts.features.filter((feature) => arms.get(feature.featureId) === 'holdout').map((feature) => feature.featureId));
  }
  const definition = `${plan.name}@${plan.version}`;
  if (heldOut.length === facts.features.length) {
    // Every feature is in the holdout: no outreach. The signal is handled (the listener does not retry it), no run.
    await markSignalHandled(options.db, signal.id);
    return { workflowId, runId: null, started: false, definition, heldOut };
  }
  const input: EnablementInput = {
    plan,
    ...facts,
    features: facts.features.filter((feature) => !heldOut.includes(feature.featureId)),
    cooldownDays: (options.rules ?? resolveRules()).rules.cooldowns.interventionDays,
  };
  // A running run is found as it is; a finished one is not started again for the same signal.
  const { started, runId } = await startOnce<EnablementWorkflow>(options.client, ENABLEMENT_WORKFLOW, {
    workflowId,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    args: [input],
    typedSearchAttributes: [
      { key: CustomerId, value: input.customer.id },
      { key: FeatureIds, value: input.features.map((feature) => feature.featureId) },
      { key: CustomerArr, value: input.customer.arr },
      { key: AdoptionStage, value: input.features[0].stage },
      { key: DefinitionVersion, value: `${plan.name}@${plan.version}` },
    ],
    memo: {
      customerName: input.customer.name,
      signalId: signal.id,
      definitionDigest: plan.digest,
      definitionSource: plan.source,
    },
    staticSummary: summaryOf(input),
    staticDetails: detailsOf(input),
  });
  await recordSignalRun(options.db, signal.id, workflowId);
  return { workflowId, runId, started, definition, heldOut };
}

function summaryOf(input: EnablementInput): string {
  const [first, ...rest] = input.features;
  const more = rest.length > 0 ? ` (+${rest.length} more)` : '';
  return `Feature adoption stalled: ${input.customer.name}, ${first.featureName}${more}`;
}

/** Markdown the Web UI shows on the run's page: what the CSM is being asked to act on. */
function detailsOf(input: EnablementInput): string {
  const lines = [
    `**${input.customer.name}** (ARR $${input.customer.arr.toLocaleString('en-US')}, ${input.customer.segment}), ` +
      `CSM ${input.customer.csm.name ?? 'unassigned'}`,
    '',
    '| feature | stage | usage score | rule |',
    '|---|---|---|---|',
    ...input.features.map((f) => `| ${f.featureName} | ${f.stage} | ${f.usageScore}/100 | ${f.rule} |`),
    '',
    `definition ${input.plan.name}@${input.plan.version} (${input.plan.digest.slice(0, 12)})`,
  ];
  return lines.join('\n');
}
