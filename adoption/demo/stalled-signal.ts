import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database';
import type { FixtureCatalogEntry } from './fixture';

/** A customer with a stored `adoption_stalled` signal naming its stalled features: where a run starts. */
export interface StalledSignalFixture {
  customerId: string;
  signalId: string;
  featureIds: string[];
}

export interface FixtureCustomer {
  name: string;
  arr: number;
  segment: string;
  seats: number;
  csm: { name: string; email: string; slackUserId?: string | null };
  champion: { name: string; email: string };
}

/** Catalog entries for tests and demos; an entry already there is kept as it is. */
export async function addFixtureCatalog(db: Db, entries: readonly FixtureCatalogEntry[]): Promise<void> {
  for (const entry of entries) {
    await db.query(
      `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days, key_benefit, training_resources)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (feature_id) DO NOTHING`,
      [
        entry.featureId,
        entry.featureName,
        entry.category,
        entry.importance,
        entry.expectedAdoptionDays,
        entry.keyBenefit,
        JSON.stringify(entry.resources),
      ],
    );
  }
}

/** A new customer row (a fresh id each time); answers its id. */
export async function addFixtureCustomer(db: Db, customer: FixtureCustomer): Promise<string> {
  const row = await db.query<{ id: string }>(
    `INSERT INTO customers (name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id, champion_name, champion_email)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      customer.name,
      customer.arr,
      customer.segment,
      customer.seats,
      customer.csm.name,
      customer.csm.email,
      customer.csm.slackUserId ?? null,
      customer.champion.name,
      customer.champion.email,
    ],
  );
  return row.rows[0].id;
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
