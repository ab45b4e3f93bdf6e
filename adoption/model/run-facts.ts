/**
 * The facts an enablement run acts on: the signal, the customer and the stalled features. The client loads them from
 * the database when it starts the run, so the history shows exactly what the playbook acted on. Types only: workflow
 * code, step kinds and activities all import them.
 */
export interface TrainingResource {
  type: string; // video | documentation | webinar | ...
  title: string;
  url: string;
  duration_minutes?: number;
  level?: string;
  next_session?: string;
  /** Dated live sessions of a webinar/live training (ISO instants); only future ones are ever offered. */
  sessions?: string[];
}

export interface SignalFeature {
  featureId: string;
  featureName: string;
  stage: string;
  usageScore: number;
  daysSinceActivation: number | null;
  expectedAdoptionDays: number;
  importanceScore: number;
  /** Which stall rule fired (e.g. `low_usage_14d`, `past_expected_timeline`) and its evidence in words. */
  rule: string;
  reason: string;
  category?: string | null;
  keyBenefit?: string | null;
  tips?: string | null;
  resources: TrainingResource[];
}

export interface CustomerContext {
  id: string;
  name: string;
  arr: number;
  segment: string;
  seats?: number | null;
  csm: { name: string | null; email: string | null; slackUserId: string | null };
  champion: { name: string | null; email: string | null };
}

export interface RiskSignalContext {
  id: string;
  type: string;
  priority: number;
  detectedAt: string;
}

/** The run's facts without its plan: what activities receive (the plan is the workflow's business). */
export interface RunFacts {
  signal: RiskSignalContext;
  customer: CustomerContext;
  /** Most important first; the first is the signal's primary feature (`{{feature_id}}`). */
  features: SignalFeature[];
  /** Overall adoption across the customer's features, 0-100, at signal time. */
  overallAdoption?: number;
}

/**
 * Who is calling an activity: every activity that writes keys its side effect on `workflowId` + `stepId`, so a
 * retried activity finds its earlier write instead of doing it twice. `signalId` travels here so nothing has to parse
 * it back out of the workflow id.
 */
/**
 * The idempotency key of one step's side effect (draft, outbox message, task, agent call): a retried activity finds
 * what its first attempt wrote under the same key.
 */
export function stepKey(workflowId: string, stepId: string): string {
  return `${workflowId}/${stepId}`;
}

export interface StepContext {
  workflowId: string;
  runId: string;
  stepId: string;
  customerId: string;
  signalId: string;
  featureIds: string[];
  definition: { name: string; version: string; digest: string };
}
