/**
 * A synthetic tenant for the detection benchmarks, generated inside the database with one SQL statement per table
 * (generate_series and a seeded hash): 10,000 customers x 10 features x 90 days is 5-6 M rollup rows, which would
 * take minutes as events through the importer (about 18,000 events/s here) but seconds this way.
 *
 * Detection reads only the rollups (`usage_daily`, `usage_daily_users`), the catalog and the customers, so the
 * tenant is written there directly, the way `refreshRollups` (adoption/ingest/usage-rollups.ts) would have written it from one
 * `used` event per active user and day (count 1-5) and one `activated` event per activated customer-feature.
 * `addDayOfEvents` then adds one more day the real way (events + `refreshRollups`), for the daily pass.
 *
 * Customers follow four profiles, as in the first benchmark:
 *   adopted 40 %  most features used on most days by several users
 *   stalled 30 %  the account busy on some features while others fade out or were never really used
 *   new     15 %  2-4 features activated 2-10 days ago (too young to be flagged)
 *   dip     15 %  every feature busy, then the whole account silent for the last 15 days (account-wide dip)
 */
import { quoteIdentifier, type Db } from '../db/database';
import { refreshRollups } from '../adoption/ingest/usage-rollups';
import { addDays } from '../adoption/dates';

export interface TenantShape {
  customers: number;
  features: number;
  /** Days of history up to and including the as-of day. */
  days: number;
  asOf: string;
  seed: number;
}

export const BENCH_FEATURES = [
  ['analytics', 'Advanced Analytics Dashboard', 85, 30],
  ['automation', 'Workflow Automation', 70, 30],
  ['reports', 'Custom Reports', 55, 21],
  ['exports', 'Data Exports', 40, 30],
  ['alerts', 'Smart Alerts', 65, 14],
  ['forecasting', 'Forecasting', 80, 45],
  ['sso', 'Single Sign-On', 30, 7],
  ['api', 'Public API', 60, 30],
  ['mobile', 'Mobile App', 45, 21],
  ['playbooks', 'Playbooks', 75, 30],
] as const;

/**
 * The customer-features and their daily usage, as rows (customer n, feature f, days ago, active users, count seed).
 * `r(k)` is a uniform number in [0, 1) from the seed and k, the same for the same tenant every time.
 */
const TENANT_CTE = `
params AS (SELECT $1::date AS as_of, $2::int AS customers, $3::int AS features, $4::int AS days, $5::bigint AS seed),
cust AS (
  SELECT n, MD5('bench-' || p.seed || '-' || n)::uuid AS id,
         ((hashint8extended(n, p.seed) >> 1) & 2147483647)::float8 / 2147483648 AS roll,
         ((hashint8extended(n, p.seed + 1) >> 1) & 2147483647)::float8 / 2147483648 AS roll2
    FROM params p, generate_series(1, p.customers) n
),
shaped AS MATERIALIZED (
  SELECT c.n, c.id,
         CASE WHEN c.roll < 0.40 THEN 'adopted' WHEN c.roll < 0.70 THEN 'stalled' WHEN c.roll < 0.85 THEN 'new' ELSE 'dip' END AS profile,
         (ARRAY['smb', 'mid_market', 'enterprise'])[1 + FLOOR(c.roll2 * 3)::int] AS segment,
         (ARRAY[5, 20, 80])[1 + FLOOR(c.roll2 * 3)::int] + FLOOR(((c.roll2 * 3) - FLOOR(c.roll2 * 3)) * 60)::int AS seats
    FROM cust c
),
cf AS MATERIALIZED (
  -- One row per activated customer-feature: when it was activated (days ago), its daily use probability before and
  -- after the fade point, the fade point (days ago) and how many users use it on an active day at most.
  SELECT s.n, s.id, s.profile, s.seats, f.f,
         r.r1, r.r2,
         CASE s.profile
           WHEN 'new' THEN 2 + FLOOR(r.r1 * 9)::int
           ELSE 35 + FLOOR(r.r1 * (p.days - 35))::int END AS activated_ago,
         CASE
           WHEN s.profile = 'adopted' THEN 0.9 - 0.05 * (f.f % 4)
           WHEN s.profile = 'stalled' AND f.f % 3 = 1 THEN 0.5
           WHEN s.profile = 'stalled' AND f.f % 3 = 2 THEN 0.1
           WHEN s.profile = 'stalled' THEN 0.9
           WHEN s.profile = 'new' THEN 0.6
           ELSE 0.85 - 0.1 * (f.f % 3) END AS p_before,
         CASE
           WHEN s.profile = 'stalled' AND f.f % 3 = 1 THEN 0.15
           WHEN s.profile = 'stalled' AND f.f % 3 = 2 THEN 0
           WHEN s.profile = 'dip' THEN 0
           WHEN s.profile = 'adopted' THEN 0.9 - 0.05 * (f.f % 4)
           WHEN s.profile = 'new' THEN 0.6
           ELSE 0.9 END AS p_after,
         CASE WHEN s.profile = 'dip' THEN 15 WHEN f.f % 3 = 2 THEN 25 ELSE 14 END AS fade_ago,
         CASE WHEN s.profile = 'adopted' THEN 4 WHEN s.profile = 'dip' THEN 3 ELSE 2 END AS max_users
    FROM shaped s CROSS JOIN params p
    CROSS JOIN generate_series(1, p.features) AS f(f)
    CROSS JOIN LATERAL (
      SELECT ((hashint8extended(s.n * 64 + f.f, p.seed + 2) >> 1) & 2147483647)::float8 / 2147483648 AS r1,
             ((hashint8extended(s.n * 64 + f.f, p.seed + 3) >> 1) & 2147483647)::float8 / 2147483648 AS r2) r
   -- Which features a profile has activated: new customers only their first 2-4, the others most of them.
   WHERE CASE s.profile WHEN 'new' THEN f.f <= 2 + FLOOR(r.r2 * 3)::int ELSE r.r2 < 0.85 OR f.f <= 3 END
),
active_days AS (
  SELECT cf.id, cf.f, cf.seats, ago, LEAST(cf.seats, 12) AS pool,
         ((hashint8extended((cf.n * 64 + cf.f) * 128 + ago, p.seed + 4) >> 1) & 2147483647)::float8 / 2147483648 AS use_roll,
         ((hashint8extended((cf.n * 64 + cf.f) * 128 + ago, p.seed + 5) >> 1) & 2147483647)::float8 / 2147483648 AS users_roll,
         CASE WHEN ago >= cf.fade_ago THEN cf.p_before ELSE cf.p_after END AS p_use,
         cf.max_users, cf.n
    FROM cf CROSS JOIN params p CROSS JOIN generate_series(0, LEAST(cf.activated_ago, p.days - 1)) AS ago
),
used AS MATERIALIZED (
  SELECT a.id, a.f, a.n, a.ago, a.pool, 1 + FLOOR(a.users_roll * LEAST(a.pool, a.max_users))::int AS users
    FROM active_days a WHERE a.use_roll < a.p_use
)`;

