import type { Db } from '../db/database';
import { refreshRollups } from './ingest/usage-rollups';
import { utcDay } from './dates';
import { scoreFeatures } from './scoring';
import { isoOrNull } from './dates';

/**
 * PRD 4.2 `POST /api/feature-adoption/sync`: recompute one customer's feature_adoption from its usage events.
 * No formula of its own: the rollups are rebuilt by the importer's `refreshRollups` (so events written straight into
 * usage_events count too) and the scores and stages come from detection's `scoreFeatures` (adoption/scoring.ts),
 * restricted to this customer, as of today (UTC).
 *
 * It moves score, stage, usage and activation facts forward. Stall episodes, risk signals, recoveries and the stage
 * history stay with the daily detection, which owns them; `stallRule` in the answer says what detection would flag.
 */
export interface SyncedFeature {
  featureId: string;
  featureName: string;
  usageScore: number;
  previousUsageScore: number | null;
  stage: string;
  previousStage: string | null;
  usageCount: number;
  activatedAt: string | null;
  lastUsedAt: string | null;
  daysSinceActivation: number;
  stallRule: string | null;
}

export interface SyncResult {
  customerId: string;
  asOf: string;
  eventsRolledUp: number;
  features: SyncedFeature[];
}

export async function syncCustomerAdoption(db: Db, customerId: string, now: Date): Promise<SyncResult> {
  const asOf = utcDay(now);
  return db.transaction(async (tx) => {
    const days = await tx.query<{ customer_id: string; feature_id: string; day: string; events: number }>(
      `SELECT customer_id, feature_id, (occurred_at AT TIME ZONE 'UTC')::date AS day, COUNT(*) AS events
         FROM usage_events WHERE customer_id = $1::uuid AND occurred_at < (($2::date + 1)::timestamp AT TIME ZONE 'UTC')
        GROUP BY 1, 2, 3`,
      [customerId, asOf],
    );
    await refreshRollups(tx, days.rows);
    const eventsRolledUp = days.rows.reduce((sum, row) => sum + Number(row.events), 0);
    const scored = await scoreFeatures(tx, { asOf, customerIds: [customerId] });
    if (scored.length === 0) return { customerId, asOf, eventsRolledUp, features: [] };
    const before = await tx.query<{ feature_id: string; usage_score: number | null; stage: string | null }>(
      `SELECT feature_id, usage_score, stage FROM feature_adoption WHERE customer_id = $1::uuid FOR UPDATE`,
      [customerId],
    );
    const previous = new Map(before.rows.map((row) => [row.feature_id, row]));
    const written = await tx.query<{ feature_id: string; feature_name: string }>(
      `INSERT INTO feature_adoption (customer_id, feature_id, feature_name, activated_at, last_used_at, usage_count,
                                     usage_score, stage, expected_adoption_days, evaluated_as_of, stage_changed_at, updated_at)
       SELECT $1::uuid, s.feature_id, COALESCE(cat.feature_name, s.feature_id), s.activated_at, s.last_used_at,
              LEAST(s.usage_count, 2147483647), s.usage_score, s.stage, s.expected_days, $2::date, s.activated_at, NOW()
         FROM UNNEST($3::varchar[], $4::timestamptz[], $5::timestamptz[], $6::bigint[], $7::int[], $8::varchar[], $9::int[])
              AS s(feature_id, activated_at, last_used_at, usage_count, usage_score, stage, expected_days)
         LEFT JOIN feature_catalog cat ON cat.feature_id = s.feature_id
       ON CONFLICT (customer_id, feature_id) DO UPDATE SET
         activated_at = EXCLUDED.activated_at, last_used_at = EXCLUDED.last_used_at, usage_count = EXCLUDED.usage_count,
         usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage,
         expected_adoption_days = EXCLUDED.expected_adoption_days, evaluated_as_of = EXCLUDED.evaluated_as_of,
         stage_changed_at = CASE WHEN feature_adoption.stage IS DISTINCT FROM EXCLUDED.stage THEN $10::timestamptz
                                 ELSE COALESCE(feature_adoption.stage_changed_at, EXCLUDED.stage_changed_at) END,
         updated_at = NOW()
       WHERE feature_adoption.evaluated_as_of IS NULL OR feature_adoption.evaluated_as_of <= EXCLUDED.evaluated_as_of
       RETURNING feature_id, feature_name`,
      [
        customerId,
        asOf,
        scored.map((row) => row.feature_id),
        scored.map((row) => isoOrNull(row.activated_at)),
        scored.map((row) => isoOrNull(row.last_used_at)),
        scored.map((row) => row.usage_count),
        scored.map((row) => row.usage_score),
        scored.map((row) => row.stage),
        scored.map((row) => row.expected_adoption_days),
        now.toISOString(),
      ],
    );
    const names = new Map(written.rows.map((row) => [row.feature_id, row.feature_name]));
    return {
      customerId,
      asOf,
      eventsRolledUp,
      features: scored
        .filter((row) => names.has(row.feature_id))
        .map((row) => ({
          featureId: row.feature_id,
          featureName: names.get(row.feature_id)!,
          usageScore: row.usage_score,
          previousUsageScore: previous.get(row.feature_id)?.usage_score ?? null,
          stage: row.stage,
          previousStage: previous.get(row.feature_id)?.stage ?? null,
          usageCount: row.usage_count,
          activatedAt: isoOrNull(row.activated_at),
          lastUsedAt: isoOrNull(row.last_used_at),
          daysSinceActivation: row.days_since_activation,
          stallRule: row.rule,
        })),
    };
  });
}
