import type { Db } from '../../db/database';
import { recordStalledSignal } from '../../testing/fixtures';
import { seedCustomer as seedCustomerRow } from './activity-fixtures';

/**
 * Realistic rows for workflow tests: a customer (TechCorp of PRD 5.1), catalog entries with training resources,
 * their adoption rows, and a stored `adoption_stalled` risk signal naming the stalled features.
 */
export interface SeededSignal {
  customerId: string;
  signalId: string;
  featureIds: string[];
}

export const CATALOG = [
  {
    feature_id: 'advanced_analytics',
    feature_name: 'Advanced Analytics Dashboard',
    category: 'analytics',
    importance_score: 85,
    expected_adoption_days: 30,
    key_benefit: 'spot trends across your accounts before they become problems',
    training_resources: [
      {
        type: 'video',
        title: 'Analytics Dashboard Overview',
        url: 'https://training.example.com/analytics',
        duration_minutes: 12,
        level: 'beginner',
      },
      { type: 'documentation', title: 'Quick Start Guide', url: 'https://docs.example.com/analytics' },
      {
        type: 'webinar',
        title: 'Advanced Analytics Live',
        url: 'https://training.example.com/webinars/analytics',
        next_session: '2026-02-15T14:00:00Z',
      },
    ],
  },
  {
    feature_id: 'workflow_automation',
    feature_name: 'Workflow Automation',
    category: 'automation',
    importance_score: 70,
    expected_adoption_days: 30,
    key_benefit: 'automate routine hand-offs',
    training_resources: [{ type: 'video', title: 'Automation in 10 minutes', url: 'https://training.example.com/automation', duration_minutes: 10 }],
  },
  {
    feature_id: 'custom_reports',
    feature_name: 'Custom Reports',
    category: 'analytics',
    importance_score: 55,
    expected_adoption_days: 21,
    key_benefit: null,
    training_resources: [{ type: 'documentation', title: 'Building reports', url: 'https://docs.example.com/reports' }],
  },
];

export async function seedCatalog(db: Db): Promise<void> {
  for (const entry of CATALOG) {
    await db.query(
      `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days, key_benefit, training_resources)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (feature_id) DO NOTHING`,
      [
        entry.feature_id,
        entry.feature_name,
        entry.category,
        entry.importance_score,
        entry.expected_adoption_days,
        entry.key_benefit,
        JSON.stringify(entry.training_resources),
      ],
    );
  }
}

/** TechCorp as in PRD 5.1, with the CSM and champion the enablement tests expect. */
export function seedCustomer(db: Db, overrides: { name?: string; slackUserId?: string | null } = {}): Promise<string> {
  return seedCustomerRow(db, {
    name: overrides.name ?? 'TechCorp',
    seats: 40,
    csmName: 'Dana Reyes',
    csmEmail: 'dana@vendor.example',
    csmSlackUserId: overrides.slackUserId === undefined ? 'U0CSM0001' : overrides.slackUserId,
    championName: 'Priya Shah',
    championEmail: 'priya@techcorp.example',
  });
}

/** A stored signal for `featureIds` of a new (or given) customer, each feature stalled at a low score. */
export async function seedStalledSignal(db: Db, featureIds: string[], customerId?: string): Promise<SeededSignal> {
  await seedCatalog(db);
  const customer = customerId ?? (await seedCustomer(db));
  const features = featureIds.map((featureId) => {
    const entry = CATALOG.find((item) => item.feature_id === featureId)!;
    return { featureId, featureName: entry.feature_name };
  });
  return recordStalledSignal(db, customer, features);
}