/** Writes customers, the catalog and the rollups. Returns the row counts. */
export async function generateTenant(db: Db, shape: TenantShape): Promise<{ dailyRows: number; userDayRows: number; activated: number }> {
  const params = [shape.asOf, shape.customers, shape.features, shape.days, shape.seed];
  const features = BENCH_FEATURES.slice(0, shape.features);
  if (features.length < shape.features) throw new Error(`at most ${BENCH_FEATURES.length} features`);
  await db.query(
    `INSERT INTO feature_catalog (feature_id, feature_name, category, importance_score, expected_adoption_days)
     SELECT id, name, 'bench', importance, expected
       FROM UNNEST($1::varchar[], $2::varchar[], $3::int[], $4::int[]) AS x(id, name, importance, expected)`,
    [features.map((f) => f[0]), features.map((f) => f[1]), features.map((f) => f[2]), features.map((f) => f[3])],
  );
  await db.query(
    `WITH ${TENANT_CTE}
     INSERT INTO customers (id, name, arr, segment, seats, csm_name, csm_email, csm_slack_user_id)
     SELECT s.id, 'Bench customer ' || s.n, s.seats * 2500, s.segment, s.seats, 'Dana Reyes', 'dana@vendor.example', 'U0CSM0001'
       FROM shaped s`,
    params,
  );
  // The feature id of feature number f is the f-th catalog entry.
  const featureIds = features.map((f) => f[0]);
  await db.transaction(async (tx) => {
    // Generated rows reference their customers by construction: skip the per-row foreign-key triggers (superuser
    // only, and the benchmark's cluster is its own), the bulk of the cost of a few million inserted rows.
    await tx.query(`SET LOCAL session_replication_role = replica`);
    await tx.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    // Building the rollups' indexes once after the load (a sort) is several times faster than maintaining them row by
    // row; they are re-created from their own definitions, so the schema is exactly the migrations' one.
    const rebuild = await dropIndexes(tx, ['usage_daily', 'usage_daily_users']);
    await tx.query(`SET LOCAL jit = off`);
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    await tx.query(
      `WITH ${TENANT_CTE}
     INSERT INTO usage_daily_users (customer_id, feature_id, day, user_id)
     SELECT u.id, ($6::varchar[])[u.f], p.as_of - u.ago, 'u' || (1 + (u.n + k) % u.pool)
       FROM used u CROSS JOIN params p CROSS JOIN generate_series(0, u.users - 1) AS k
      ORDER BY 1, 2, 3, 4`,
      [...params, featureIds],
    );
    // Daily rollups: the used days (count 1-5 per user, events spread over the day) and the activation day.
    await tx.query(
      `WITH ${TENANT_CTE},
     activation AS (
       SELECT cf.id, cf.f, LEAST(cf.activated_ago, p.days - 1) AS ago FROM cf CROSS JOIN params p
     ),
     usage AS (
       SELECT u.id, u.f, u.ago, u.users,
              u.users * 3 AS used_events,
              ((hashint8extended((u.n * 64 + u.f) * 128 + u.ago, p.seed + 6) >> 1) & 2147483647) % 40000 AS first_second
         FROM used u CROSS JOIN params p
     )
     INSERT INTO usage_daily (customer_id, feature_id, day, used_events, activation_events, active_users,
                              first_activated_at, first_used_at, last_used_at)
     SELECT COALESCE(us.id, ac.id), ($6::varchar[])[COALESCE(us.f, ac.f)], p.as_of - COALESCE(us.ago, ac.ago),
            COALESCE(us.used_events, 0), CASE WHEN ac.id IS NULL THEN 0 ELSE 1 END, COALESCE(us.users, 0),
            CASE WHEN ac.id IS NOT NULL THEN (p.as_of - ac.ago)::timestamp AT TIME ZONE 'UTC' + INTERVAL '8 hours' END,
            CASE WHEN us.id IS NOT NULL THEN (p.as_of - us.ago)::timestamp AT TIME ZONE 'UTC' + us.first_second * INTERVAL '1 second' END,
            CASE WHEN us.id IS NOT NULL THEN (p.as_of - us.ago)::timestamp AT TIME ZONE 'UTC' + (us.first_second + 40000) * INTERVAL '1 second' END
       FROM usage us
       FULL JOIN activation ac ON ac.id = us.id AND ac.f = us.f AND ac.ago = us.ago
      CROSS JOIN params p
      ORDER BY 1, 2, 3`,
      [...params, featureIds],
    );
    for (const statement of rebuild) await tx.query(statement);
  });
  const { rows } = await db.query<{ daily: number; users: number; activated: number }>(
    `SELECT (SELECT COUNT(*) FROM usage_daily) AS daily, (SELECT COUNT(*) FROM usage_daily_users) AS users,
            (SELECT COUNT(*) FROM (SELECT DISTINCT customer_id, feature_id FROM usage_daily) x) AS activated`,
  );
  return { dailyRows: Number(rows[0].daily), userDayRows: Number(rows[0].users), activated: Number(rows[0].activated) };
}

