import type { Plan } from '../definitions/plan';

/**
 * What an enablement run starts with. The client loads it from the database when it starts the run, so the history
 * shows exactly which customer and feature facts the playbook acted on. Types only: imported by workflow code.
 */
export interface TrainingResource {
  type: string; // video | documentation | webinar | ...
  title: string;
  url: string;
  duration_minutes?: number;
  level?: string;
  next_session?: string;
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

export interface EnablementInput {
  plan: Plan;
  signal: RiskSignalContext;
  customer: CustomerContext;
  /** Most important first; the first is the signal's primary feature (`{{feature_id}}`). */
  features: SignalFeature[];
  /** Overall adoption across the customer's features, 0-100, at signal time. */
  overallAdoption?: number;
}
