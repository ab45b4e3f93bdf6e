import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';

/**
 * Rows for a platform's own tests: a customer (TechCorp of PRD 5.1) with a CSM and a champion, two catalog features
 * with training resources, their stalled adoption rows and a stored `adoption_stalled` risk signal naming them.
 * Everything a run needs to reach the CSM's approval. Run `migrate(db)` first.
 */
export interface StalledSignalFixture {
  customerId: string;
  signalId: string;
  featureIds: string[];
}

export interface StalledSignalOptions {
  customerName?: string;
  csm?: { name: string; email: string; slackUserId?: string | null };
  champion?: { name: string; email: string };
  /** Defaults to both fixture features. */
  featureIds?: Array<(typeof FIXTURE_FEATURES)[number]['featureId']>;
}

export const FIXTURE_FEATURES = [
  {
    featureId: 'advanced_analytics',
    featureName: 'Advanced Analytics Dashboard',
    category: 'analytics',
    importance: 85,
    keyBenefit: 'spot trends across your accounts before they become problems',
    resources: [
      {
        type: 'video',
        title: 'Analytics Dashboard Overview',
        url: 'https://training.example.com/analytics',
        duration_minutes: 12,
        level: 'beginner',
      },
      { type: 'documentation', title: 'Quick Start Guide', url: 'https://docs.example.com/analytics' },
    ],
  },
  {
    featureId: 'workflow_automation',
    featureName: 'Workflow Automation',
    category: 'automation',
    importance: 70,
    keyBenefit: 'automate routine hand-offs',
    resources: [{ type: 'video', title: 'Automation in 10 minutes', url: 'https://training.example.com/automation', duration_minutes: 10 }],
  },
] as const;

export async function seedStalledSignal(db: Db, options: StalledSignalOptions = {}): Promise<StalledSignalFixture> {
  const featureIds = options.featureIds ?? FIXTURE_FEATURES.map((feature) => feature.featureId);
  const csm = options.csm ?? { name: 'Dana Reyes', email: 'dana@vendor.example', slackUserId: 'U0CSM0001' };
  const champion = options.champion ?? { name: 'Priya Shah', email: 'priya@techcorp.example' };
  for (const feature of FIXTURE_FEATURES) {
    await db.query(
      `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days, key_benefit, training_resources)
       VALUES ($1, $2, $3, $4, 30, $5, $6::jsonb) ON CONFLICT (feature_id) DO NOTHING`,
      [feature.featureId, feature.featureName, feature.category, feature.importance, feature.keyBenefit, JSON.stringify(feature.resources)],
    );
  }
  const customer = await db.query<{ id: string }>(
    `INSERT INTO customers (name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, champion_name, champion_email)
     VALUES ($1, 75000, 'mid_market', 40, $2, $3, $4, $5, $6) RETURNING id`,
    [options.customerName ?? 'TechCorp', csm.name, csm.email, csm.slackUserId ?? null, champion.name, champion.email],
  );
  const customerId = customer.rows[0].id;
  const features = featureIds.map((featureId) => {
    const feature = FIXTURE_FEATURES.find((item) => item.featureId === featureId);
    if (!feature) throw new Error(`seedStalledSignal: unknown fixture feature ${featureId}`);
    return feature;
  });
  return recordStalledSignal(db, customerId, features);
}

/**
 * The stalled adoption rows of a customer's features (started, score 15, 45 days after activation) and a stored
 * `adoption_stalled` risk signal naming them, flagged by the low-usage rule.
 */
export async function recordStalledSignal(
  db: Db,
  customerId: string,
  features: ReadonlyArray<{ featureId: string; featureName: string }>,
): Promise<StalledSignalFixture> {
  for (const feature of features) {
    await db.query(
      `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count, usage_score, stage, stall_detected_at)
       VALUES ($1, $2, $3, NOW() - INTERVAL '45 days', NOW() - INTERVAL '20 days', 6, 15, 'started', NOW())
       ON CONFLICT (customer_id, feature_id) DO NOTHING`,
      [customerId, feature.featureId, feature.featureName],
    );
  }
  const signalId = randomUUID();
  await db.query(`INSERT INTO risk_signals (id, customer_id, signal_type, priority, details) VALUES ($1, $2, 'adoption_stalled', 80, '{}')`, [
    signalId,
    customerId,
  ]);
  for (const feature of features) {
    await db.query(
      `INSERT INTO risk_signal_features (signal_id, customer_id, feature_id, stage, usage_score, days_since_activation, expected_adoption_days, rule, reason)
       VALUES ($1, $2, $3, 'started', 15, 45, 30, 'low_usage_14d', 'usage score 15 < 20 for 20 days since activation')`,
      [signalId, customerId, feature.featureId],
    );
  }
  return { customerId, signalId, featureIds: features.map((feature) => feature.featureId) };
}
