import type { Db } from '../db/database';

/**
 * The usage facts the built-in researcher explains a stall from, and the catalog facts the communicator words an
 * email with. Windows are rolling 7-day weeks ending at `now`, never calendar weeks.
 */
export interface FeatureAdoptionFacts {
  featureId: string;
  featureName: string;
  activatedAt: Date | null;
  lastUsedAt: Date | null;
  usageScore: number | null;
}

export interface WeeklyUsage {
  featureId: string;
  /** 0 is the oldest of the weeks, `weeks - 1` the one ending now. */
  index: number;
  events: number;
  activeUsers: number;
}

export interface FeatureUsageStats {
  featureId: string;
  activeUsers14d: number;
  usersEver: number;
  lastUsedAt: Date | null;
  activatedAt: Date | null;
}

/** Uses of one of the customer's features in the 4 weeks before the last 4, and in the last 4. */
export interface UsageHalves {
  featureId: string;
  earlier: number;
  recent: number;
}

/** Segment peers' median usage score of a feature, over `count` peers. */
export interface PeerBenchmark {
  featureId: string;
  median: number | null;
  count: number;
}

export interface AdoptionGapFacts {
  customer: { segment: string; seats: number | null };
  adoption: FeatureAdoptionFacts[];
  weekly: WeeklyUsage[];
  stats: FeatureUsageStats[];
  /** Every feature of the customer, not only the stalled ones: the account's trend. */
  accountHalves: UsageHalves[];
  peers: PeerBenchmark[];
}

/**
 * What the data says about a customer's stalled features: adoption rows, `weeks` weekly usage buckets, user counts,
 * the account's usage trend and segment peers (same segment, the feature activated and not marked not needed).
 * Null when the customer does not exist.
 */
export async function adoptionGapFacts(
  db: Db,
  query: { customerId: string; featureIds: string[]; now: Date; weeks: number },
): Promise<AdoptionGapFacts | null> {
  const { customerId, featureIds, now, weeks } = query;
  const customer = (await db.query<{ segment: string; seats: number | null }>(`SELECT segment, seats FROM customers WHERE id = $1`, [customerId]))
    .rows[0];
  if (!customer) return null;

  const adoption = await db.query<{
    feature_id: string;
    feature_name: string;
    activated_at: Date | null;
    last_used_at: Date | null;
    usage_score: number | null;
  }>(
    `SELECT feature_id, feature_name, activated_at, last_used_at, usage_score
       FROM feature_adoption WHERE customer_id = $1 AND feature_id = ANY($2::text[])`,
    [customerId, featureIds],
  );

  const weekly = await db.query<{ feature_id: string; idx: number; events: number; active_users: number }>(
    `SELECT f.feature_id, w.idx, COALESCE(SUM(e.count), 0) AS events, COUNT(DISTINCT e.user_id) AS active_users
       FROM unnest($2::text[]) AS f(feature_id)
       CROSS JOIN generate_series(0, $4::int - 1) AS w(idx)
       LEFT JOIN usage_events e
         ON e.customer_id = $1 AND e.feature_id = f.feature_id AND e.event = 'used'
        AND e.occurred_at >= $3::timestamptz - ($4::int - w.idx) * INTERVAL '7 days'
        AND e.occurred_at <  $3::timestamptz - ($4::int - 1 - w.idx) * INTERVAL '7 days'
      GROUP BY f.feature_id, w.idx
      ORDER BY f.feature_id, w.idx`,
    [customerId, featureIds, now, weeks],
  );

  const stats = await db.query<{
    feature_id: string;
    active_users_14d: number;
    users_ever: number;
    last_used_at: Date | null;
    activated_at: Date | null;
  }>(
    `SELECT feature_id,
            COUNT(DISTINCT user_id) FILTER (WHERE event = 'used' AND occurred_at >= $3::timestamptz - INTERVAL '14 days') AS active_users_14d,
            COUNT(DISTINCT user_id) FILTER (WHERE event = 'used') AS users_ever,
            MAX(occurred_at) FILTER (WHERE event = 'used') AS last_used_at,
            MIN(occurred_at) FILTER (WHERE event = 'activated') AS activated_at
       FROM usage_events
      WHERE customer_id = $1 AND feature_id = ANY($2::text[]) AND occurred_at < $3::timestamptz
      GROUP BY feature_id`,
    [customerId, featureIds, now],
  );

  const halves = await db.query<{ feature_id: string; earlier: number; recent: number }>(
    `SELECT feature_id,
            COALESCE(SUM(count) FILTER (WHERE occurred_at < $2::timestamptz - INTERVAL '28 days'), 0) AS earlier,
            COALESCE(SUM(count) FILTER (WHERE occurred_at >= $2::timestamptz - INTERVAL '28 days'), 0) AS recent
       FROM usage_events
      WHERE customer_id = $1 AND event = 'used'
        AND occurred_at >= $2::timestamptz - INTERVAL '56 days' AND occurred_at < $2::timestamptz
      GROUP BY feature_id`,
    [customerId, now],
  );

  const peers = await db.query<{ feature_id: string; median: number | null; n: number }>(
    `SELECT fa.feature_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY fa.usage_score) AS median, COUNT(*) AS n
       FROM feature_adoption fa
       JOIN customers c ON c.id = fa.customer_id
      WHERE fa.feature_id = ANY($2::text[]) AND fa.customer_id <> $1 AND c.segment = $3
        AND fa.activated_at IS NOT NULL AND NOT fa.not_needed
      GROUP BY fa.feature_id`,
    [customerId, featureIds, customer.segment],
  );

  // Counts come back from Postgres as bigint strings: numbers here, once.
  return {
    customer,
    adoption: adoption.rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      activatedAt: row.activated_at,
      lastUsedAt: row.last_used_at,
      usageScore: row.usage_score,
    })),
    weekly: weekly.rows.map((row) => ({
      featureId: row.feature_id,
      index: Number(row.idx),
      events: Number(row.events),
      activeUsers: Number(row.active_users),
    })),
    stats: stats.rows.map((row) => ({
      featureId: row.feature_id,
      activeUsers14d: Number(row.active_users_14d),
      usersEver: Number(row.users_ever),
      lastUsedAt: row.last_used_at,
      activatedAt: row.activated_at,
    })),
    accountHalves: halves.rows.map((row) => ({ featureId: row.feature_id, earlier: Number(row.earlier), recent: Number(row.recent) })),
    peers: peers.rows.map((row) => ({ featureId: row.feature_id, median: row.median === null ? null : Number(row.median), count: Number(row.n) })),
  };
}

/** A catalog feature's key benefit and category, for wording an email; null when the catalog does not list it. */
export async function catalogBenefit(db: Db, featureId: string): Promise<{ keyBenefit: string | null; category: string | null } | null> {
  const { rows } = await db.query<{ key_benefit: string | null; category: string | null }>(
    `SELECT key_benefit, category FROM feature_catalog WHERE feature_id = $1`,
    [featureId],
  );
  const row = rows[0];
  return row ? { keyBenefit: row.key_benefit, category: row.category } : null;
}
