import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { evaluateCondition } from '../definitions/language/conditions';
import type { RunFacts, StepContext } from '../adoption/model/run-facts';
import { buildInitialScope } from '../adoption/model/scope';
import { resolveTemplate } from '../definitions/language/template';
import type { JsonValue, StepCommon } from '../definitions/language/types';
import { COOLDOWN_DAYS } from '../adoption/model/rules';
import { stepKindOf, type PlanStep, type StepActivities } from '../steps';
import { STEP_FAILED, type StepRun } from '../steps/run';
import { emptyInbox, type SignalInbox } from '../steps/signals';
import { factsOf, type EnablementInput } from './enablement-input';
import { preview } from '../adoption/model/input-checks';
import {
  emailDecisionSignal,
  featureNotNeededSignal,
  InvalidMessageError,
  recordRejectedMessage,
  recoveredSignal,
  stateQuery,
  trainingBookedSignal,
  validateEmailDecision,
  validateFeatureNotNeeded,
  validateRecovered,
  validateTrainingBooked,
  type EnablementState,
  type FeatureNotNeeded,
} from './messages';
import { AdoptionOutcome, AdoptionStage } from './search-attributes';

/** The interpreter's own activity (not a step kind): the FR-2.4 "already intervened" check before any step runs. */
export interface CooldownActivities {
  checkRecentInterventions(context: StepContext, args: { cooldownDays: number }): Promise<RecentInterventionCheck>;
}

export interface RecentInterventionCheck {
  /** Features with an intervention in the last `cooldownDays`: the run leaves them out (FR-2.4). */
  suppressed: Array<{ featureId: string; lastInterventionAt: string }>;
}

/** Every activity an enablement run may call, by name. */
export type EnablementActivities = StepActivities & CooldownActivities;

/** Since this patch a finished run reports its outcome in AdoptionOutcome and keeps AdoptionStage for the stage. */
const OUTCOME_SEARCH_ATTRIBUTE_PATCH = 'outcome-search-attribute';
/**
 * Since this patch a run whose every feature is marked not needed (the `featureNotNeeded` signal) stops before its
 * next step, ending a wait in progress at once, and completes with outcome NOT_NEEDED_OUTCOME. Runs recorded before
 * it never received the signal, so they never reach the patched path.
 */
const NOT_NEEDED_PATCH = 'feature-not-needed-signal';
export const NOT_NEEDED_OUTCOME = 'not_needed';

/**
 * Every step's activity unless the step says otherwise. Ten attempts (1 s doubling to 1 min: about four minutes) ride
 * out a restarted or briefly unreachable database, Slack or SMTP server; a failure that no retry can fix is
 * non-retryable and fails at once. The retry policy is not part of replay's determinism check (activity type and id
 * are), so runs recorded with five attempts replay unchanged.
 */
const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

export interface EnablementResult {
  status: 'completed' | 'suppressed';
  /** `not_needed` when every feature of the run was marked not needed while it ran (it stopped early). */
  outcome: string | null;
  features: string[];
  suppressed: Array<{ featureId: string; lastInterventionAt: string }>;
  steps: Record<string, JsonValue>;
}

/**
 * Runs a compiled plan (carried in the input, so YAML edits never affect a running workflow) step by step.
 * Deterministic: every side effect is an activity, time comes from timers, and the only inputs are the plan, the
 * run's facts and the signals it receives. A step either proceeds or fails the run (`StepFailed`); it never leaves
 * the run retrying a workflow task.
 */
