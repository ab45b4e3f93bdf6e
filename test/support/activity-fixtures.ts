import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import type { StepContext } from '../../adoption/model/run-facts';
import type { SignalFeature, TrainingResource } from '../../adoption/model/run-facts';
import type { EnablementInput } from '../../workflows/enablement-input';

/** Rows and run facts for activity tests, shaped after the PRD-090 5.1 example (TechCorp, Advanced Analytics). */

export type RunFacts = Omit<EnablementInput, 'plan'>;

export const PRD_RESOURCES: TrainingResource[] = [
  {
    type: 'video',
    title: 'Analytics Dashboard Overview',
    url: 'https://training.example.com/analytics-overview',
    duration_minutes: 12,
    level: 'beginner',
  },
  { type: 'documentation', title: 'Quick Start Guide', url: 'https://docs.example.com/analytics/quick-start' },
  { type: 'webinar', title: 'Advanced Analytics Live', url: 'https://training.example.com/webinars/analytics', next_session: '2026-02-15T14:00:00Z' },
];

export interface CustomerSeed {
  name?: string;
  arr?: number;
  segment?: string;
  seats?: number | null;
  csmName?: string | null;
  csmEmail?: string | null;
  csmSlackUserId?: string | null;
  championName?: string | null;
  championEmail?: string | null;
}

export async function seedCustomer(db: Db, seed: CustomerSeed = {}): Promise<string> {
  const row = await db.query<{ id: string }>(
    `INSERT INTO customers (name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, champion_name, champion_email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      seed.name ?? 'TechCorp',
      seed.arr ?? 75000,
      seed.segment ?? 'mid_market',
      seed.seats === undefined ? 50 : seed.seats,
      seed.csmName === undefined ? 'Casey CSM' : seed.csmName,
      seed.csmEmail === undefined ? 'casey@vendor.example' : seed.csmEmail,
      seed.csmSlackUserId === undefined ? 'U0CSM' : seed.csmSlackUserId,
      seed.championName === undefined ? 'Dana Champion' : seed.championName,
      seed.championEmail === undefined ? 'dana@techcorp.example' : seed.championEmail,
    ],
  );
  return row.rows[0].id;
}

export async function seedCatalog(
  db: Db,
  feature: {
    featureId: string;
    featureName: string;
    category?: string | null;
    importance?: number;
    keyBenefit?: string | null;
    resources?: TrainingResource[];
  },
): Promise<void> {
  await db.query(
    `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, training_resources, key_benefit)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (feature_id) DO NOTHING`,
    [
      feature.featureId,
      feature.featureName,
      feature.category ?? null,
      feature.importance ?? 50,
      JSON.stringify(feature.resources ?? []),
      feature.keyBenefit ?? null,
    ],
  );
}

export async function seedAdoption(
  db: Db,
  customerId: string,
  featureId: string,
  facts: { featureName?: string; activatedAt?: Date | null; usageScore?: number; stage?: string; notNeeded?: boolean } = {},
): Promise<void> {
  await db.query(
    `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, usage_score, stage, not_needed)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      customerId,
      featureId,
      facts.featureName ?? featureId,
      facts.activatedAt === undefined ? null : facts.activatedAt,
      facts.usageScore ?? 0,
      facts.stage ?? 'started',
      facts.notNeeded ?? false,
    ],
  );
}

export async function insertUsage(
  db: Db,
  event: { customerId: string; featureId: string; at: Date; userId?: string | null; count?: number; event?: 'used' | 'activated' },
): Promise<void> {
  await db.query(
    `INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id, count) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [randomUUID(), event.customerId, event.featureId, event.event ?? 'used', event.at, event.userId ?? null, event.count ?? 1],
  );
}

export function analyticsFeature(overrides: Partial<SignalFeature> = {}): SignalFeature {
  return {
    featureId: 'advanced_analytics',
    featureName: 'Advanced Analytics Dashboard',
    stage: 'started',
    usageScore: 15,
    daysSinceActivation: 45,
    expectedAdoptionDays: 30,
    importanceScore: 85,
    rule: 'past_expected_timeline',
    reason: 'usage score 15 after 45 days (expected 60+ by day 30)',
    category: 'analytics',
    keyBenefit: 'spot trends in your pipeline before they become problems',
    tips: null,
    resources: PRD_RESOURCES,
    ...overrides,
  };
}

export function runFacts(customerId: string, overrides: Partial<RunFacts> = {}, customer: CustomerSeed = {}): RunFacts {
  return {
    signal: { id: randomUUID(), type: 'adoption_stalled', priority: 80, detectedAt: '2026-01-29T09:00:00.000Z' },
    customer: {
      id: customerId,
      name: customer.name ?? 'TechCorp',
      arr: customer.arr ?? 75000,
      segment: customer.segment ?? 'mid_market',
      seats: customer.seats === undefined ? 50 : customer.seats,
      csm: {
        name: customer.csmName === undefined ? 'Casey CSM' : customer.csmName,
        email: customer.csmEmail === undefined ? 'casey@vendor.example' : customer.csmEmail,
        slackUserId: customer.csmSlackUserId === undefined ? 'U0CSM' : customer.csmSlackUserId,
      },
      champion: {
        name: customer.championName === undefined ? 'Dana Champion' : customer.championName,
        email: customer.championEmail === undefined ? 'dana@techcorp.example' : customer.championEmail,
      },
    },
    features: [analyticsFeature()],
    overallAdoption: 65,
    ...overrides,
  };
}

export function stepContext(customerId: string, overrides: Partial<StepContext> = {}): StepContext {
  return {
    workflowId: `adoption-stalled/${customerId}/${randomUUID()}`,
    runId: randomUUID(),
    stepId: 'step',
    customerId,
    signalId: randomUUID(),
    featureIds: ['advanced_analytics'],
    definition: { name: 'feature_adoption_enablement', version: '1.1', digest: 'test-digest' },
    ...overrides,
  };
}
