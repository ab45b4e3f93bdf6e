/**
 * The shipped enablement definition (definitions/feature_adoption_enablement.yaml, version 1.2) written out by hand as
 * a TypeScript workflow, for bench/workflow-overhead.ts only: the same activities, in the same order, with the same
 * arguments and the same retry/timeout/summary options, but no plan, no template resolution, no step dispatch and
 * no `state` bookkeeping beyond a minimal query. The difference against the interpreter is the interpreter's cost.
 *
 * It takes the run's facts without the plan (the plan in the interpreter's input is part of what it costs in
 * history). The scope handed to the Slack activities is built with the same function, because the activity
 * renders its message templates from it: what the activity receives must be the same to compare like with like.
 * Bundle-safe: it is bundled with the package's workflows by bench/handwritten-workflows.ts.
 */
import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { COOLDOWN_DAYS } from '../adoption/model/rules';
import type { RunFacts, StepContext } from '../adoption/model/run-facts';
import { buildInitialScope } from '../adoption/model/scope';
import { workflowNow } from '../steps/workflow-clock';
import type { JsonValue } from '../definitions/language/types';
import type { EnablementActivities } from '../workflows/enablement';
import { allFeaturesRecovered, type SignalInbox } from '../steps/signals';
import {
  emailDecisionSignal,
  recoveredSignal,
  stateQuery,
  validateEmailDecision,
  validateRecovered,
  type EnablementState,
} from '../workflows/messages';
import { AdoptionOutcome, AdoptionStage } from '../workflows/search-attributes';

const DEFINITION = { name: 'feature_adoption_enablement', version: '1.2', digest: 'handwritten' };
const DEFAULTS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};
const HOUR_MS = 3_600_000;

function activitiesFor(stepId: string, retry?: ActivityOptions['retry']): EnablementActivities {
  return proxyActivities<EnablementActivities>({ ...DEFAULTS, summary: stepId, ...(retry ? { retry: { ...DEFAULTS.retry, ...retry } } : {}) });
}

