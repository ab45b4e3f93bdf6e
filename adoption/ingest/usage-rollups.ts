import type { Db } from '../../db/database';

/**
 * Recomputes the daily rollups of the given customer-feature-days from the events, the distinct users of those days,
 * and the weekly rollups of their weeks. Recomputing (not incrementing) keeps re-imports and retries harmless.
 */
export async function refreshRollups(db: Db, touched: ReadonlyArray<{ customer_id: string; feature_id: string; day: string }>): Promise<void> {
  if (touched.length === 0) return;
  const keys = [...new Map(touched.map((row) => [`${row.customer_id}|${row.feature_id}|${row.day}`, row])).values()];
  const params = [keys.map((row) => row.customer_id), keys.map((row) => row.feature_id), keys.map((row) => row.day)];
  const touchedCte = `touched AS (
    SELECT * FROM UNNEST($1::uuid[], $2::varchar[], $3::date[]) AS t(customer_id, feature_id, day))`;
  await db.query(
    `WITH ${touchedCte}
     INSERT INTO usage_daily (customer_id, feature_id, day, used_events, activation_events, active_users,
                              first_activated_at, first_used_at, last_used_at, updated_at)
     SELECT t.customer_id, t.feature_id, t.day,
            COALESCE(SUM(e."count") FILTER (WHERE e.event = 'used'), 0),
            COALESCE(SUM(e."count") FILTER (WHERE e.event = 'activated'), 0),
            COUNT(DISTINCT COALESCE(e.user_id, '')) FILTER (WHERE e.event = 'used'),
            MIN(e.occurred_at) FILTER (WHERE e.event = 'activated'),
            MIN(e.occurred_at) FILTER (WHERE e.event = 'used'),
            MAX(e.occurred_at) FILTER (WHERE e.event = 'used'),
            NOW()
       FROM touched t
       JOIN usage_events e
         ON e.customer_id = t.customer_id AND e.feature_id = t.feature_id
        AND e.occurred_at >= (t.day::timestamp AT TIME ZONE 'UTC')
        AND e.occurred_at < ((t.day + 1)::timestamp AT TIME ZONE 'UTC')
      GROUP BY t.customer_id, t.feature_id, t.day
     ON CONFLICT (customer_id, feature_id, day) DO UPDATE SET
       used_events = EXCLUDED.used_events, activation_events = EXCLUDED.activation_events,
       active_users = EXCLUDED.active_users, first_activated_at = EXCLUDED.first_activated_at,
       first_used_at = EXCLUDED.first_used_at, last_used_at = EXCLUDED.last_used_at, updated_at = NOW()`,
    params,
  );
  await db.query(
    `WITH ${touchedCte}
     INSERT INTO usage_daily_users (customer_id, feature_id, day, user_id)
     SELECT DISTINCT t.customer_id, t.feature_id, t.day, COALESCE(e.user_id, '')
       FROM touched t
       JOIN usage_events e
         ON e.customer_id = t.customer_id AND e.feature_id = t.feature_id
        AND e.occurred_at >= (t.day::timestamp AT TIME ZONE 'UTC')
        AND e.occurred_at < ((t.day + 1)::timestamp AT TIME ZONE 'UTC')
      WHERE e.event = 'used'
     ON CONFLICT DO NOTHING`,
    params,
  );
  await db.query(
    `WITH ${touchedCte},
     weeks AS (SELECT DISTINCT customer_id, feature_id, DATE_TRUNC('week', day)::date AS week_start FROM touched),
     daily AS (
       SELECT w.customer_id, w.feature_id, w.week_start,
              COALESCE(SUM(d.used_events), 0) AS used_events,
              COALESCE(SUM(d.activation_events), 0) AS activation_events,
              COUNT(d.day) FILTER (WHERE d.used_events > 0) AS active_days
         FROM weeks w
         JOIN usage_daily d ON d.customer_id = w.customer_id AND d.feature_id = w.feature_id
                           AND d.day >= w.week_start AND d.day < w.week_start + 7
        GROUP BY w.customer_id, w.feature_id, w.week_start
     ),
     users AS (
       SELECT w.customer_id, w.feature_id, w.week_start, COUNT(DISTINCT u.user_id) AS active_users
         FROM weeks w
         JOIN usage_daily_users u ON u.customer_id = w.customer_id AND u.feature_id = w.feature_id
                                 AND u.day >= w.week_start AND u.day < w.week_start + 7
        GROUP BY w.customer_id, w.feature_id, w.week_start
     )
     INSERT INTO usage_weekly (customer_id, feature_id, week_start, used_events, activation_events, active_days,
                               active_users, updated_at)
     SELECT d.customer_id, d.feature_id, d.week_start, d.used_events, d.activation_events, d.active_days,
            COALESCE(u.active_users, 0), NOW()
       FROM daily d
       LEFT JOIN users u ON u.customer_id = d.customer_id AND u.feature_id = d.feature_id AND u.week_start = d.week_start
     ON CONFLICT (customer_id, feature_id, week_start) DO UPDATE SET
       used_events = EXCLUDED.used_events, activation_events = EXCLUDED.activation_events,
       active_days = EXCLUDED.active_days, active_users = EXCLUDED.active_users, updated_at = NOW()`,
    params,
  );
}