export async function enablementWorkflow(input: EnablementInput): Promise<EnablementResult> {
  const { plan } = input;
  const info = workflowInfo();
  const inbox: SignalInbox = emptyInbox();
  // The features the playbook runs for: the signal's, less those the cooldown check leaves out.
  let features = input.features;
  const state: EnablementState = {
    definition: { name: plan.name, version: plan.version, digest: plan.digest },
    status: 'running',
    step: { index: 0, total: plan.steps.length, id: null },
    features: featureStates(features),
    rejectedMessages: [],
    rejectedMessageCount: 0,
  };

  setHandler(stateQuery, () => state);
  setHandler(emailDecisionSignal, (payload) => {
    try {
      inbox.emailDecisions.push(validateEmailDecision(payload));
    } catch (error) {
      rejectMessage(state, emailDecisionSignal.name, error);
    }
  });
  setHandler(recoveredSignal, (payload) => {
    try {
      const recovered = validateRecovered(payload);
      if (!features.some((feature) => feature.featureId === recovered.featureId)) {
        throw new InvalidMessageError('featureId', `${preview(recovered.featureId)} is not a feature of this run`);
      }
      if (!inbox.recovered.some((known) => known.featureId === recovered.featureId)) inbox.recovered.push(recovered);
    } catch (error) {
      rejectMessage(state, recoveredSignal.name, error);
    }
  });
  // Features marked not needed while the run runs, by feature id (a mark taken back leaves the map).
  const notNeeded = new Map<string, FeatureNotNeeded>();
  let stopForNotNeeded = false;
  // The scope the steps run in, so a not-needed mark can end a wait in progress (only a wait: an activity in flight
  // finishes). One scope for the whole loop because each scope costs promises, and the sandbox records a stack trace
  // per promise. It is cancelled only while a step waits, when all it reaches is that wait's timer.
  let stepsScope: CancellationScope | null = null;
  const everyFeatureNotNeeded = () => features.length > 0 && features.every((feature) => notNeeded.has(feature.featureId));
  const checkNotNeeded = () => {
    if (stopForNotNeeded || notNeeded.size === 0 || !everyFeatureNotNeeded()) return;
    if (!patched(NOT_NEEDED_PATCH)) return;
    stopForNotNeeded = true;
    if (state.waitingFor) stepsScope?.cancel();
  };
  setHandler(featureNotNeededSignal, (payload) => {
    try {
      const mark = validateFeatureNotNeeded(payload);
      if (!input.features.some((feature) => feature.featureId === mark.featureId)) {
        throw new InvalidMessageError('featureId', `${preview(mark.featureId)} is not a feature of this run`);
      }
      if (mark.notNeeded) notNeeded.set(mark.featureId, mark);
      else notNeeded.delete(mark.featureId);
      state.notNeeded = [...notNeeded.values()];
      checkNotNeeded();
    } catch (error) {
      rejectMessage(state, featureNotNeededSignal.name, error);
    }
  });
  setHandler(trainingBookedSignal, (payload) => {
    try {
      const booked = validateTrainingBooked(payload);
      state.trainingBooked = [...(state.trainingBooked ?? []), booked];
    } catch (error) {
      rejectMessage(state, trainingBookedSignal.name, error);
    }
  });

  const suppressed = await checkCooldown(factsOf(input), input);
  if (suppressed.length === input.features.length) {
    state.status = 'suppressed';
    state.outcome = 'suppressed';
    setCurrentDetails(`suppressed: every feature had an intervention in the last ${input.cooldownDays ?? COOLDOWN_DAYS} days`);
    return { status: 'suppressed', outcome: 'suppressed', features: [], suppressed, steps: {} };
  }
  // The remaining features run the playbook; the suppressed ones are named in the result for the record.
  const left = new Set(suppressed.map((entry) => entry.featureId));
  features = input.features.filter((feature) => !left.has(feature.featureId));
  state.features = featureStates(features);
  const facts: RunFacts = { ...factsOf(input), features };

  const scope = buildInitialScope(facts, { id: info.workflowId, name: plan.name, version: plan.version });
  const steps = scope.steps as Record<string, JsonValue>;
  const run: StepRun<EnablementActivities> = {
    facts,
    scope,
    inbox,
    activities: (step) => proxyActivities<EnablementActivities>(activityOptionsFor(step)),
    context: (step) => stepContext(facts, input, step.id),
    resolve: (value) => resolveTemplate(value, scope),
    setWaiting(step, waitingFor) {
      state.waitingFor = waitingFor;
      state.status = waitingFor ? 'waiting' : 'running';
      setCurrentDetails(describeProgress(state, waitingFor ? `waiting for ${waitingFor}` : actionOf(step)));
    },
    reportOutcome(outcome, measured) {
      state.outcome = outcome;
      state.features = measured;
    },
  };

  const indexById = new Map(plan.steps.map((step, index) => [step.id, index]));
  const stopped = await CancellationScope.cancellable(async (): Promise<EnablementResult | undefined> => {
    stepsScope = CancellationScope.current();
    let index = 0;
    while (index < plan.steps.length) {
      // Marks that arrived during the cooldown check count against the features that are left.
      checkNotNeeded();
      if (stopForNotNeeded) return completeAsNotNeeded(state, features, suppressed, steps);
      const step = plan.steps[index];
      state.step = { index: index + 1, total: plan.steps.length, id: step.id };
      setCurrentDetails(describeProgress(state, step.action));
      if (step.when && !evaluateCondition(step.when, scope)) {
        record(scope, step, { skipped: true });
        index += 1;
        continue;
      }
      let outcome;
      try {
        outcome = await stepKindOf(step.action).execute(step, run);
      } catch (error) {
        if (stopForNotNeeded && isCancellation(error)) {
          state.waitingFor = undefined;
          return completeAsNotNeeded(state, features, suppressed, steps);
        }
        state.status = 'failed';
        setCurrentDetails(describeProgress(state, `failed: ${(error as Error).message}`));
        throw asRunFailure(step, error);
      }
      record(scope, step, outcome.result);
      const next = outcome.next ?? { kind: 'next' };
      if (next.kind === 'fail') {
        state.status = 'failed';
        setCurrentDetails(describeProgress(state, next.message));
        throw ApplicationFailure.nonRetryable(next.message, STEP_FAILED);
      }
      index = next.kind === 'goto' ? indexById.get(next.step)! : index + 1;
    }
    return undefined;
  });
  if (stopped) return stopped;

  state.status = 'completed';
  state.step = { index: plan.steps.length, total: plan.steps.length, id: null };
  if (state.outcome) reportFinalSearchAttributes(state, state.outcome);
  setCurrentDetails(`completed${state.outcome ? `: ${state.outcome}` : ''}`);
  return {
    status: 'completed',
    outcome: state.outcome ?? null,
    features: features.map((feature) => feature.featureId),
    suppressed,
    steps,
  };
}