export async function handwrittenEnablementWorkflow(facts: RunFacts): Promise<{ outcome: string | null; features: string[] }> {
  const info = workflowInfo();
  const inbox: SignalInbox = { emailDecisions: [], recovered: [] };
  const state: EnablementState = {
    definition: DEFINITION,
    status: 'running',
    step: { index: 0, total: 12, id: null },
    features: facts.features.map(({ featureId, stage, usageScore }) => ({ featureId, stage, usageScore })),
    rejectedMessages: [],
    rejectedMessageCount: 0,
  };
  setHandler(stateQuery, () => state);
  setHandler(emailDecisionSignal, (payload) => void inbox.emailDecisions.push(validateEmailDecision(payload)));
  setHandler(recoveredSignal, (payload) => {
    const recovered = validateRecovered(payload);
    if (!inbox.recovered.some((known) => known.featureId === recovered.featureId)) inbox.recovered.push(recovered);
  });
  const context = (stepId: string, featureIds = facts.features.map((feature) => feature.featureId)): StepContext => ({
    workflowId: info.workflowId,
    runId: info.runId,
    stepId,
    customerId: facts.customer.id,
    signalId: facts.signal.id,
    featureIds,
    definition: DEFINITION,
  });

  const { suppressed } = await proxyActivities<EnablementActivities>({ ...DEFAULTS, summary: 'cooldown check' }).checkRecentInterventions(
    context('cooldown_check'),
    { cooldownDays: COOLDOWN_DAYS },
  );
  const left = new Set(suppressed.map((entry) => entry.featureId));
  const features = facts.features.filter((feature) => !left.has(feature.featureId));
  if (features.length === 0) return { outcome: 'suppressed', features: [] };
  const run: RunFacts = { ...facts, features };
  const ids = features.map((feature) => feature.featureId);
  const scope = buildInitialScope(run, { id: info.workflowId, name: DEFINITION.name, version: DEFINITION.version });
  const steps = scope.steps as Record<string, JsonValue>;
  const featureId = features[0].featureId;
  const owner = { name: run.customer.csm.name, email: run.customer.csm.email };

  steps.analyze_stall = await activitiesFor('analyze_stall', { maximumAttempts: 5, initialInterval: 2000 }).delegateToAgent(
    context('analyze_stall', ids),
    { agent: 'researcher', action: 'analyze_adoption_gap', params: { customer_id: run.customer.id, feature_id: featureId }, input: run },
  );
  steps.get_resources = (await activitiesFor('get_resources').queryDatabase(context('get_resources', ids), {
    sql: 'SELECT * FROM feature_catalog WHERE feature_id = $1',
    params: [featureId],
    maxRows: 100,
  })) as unknown as JsonValue;
  steps.notify_csm = (await activitiesFor('notify_csm').slackDm(context('notify_csm', ids), {
    template: 'adoption_stalled_alert',
    includeResources: true,
    to: undefined,
    params: {},
    scope,
    input: run,
  })) as unknown as JsonValue;
  steps.send_in_app_tips = (await activitiesFor('send_in_app_tips').sendInAppTips(context('send_in_app_tips', ids), {
    customer: { id: run.customer.id, name: run.customer.name },
    features: features.map((feature) => ({
      featureId: feature.featureId,
      featureName: feature.featureName,
      tips: feature.tips ?? null,
      resource: feature.resources[0] ?? null,
    })),
  })) as unknown as JsonValue;
  const draft = await activitiesFor('draft_enablement_email').delegateToAgent(context('draft_enablement_email', ids), {
    agent: 'communicator',
    action: 'draft_email',
    params: { template: 'feature_enablement', feature_name: scope.feature_name, resources: scope.resources, requires_approval: true },
    input: run,
  });
  steps.draft_enablement_email = draft;
  const featureName = String(scope.feature_name);
  steps.create_task = (await activitiesFor('create_task').createTask(context('create_task', ids), {
    title: `Enable ${run.customer.name} on ${featureName}`,
    description: undefined,
    dueAt: new Date(workflowNow() + 72 * HOUR_MS).toISOString(),
    priority: 'medium',
    owner,
  })) as unknown as JsonValue;
  steps.schedule_followup = (await activitiesFor('schedule_followup').createTask(context('schedule_followup', ids), {
    title: `Check ${featureName} adoption for ${run.customer.name}`,
    description: undefined,
    dueAt: new Date(workflowNow() + 14 * 24 * HOUR_MS).toISOString(),
    priority: 'low',
    owner,
  })) as unknown as JsonValue;

  state.status = 'waiting';
  const decided = await condition(() => inbox.emailDecisions.length > 0, 72 * HOUR_MS);
  state.status = 'running';
  const decision = decided ? inbox.emailDecisions.shift()! : null;
  steps.await_approval = { received: decided, timedOut: !decided, payload: decision as unknown as JsonValue };
  const draftId = (draft as { draftId?: unknown } | null)?.draftId;
  steps.send_enablement_email = (await activitiesFor('send_enablement_email').sendEmail(context('send_enablement_email', ids), {
    draftId: String(draftId),
    decision,
    to: undefined,
  })) as unknown as JsonValue;

  state.status = 'waiting';
  await condition(() => allFeaturesRecovered(inbox, run), 14 * 24 * HOUR_MS);
  state.status = 'running';
  const measured = await activitiesFor('measure_impact').measureAdoption(context('measure_impact', ids), {
    features: features.map(({ featureId: id, usageScore, stage }) => ({ featureId: id, usageScore, stage })),
    recordImpact: true,
    recoveredSignals: inbox.recovered,
  });
  state.outcome = measured.outcome;
  state.features = measured.features.map(({ featureId: id, stage, after }) => ({ featureId: id, stage, usageScore: after }));
  steps.measure_impact = measured as unknown as JsonValue;
  await activitiesFor('report_outcome').slackDm(context('report_outcome', ids), {
    template: 'adoption_outcome',
    includeResources: false,
    to: undefined,
    params: {},
    scope,
    input: run,
  });
  upsertSearchAttributes([
    { key: AdoptionOutcome, value: measured.outcome },
    { key: AdoptionStage, value: state.features[0].stage },
  ]);
  state.status = 'completed';
  return { outcome: measured.outcome, features: ids };
}
