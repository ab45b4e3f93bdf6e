import type { Db } from '../db/database';
import { UUID_PATTERN as UUID } from './model/identifiers';
import type { RunFacts, SignalFeature, TrainingResource } from './model/run-facts';

export interface StoredRiskSignal {
  id: string;
  customer_id: string;
  signal_type: string;
  priority: number;
  created_at: Date;
  workflow_id: string | null;
}

export class SignalNotFoundError extends Error {
  constructor(signalId: string) {
    super(`risk signal ${signalId} does not exist`);
    this.name = 'SignalNotFoundError';
  }
}

export async function loadRiskSignal(db: Db, signalId: string): Promise<StoredRiskSignal> {
  if (!UUID.test(signalId)) {
    throw new Error(`signal id must be a UUID, got ${JSON.stringify(signalId)}`);
  }
  const { rows } = await db.query<StoredRiskSignal>(
    `SELECT id, customer_id, signal_type, priority, created_at, workflow_id FROM risk_signals WHERE id = $1`,
    [signalId],
  );
  if (rows.length === 0) throw new SignalNotFoundError(signalId);
  return rows[0];
}

interface CustomerRow {
  id: string;
  name: string;
  arr: number;
  segment: string;
  seats: number | null;
  csm_name: string | null;
  csm_email: string | null;
  csm_slack_user_id: string | null;
  champion_name: string | null;
  champion_email: string | null;
}

interface FeatureRow {
  feature_id: string;
  feature_name: string | null;
  stage: string;
  usage_score: number;
  days_since_activation: number | null;
  expected_adoption_days: number | null;
  rule: string;
  reason: string;
  importance_score: number | null;
  category: string | null;
  key_benefit: string | null;
  tips: string | null;
  training_resources: TrainingResource[] | null;
}

/**
 * Gathers what a run starts with: the signal, its customer and its features with their catalog entries. Loaded
 * once, at start, so the history records exactly the facts the playbook acted on.
 */
export async function loadRunFacts(db: Db, signal: StoredRiskSignal): Promise<RunFacts> {
  const customerRows = await db.query<CustomerRow>(
    `SELECT id, name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, champion_name, champion_email
       FROM customers WHERE id = $1`,
    [signal.customer_id],
  );
  if (customerRows.rows.length === 0) throw new Error(`risk signal ${signal.id}: customer ${signal.customer_id} does not exist`);
  const customer = customerRows.rows[0];
  const featureRows = await db.query<FeatureRow>(
    `SELECT f.feature_id, c.feature_name, f.stage, f.usage_score, f.days_since_activation, f.expected_adoption_days,
            f.rule, f.reason, c.importance_score, c.category, c.key_benefit, c.tips, c.training_resources
       FROM risk_signal_features f
       LEFT JOIN feature_catalog c ON c.feature_id = f.feature_id
      WHERE f.signal_id = $1
      ORDER BY COALESCE(c.importance_score, 50) DESC, f.usage_score ASC, f.feature_id`,
    [signal.id],
  );
  if (featureRows.rows.length === 0) throw new Error(`risk signal ${signal.id} names no features`);
  const overall = await db.query<{ overall: number | null }>(
    `SELECT ROUND(AVG(usage_score))::int AS overall FROM feature_adoption WHERE customer_id = $1 AND NOT not_needed`,
    [customer.id],
  );
  const features: SignalFeature[] = featureRows.rows.map((row) => ({
    featureId: row.feature_id,
    featureName: row.feature_name ?? row.feature_id,
    stage: row.stage,
    usageScore: row.usage_score,
    daysSinceActivation: row.days_since_activation,
    expectedAdoptionDays: row.expected_adoption_days ?? 30,
    importanceScore: row.importance_score ?? 50,
    rule: row.rule,
    reason: row.reason,
    category: row.category,
    keyBenefit: row.key_benefit,
    tips: row.tips,
    resources: Array.isArray(row.training_resources) ? row.training_resources : [],
  }));
  return {
    signal: {
      id: signal.id,
      type: signal.signal_type,
      priority: signal.priority,
      detectedAt: new Date(signal.created_at).toISOString(),
    },
    customer: {
      id: customer.id,
      name: customer.name,
      arr: customer.arr,
      segment: customer.segment,
      seats: customer.seats,
      csm: { name: customer.csm_name, email: customer.csm_email, slackUserId: customer.csm_slack_user_id },
      champion: { name: customer.champion_name, email: customer.champion_email },
    },
    features,
    overallAdoption: overall.rows[0]?.overall ?? undefined,
  };
}