/** Every feature of the run was marked not needed: no further outreach, and the outcome says why (documented in docs/api.md). */
function completeAsNotNeeded(
  state: EnablementState,
  features: EnablementInput['features'],
  suppressed: EnablementResult['suppressed'],
  steps: Record<string, JsonValue>,
): EnablementResult {
  state.status = 'completed';
  state.outcome = NOT_NEEDED_OUTCOME;
  reportFinalSearchAttributes(state, NOT_NEEDED_OUTCOME);
  setCurrentDetails(
    `completed: ${NOT_NEEDED_OUTCOME} (every feature was marked not needed; stopped at ${describeProgress(state, 'no further steps')})`,
  );
  return { status: 'completed', outcome: NOT_NEEDED_OUTCOME, features: features.map((feature) => feature.featureId), suppressed, steps };
}

function reportFinalSearchAttributes(state: EnablementState, outcome: string): void {
  if (patched(OUTCOME_SEARCH_ATTRIBUTE_PATCH)) {
    const primary = state.features[0];
    upsertSearchAttributes([{ key: AdoptionOutcome, value: outcome }, ...(primary ? [{ key: AdoptionStage, value: primary.stage }] : [])]);
  } else {
    // Runs recorded before the patch stored the outcome in AdoptionStage; replaying them must issue the same command.
    upsertSearchAttributes([{ key: AdoptionStage, value: outcome }]);
  }
}

/**
 * A Temporal failure (an activity that ran out of retries, a cancellation, a `StepFailed`) already fails the run as
 * it should. Anything else thrown by an executor would fail only the workflow task, which Temporal retries forever:
 * the run would hang, so it becomes a `StepFailed` failure naming the step.
 */
function asRunFailure(step: PlanStep, error: unknown): unknown {
  if (error instanceof TemporalFailure) return error;
  const cause = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.nonRetryable(`step ${step.id} (${step.action}): ${cause}`, STEP_FAILED, { stepId: step.id, cause });
}

function featureStates(features: EnablementInput['features']): EnablementState['features'] {
  return features.map(({ featureId, stage, usageScore }) => ({ featureId, stage, usageScore }));
}

async function checkCooldown(facts: RunFacts, input: EnablementInput) {
  const activities = proxyActivities<CooldownActivities>({ ...DEFAULT_ACTIVITY_OPTIONS, summary: 'cooldown check' });
  const { suppressed } = await activities.checkRecentInterventions(stepContext(facts, input, 'cooldown_check'), {
    cooldownDays: input.cooldownDays ?? COOLDOWN_DAYS,
  });
  return suppressed;
}

function record(scope: Record<string, JsonValue>, step: PlanStep, result: JsonValue): void {
  (scope.steps as Record<string, JsonValue>)[step.id] = result;
  if (step.output) scope[step.output] = result;
}

function actionOf(step: StepCommon): string {
  return (step as PlanStep).action;
}

function activityOptionsFor(step: StepCommon): ActivityOptions {
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

function stepContext(facts: RunFacts, input: EnablementInput, stepId: string): StepContext {
  const info = workflowInfo();
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    stepId,
    customerId: facts.customer.id,
    signalId: facts.signal.id,
    featureIds: facts.features.map((feature) => feature.featureId),
    definition: { name: input.plan.name, version: input.plan.version, digest: input.plan.digest },
  };
}

/** "step 4/8 (draft_enablement_email): waiting for CSM approval": what the Web UI shows as current details. */
function describeProgress(state: EnablementState, doing: string): string {
  return `step ${state.step.index}/${state.step.total} (${state.step.id ?? '-'}): ${doing}`;
}

/** Records a refused signal as a bounded summary (field and reason, never the payload) and logs the same summary. */
function rejectMessage(state: EnablementState, signal: string, error: unknown): void {
  const summary = recordRejectedMessage(state, signal, error);
  log.warn(`ignored malformed ${signal} signal`, summary);
}
