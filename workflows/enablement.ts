import {
  ApplicationFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { JsonValue, PlanStep } from '../definitions/plan';
import type { EnablementActivities, StepContext } from '../activities/contracts';
import { resolveTemplate } from '../definitions/template';
import type { EnablementInput } from './enablement-input';
import { evaluateCondition } from './conditions';
import {
  emailDecisionSignal,
  recoveredSignal,
  stateQuery,
  validateEmailDecision,
  validateRecovered,
  type EnablementState,
} from './messages';
import { buildInitialScope } from './scope';
import { AdoptionStage } from './search-attributes';
import type { SignalInbox, StepRun } from './step-run';
import { STEP_EXECUTORS } from './steps';

/** FR-2.4: a feature with an intervention this recent is left out of the run ("Already intervened"). */
export const INTERVENTION_COOLDOWN_DAYS = 30;

const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

export interface EnablementResult {
  status: 'completed' | 'suppressed';
  outcome: string | null;
  features: string[];
  suppressed: Array<{ featureId: string; lastInterventionAt: string }>;
  steps: Record<string, JsonValue>;
}

/**
 * Runs a compiled plan (carried in the input, so YAML edits never affect a running workflow) step by step.
 * Deterministic: every side effect is an activity, time comes from timers, and the only inputs are the plan, the
 * run's facts and the signals it receives.
 */
export async function enablementWorkflow(input: EnablementInput): Promise<EnablementResult> {
  const { plan } = input;
  const info = workflowInfo();
  const inbox: SignalInbox = { emailDecisions: [], recovered: [] };
  // The features the playbook runs for: the signal's, less those the cooldown check leaves out.
  let features = input.features;
  const state: EnablementState = {
    definition: { name: plan.name, version: plan.version, digest: plan.digest },
    status: 'running',
    step: { index: 0, total: plan.steps.length, id: null },
    features: featureStates(features),
    rejectedMessages: [],
  };

  setHandler(stateQuery, () => state);
  setHandler(emailDecisionSignal, (payload) => {
    try {
      inbox.emailDecisions.push(validateEmailDecision(payload));
    } catch (error) {
      rejectMessage(state, 'emailDecision', error);
    }
  });
  setHandler(recoveredSignal, (payload) => {
    try {
      const recovered = validateRecovered(payload);
      if (!features.some((feature) => feature.featureId === recovered.featureId)) {
        throw new Error(`featureId: ${recovered.featureId} is not a feature of this run`);
      }
      if (!inbox.recovered.some((known) => known.featureId === recovered.featureId)) inbox.recovered.push(recovered);
    } catch (error) {
      rejectMessage(state, 'recovered', error);
    }
  });

  const suppressed = await checkCooldown(input);
  if (suppressed.length === input.features.length) {
    state.status = 'suppressed';
    state.outcome = 'suppressed';
    setCurrentDetails(`suppressed: every feature had an intervention in the last ${INTERVENTION_COOLDOWN_DAYS} days`);
    return { status: 'suppressed', outcome: 'suppressed', features: [], suppressed, steps: {} };
  }
  // The remaining features run the playbook; the suppressed ones are named in the result for the record.
  const left = new Set(suppressed.map((entry) => entry.featureId));
  features = input.features.filter((feature) => !left.has(feature.featureId));
  state.features = featureStates(features);
  const runInput: EnablementInput = { ...input, features };

  const scope = buildInitialScope(runInput, info.workflowId);
  const steps = scope.steps as Record<string, JsonValue>;
  const run: StepRun = {
    input: runInput,
    scope,
    state,
    inbox,
    activities: (step) => proxyActivities<EnablementActivities>(activityOptionsFor(step)),
    context: (step) => stepContext(runInput, step.id),
    resolve: (value) => resolveTemplate(value, scope),
    setWaiting(step, waitingFor) {
      state.waitingFor = waitingFor;
      state.status = waitingFor ? 'waiting' : 'running';
      setCurrentDetails(describeProgress(state, waitingFor ? `waiting for ${waitingFor}` : step.action));
    },
  };

  const indexById = new Map(plan.steps.map((step, index) => [step.id, index]));
  let index = 0;
  while (index < plan.steps.length) {
    const step = plan.steps[index];
    state.step = { index: index + 1, total: plan.steps.length, id: step.id };
    setCurrentDetails(describeProgress(state, step.action));
    if (step.when && !evaluateCondition(step.when, scope)) {
      record(scope, step, { skipped: true });
      index += 1;
      continue;
    }
    const executor = STEP_EXECUTORS[step.action] as (step: PlanStep, run: StepRun) => ReturnType<(typeof STEP_EXECUTORS)['wait']>;
    let outcome;
    try {
      outcome = await executor(step, run);
    } catch (error) {
      state.status = 'failed';
      setCurrentDetails(describeProgress(state, `failed: ${(error as Error).message}`));
      throw error;
    }
    record(scope, step, outcome.result);
    const next = outcome.next ?? { kind: 'next' };
    if (next.kind === 'fail') {
      state.status = 'failed';
      setCurrentDetails(describeProgress(state, next.message));
      throw ApplicationFailure.nonRetryable(next.message, 'StepFailed');
    }
    index = next.kind === 'goto' ? indexById.get(next.step)! : index + 1;
  }

  state.status = 'completed';
  state.step = { index: plan.steps.length, total: plan.steps.length, id: null };
  if (state.outcome) upsertSearchAttributes([{ key: AdoptionStage, value: state.outcome }]);
  setCurrentDetails(`completed${state.outcome ? `: ${state.outcome}` : ''}`);
  return {
    status: 'completed',
    outcome: state.outcome ?? null,
    features: features.map((feature) => feature.featureId),
    suppressed,
    steps,
  };
}

function featureStates(features: EnablementInput['features']): EnablementState['features'] {
  return features.map(({ featureId, stage, usageScore }) => ({ featureId, stage, usageScore }));
}

async function checkCooldown(input: EnablementInput) {
  const activities = proxyActivities<EnablementActivities>({ ...DEFAULT_ACTIVITY_OPTIONS, summary: 'cooldown check' });
  const { suppressed } = await activities.checkRecentInterventions(stepContext(input, 'cooldown_check'), {
    cooldownDays: INTERVENTION_COOLDOWN_DAYS,
  });
  return suppressed;
}

function record(scope: Record<string, JsonValue>, step: PlanStep, result: JsonValue): void {
  (scope.steps as Record<string, JsonValue>)[step.id] = result;
  if (step.output) scope[step.output] = result;
}

function activityOptionsFor(step: PlanStep): ActivityOptions {
  const retry = step.retry;
  return {
    ...DEFAULT_ACTIVITY_OPTIONS,
    summary: step.id,
    ...(step.timeoutSeconds ? { startToCloseTimeout: step.timeoutSeconds * 1000 } : {}),
    ...(retry
      ? {
          retry: {
            ...DEFAULT_ACTIVITY_OPTIONS.retry,
            ...(retry.maximumAttempts !== undefined ? { maximumAttempts: retry.maximumAttempts } : {}),
            ...(retry.initialIntervalSeconds !== undefined ? { initialInterval: retry.initialIntervalSeconds * 1000 } : {}),
            ...(retry.backoffCoefficient !== undefined ? { backoffCoefficient: retry.backoffCoefficient } : {}),
            ...(retry.maximumIntervalSeconds !== undefined ? { maximumInterval: retry.maximumIntervalSeconds * 1000 } : {}),
          },
        }
      : {}),
  };
}

function stepContext(input: EnablementInput, stepId: string): StepContext {
  const info = workflowInfo();
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    stepId,
    customerId: input.customer.id,
    featureIds: input.features.map((feature) => feature.featureId),
    definition: { name: input.plan.name, version: input.plan.version, digest: input.plan.digest },
  };
}

/** "step 4/8 (draft_enablement_email): waiting for CSM approval": what the Web UI shows as current details. */
function describeProgress(state: EnablementState, doing: string): string {
  return `step ${state.step.index}/${state.step.total} (${state.step.id ?? '-'}): ${doing}`;
}

function rejectMessage(state: EnablementState, signal: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.warn(`ignored malformed ${signal} signal`, { error: message });
  state.rejectedMessages.push({ signal, error: message });
}
