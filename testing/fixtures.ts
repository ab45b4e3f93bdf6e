import type { Db } from '../db/database';
import { FIXTURE_CUSTOMER, FIXTURE_FEATURES } from '../adoption/demo/fixture';
import { addFixtureCatalog, addFixtureCustomer, recordStalledSignal, type StalledSignalFixture } from '../adoption/demo/stalled-signal';

export { FIXTURE_FEATURES } from '../adoption/demo/fixture';
export { recordStalledSignal, type StalledSignalFixture } from '../adoption/demo/stalled-signal';

/**
 * Rows for a platform's own tests: a customer (TechCorp of PRD 5.1) with a CSM and a champion, two catalog features
 * with training resources, their stalled adoption rows and a stored `adoption_stalled` risk signal naming them.
 * Everything a run needs to reach the CSM's approval. Run `migrate(db)` first.
 */
export interface StalledSignalOptions {
  customerName?: string;
  csm?: { name: string; email: string; slackUserId?: string | null };
  champion?: { name: string; email: string };
  /** Defaults to both fixture features. */
  featureIds?: Array<(typeof FIXTURE_FEATURES)[number]['featureId']>;
}

export async function seedStalledSignal(db: Db, options: StalledSignalOptions = {}): Promise<StalledSignalFixture> {
  const featureIds = options.featureIds ?? FIXTURE_FEATURES.map((feature) => feature.featureId);
  await addFixtureCatalog(db, FIXTURE_FEATURES);
  const customerId = await addFixtureCustomer(db, {
    ...FIXTURE_CUSTOMER,
    name: options.customerName ?? FIXTURE_CUSTOMER.name,
    csm: options.csm ?? FIXTURE_CUSTOMER.csm,
    champion: options.champion ?? FIXTURE_CUSTOMER.champion,
  });
  const features = featureIds.map((featureId) => {
    const feature = FIXTURE_FEATURES.find((item) => item.featureId === featureId);
    if (!feature) throw new Error(`seedStalledSignal: unknown fixture feature ${featureId}`);
    return feature;
  });
  return recordStalledSignal(db, customerId, features);
}