/** Drops the indexes (and primary keys) of the tables; returns the statements that re-create them as they were. */
async function dropIndexes(tx: Db, tables: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ table_name: string; name: string; constraint_def: string | null; index_def: string }>(
    `SELECT t.relname AS table_name, i.relname AS name, pg_get_indexdef(i.oid) AS index_def,
            (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conindid = i.oid AND c.contype = 'p') AS constraint_def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'adoption' AND t.relname = ANY($1::text[])`,
    [tables],
  );
  const recreate: string[] = [];
  for (const row of rows) {
    // Names come from the catalog, not from input; quoted all the same.
    const table = `adoption.${quoteIdentifier(row.table_name)}`;
    if (row.constraint_def) {
      await tx.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdentifier(row.name)}`);
      recreate.push(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdentifier(row.name)} ${row.constraint_def}`);
    } else {
      await tx.query(`DROP INDEX adoption.${quoteIdentifier(row.name)}`);
      recreate.push(row.index_def);
    }
  }
  return recreate;
}

/**
 * One more day of usage, the way the importer writes it: `used` events into usage_events (one per active user, the
 * same profiles continued) and the importer's `refreshRollups` for the touched customer-feature-days.
 */
export async function addDayOfEvents(db: Db, shape: TenantShape, day: string): Promise<number> {
  const ago = Math.round((Date.parse(`${shape.asOf}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000);
  const featureIds = BENCH_FEATURES.slice(0, shape.features).map((f) => f[0]);
  return db.transaction(async (tx) => {
    // The profiles' usage of "ago" days before the as-of day (negative: after it), as events.
    const { rows } = await tx.query<{ customer_id: string; feature_id: string; day: string }>(
      `WITH ${TENANT_CTE.replace('generate_series(0, LEAST(cf.activated_ago, p.days - 1)) AS ago', 'UNNEST(ARRAY[$7::int]) AS ago')},
       inserted AS (
         INSERT INTO usage_events (event_key, customer_id, feature_id, event, occurred_at, user_id, "count")
         SELECT 'bench:' || u.id || ':' || u.f || ':' || $8::date || ':' || k, u.id, ($6::varchar[])[u.f], 'used',
                $8::date::timestamp AT TIME ZONE 'UTC' + INTERVAL '9 hours' + k * INTERVAL '1 minute',
                'u' || (1 + (u.n + k) % u.pool), 1 + k % 5
           FROM used u CROSS JOIN generate_series(0, u.users - 1) AS k
         ON CONFLICT (event_key) DO NOTHING
         RETURNING customer_id, feature_id
       )
       SELECT DISTINCT customer_id, feature_id, $8::date AS day FROM inserted`,
      [shape.asOf, shape.customers, shape.features, shape.days, shape.seed, featureIds, ago, day],
    );
    await refreshRollups(tx, rows);
    return rows.length;
  });
}

export const nextDay = (day: string) => addDays(day, 1);
