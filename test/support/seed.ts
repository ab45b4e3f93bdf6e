import type { Db } from '../../db/database';
import { FIXTURE_CATALOG, FIXTURE_CUSTOMER } from '../../adoption/demo/fixture';
import { addFixtureCatalog, recordStalledSignal } from '../../adoption/demo/stalled-signal';
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

const PAST_WEBINAR = {
  type: 'webinar',
  title: 'Advanced Analytics Live',
  url: 'https://training.example.com/webinars/analytics',
  next_session: '2026-02-15T14:00:00Z',
};

/**
 * The fixture catalog in its stored column names; the analytics dashboard also lists a webinar whose only session is
 * past, which the resource pick must leave out.
 */
export const CATALOG = FIXTURE_CATALOG.map((entry) => ({
  feature_id: entry.featureId,
  feature_name: entry.featureName,
  category: entry.category,
  importance_score: entry.importance,
  expected_adoption_days: entry.expectedAdoptionDays,
  key_benefit: entry.keyBenefit,
  training_resources: entry.featureId === 'advanced_analytics' ? [...entry.resources, PAST_WEBINAR] : entry.resources,
}));

export async function seedCatalog(db: Db): Promise<void> {
  await addFixtureCatalog(
    db,
    CATALOG.map((entry) => ({
      featureId: entry.feature_id,
      featureName: entry.feature_name,
      category: entry.category,
      importance: entry.importance_score,
      expectedAdoptionDays: entry.expected_adoption_days,
      keyBenefit: entry.key_benefit,
      resources: entry.training_resources,
    })),
  );
}

/** TechCorp as in PRD 5.1, with the CSM and champion the enablement tests expect. */
export function seedCustomer(db: Db, overrides: { name?: string; slackUserId?: string | null } = {}): Promise<string> {
  return seedCustomerRow(db, {
    name: overrides.name ?? FIXTURE_CUSTOMER.name,
    arr: FIXTURE_CUSTOMER.arr,
    segment: FIXTURE_CUSTOMER.segment,
    seats: FIXTURE_CUSTOMER.seats,
    csmName: FIXTURE_CUSTOMER.csm.name,
    csmEmail: FIXTURE_CUSTOMER.csm.email,
    csmSlackUserId: overrides.slackUserId === undefined ? FIXTURE_CUSTOMER.csm.slackUserId : overrides.slackUserId,
    championName: FIXTURE_CUSTOMER.champion.name,
    championEmail: FIXTURE_CUSTOMER.champion.email,
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
