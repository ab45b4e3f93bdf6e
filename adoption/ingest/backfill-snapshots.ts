import type { Db } from '../../db/database';
import { rulesParameter, type AdoptionRules } from '../config/rules';
import { addDays } from '../dates';
import { WINDOW_DAYS, scoreStageSql, usageScoreSql } from '../scoring-rules';

/**
 * The daily history of a newly imported usage history (the adoption page's trend, a stage's days in stage): for every
 * customer-feature the import touched, its usage score and stage as of each day of the last `days` days up to
 * `lastDay`, from activation on, written to `adoption_snapshots` with the detection formula (docs/scoring.md). So a
 * new tenant's adoption page shows a 90-day trend, not a single dot, and the first detection of a customer-feature
 * finds in these snapshots when its current stage began and whether it was engaged before (`churned`;
 * adoption/detection-sql.ts STAGE_HISTORY_OF_FIRST_SEEN).
 *
 * One set-based statement, linear in the rollups and the days: the window's active days and users of every day come
 * from running sums of when each active day (and each user's span of days) enters and leaves the 14-day window,
 * rather than from re-reading 14 days of rollups for each day. The rhythm analysis and segment benchmarks are detection's and are not replayed here; a stage is
 * the score's, with `churned` for a score back under engaged after an engaged or adopted day in the range.
 * A re-import recomputes the days it covers (the events are the truth), so late events correct the trend.
 */
export const BACKFILL_DAYS = 180;

const BACKFILL_SQL = `
WITH params AS NOT MATERIALIZED (
  SELECT $3::date AS last_day, $4::int AS days,
         -- The earliest rollup day that is in the 14-day window of a backfilled day.
         ($3::date - $4::int + 1 - ${WINDOW_DAYS}) AS first_needed,
         ($5::jsonb ->> 'engaged_from')::int AS engaged_from,
         ($5::jsonb ->> 'adopted_from')::int AS adopted_from,
         ($5::jsonb ->> 'not_started_after_days')::int AS not_started_after_days
),
touched AS (
  SELECT DISTINCT t.customer_id, t.feature_id FROM UNNEST($1::uuid[], $2::varchar[]) AS t(customer_id, feature_id)
),
features AS (
  SELECT t.customer_id, t.feature_id, c.seats,
         (LEAST(MIN(d.first_activated_at), MIN(d.first_used_at)) AT TIME ZONE 'UTC')::date AS activated_on
    FROM touched t
    JOIN customers c ON c.id = t.customer_id
    JOIN usage_daily d ON d.customer_id = t.customer_id AND d.feature_id = t.feature_id
    CROSS JOIN params p
   WHERE d.day <= p.last_day
   GROUP BY t.customer_id, t.feature_id, c.seats
  HAVING LEAST(MIN(d.first_activated_at), MIN(d.first_used_at)) IS NOT NULL
),
days AS (
  SELECT f.customer_id, f.feature_id, g.day::date AS day
    FROM features f
    CROSS JOIN params p
    CROSS JOIN LATERAL GENERATE_SERIES(GREATEST(f.activated_on, p.last_day - p.days + 1), p.last_day, INTERVAL '1 day') AS g(day)
),
feature_user_gaps AS (
  SELECT u.customer_id, u.feature_id, u.user_id, u.day,
         u.day - LAG(u.day) OVER (PARTITION BY u.customer_id, u.feature_id, u.user_id ORDER BY u.day) AS gap
    FROM usage_daily_users u
    JOIN features f ON f.customer_id = u.customer_id AND f.feature_id = u.feature_id
    CROSS JOIN params p
   WHERE u.day <= p.last_day AND u.day >= p.first_needed
),
feature_user_spans AS (
  -- A user counts in the 14-day window of every day from one of their active days to 13 days after it: a run of
  -- active days at most 14 apart covers one unbroken span of days.
  SELECT x.customer_id, x.feature_id, MIN(x.day) AS from_day, MAX(x.day) + ${WINDOW_DAYS} AS until_day
    FROM (SELECT g.*, SUM(CASE WHEN g.gap IS NULL OR g.gap > ${WINDOW_DAYS} THEN 1 ELSE 0 END)
                        OVER (PARTITION BY g.customer_id, g.feature_id, g.user_id ORDER BY g.day) AS span
            FROM feature_user_gaps g) x
   GROUP BY x.customer_id, x.feature_id, x.user_id, x.span
),
account_user_gaps AS (
  -- The same for the account's users over all its features, for customers without seats (breadth's base).
  SELECT a.customer_id, a.user_id, a.day,
         a.day - LAG(a.day) OVER (PARTITION BY a.customer_id, a.user_id ORDER BY a.day) AS gap
    FROM (SELECT DISTINCT u.customer_id, u.user_id, u.day
            FROM usage_daily_users u
            JOIN (SELECT DISTINCT customer_id FROM features WHERE COALESCE(seats, 0) <= 0) c ON c.customer_id = u.customer_id
            CROSS JOIN params p
           WHERE u.day <= p.last_day AND u.day >= p.first_needed) a
),
account_user_spans AS (
  SELECT x.customer_id, MIN(x.day) AS from_day, MAX(x.day) + ${WINDOW_DAYS} AS until_day
    FROM (SELECT g.*, SUM(CASE WHEN g.gap IS NULL OR g.gap > ${WINDOW_DAYS} THEN 1 ELSE 0 END)
                        OVER (PARTITION BY g.customer_id, g.user_id ORDER BY g.day) AS span
            FROM account_user_gaps g) x
   GROUP BY x.customer_id, x.user_id, x.span
),
feature_changes AS (
  -- Each active day enters the window on its day and leaves it 14 days later; each user span likewise. A running sum
  -- of these changes over the days is the window's active days and users, day by day, in one pass.
  SELECT c.customer_id, c.feature_id, c.day, SUM(c.active) AS active, SUM(c.users) AS users
    FROM (SELECT x.customer_id, x.feature_id, x.day, 0 AS active, 0 AS users FROM days x
          UNION ALL
          SELECT d.customer_id, d.feature_id, d.day, 1, 0
            FROM usage_daily d JOIN features f ON f.customer_id = d.customer_id AND f.feature_id = d.feature_id CROSS JOIN params p
           WHERE d.used_events > 0 AND d.day <= p.last_day AND d.day >= p.first_needed
          UNION ALL
          SELECT d.customer_id, d.feature_id, d.day + ${WINDOW_DAYS}, -1, 0
            FROM usage_daily d JOIN features f ON f.customer_id = d.customer_id AND f.feature_id = d.feature_id CROSS JOIN params p
           WHERE d.used_events > 0 AND d.day <= p.last_day AND d.day >= p.first_needed
          UNION ALL
          SELECT s.customer_id, s.feature_id, s.from_day, 0, 1 FROM feature_user_spans s
          UNION ALL
          SELECT s.customer_id, s.feature_id, s.until_day, 0, -1 FROM feature_user_spans s) c
   GROUP BY c.customer_id, c.feature_id, c.day
),
feature_windows AS (
  SELECT c.customer_id, c.feature_id, c.day,
         SUM(c.active) OVER w AS active_days, SUM(c.users) OVER w AS users
    FROM feature_changes c
  WINDOW w AS (PARTITION BY c.customer_id, c.feature_id ORDER BY c.day ROWS UNBOUNDED PRECEDING)
),
account_windows AS (
  SELECT c.customer_id, c.day, SUM(c.users) OVER (PARTITION BY c.customer_id ORDER BY c.day ROWS UNBOUNDED PRECEDING) AS users
    FROM (SELECT x.customer_id, x.day, SUM(x.users) AS users
            FROM (SELECT s.customer_id, s.from_day AS day, 1 AS users FROM account_user_spans s
                  UNION ALL
                  SELECT s.customer_id, s.until_day, -1 FROM account_user_spans s
                  UNION ALL
                  SELECT DISTINCT x.customer_id, x.day, 0 FROM days x JOIN features f ON f.customer_id = x.customer_id
                   WHERE COALESCE(f.seats, 0) <= 0) x
           GROUP BY x.customer_id, x.day) c
),
scored AS (
  SELECT x.customer_id, x.feature_id, x.day, (x.day - f.activated_on) AS days_since_activation,
         fw.active_days::int AS active_days_14, fw.users::int AS active_users_14,
         ${usageScoreSql('fw.active_days', 'fw.users', '(CASE WHEN f.seats > 0 THEN f.seats ELSE GREATEST(1, COALESCE(aw.users, 0)) END)')} AS usage_score
    FROM days x
    JOIN features f ON f.customer_id = x.customer_id AND f.feature_id = x.feature_id
    JOIN feature_windows fw ON fw.customer_id = x.customer_id AND fw.feature_id = x.feature_id AND fw.day = x.day
    LEFT JOIN account_windows aw ON aw.customer_id = x.customer_id AND aw.day = x.day
),
staged AS (
  SELECT s.*, ${scoreStageSql('s.usage_score', 's.days_since_activation', 'p')} AS score_stage
    FROM scored s CROSS JOIN params p
),
historied AS (
  SELECT st.*,
         COALESCE(BOOL_OR(st.score_stage IN ('engaged', 'adopted')) OVER (
           PARTITION BY st.customer_id, st.feature_id ORDER BY st.day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), FALSE) AS was_engaged
    FROM staged st
)
INSERT INTO adoption_snapshots (customer_id, feature_id, as_of, usage_score, stage, active_days_14, active_users_14, days_since_activation)
SELECT h.customer_id, h.feature_id, h.day, h.usage_score,
       CASE WHEN h.score_stage IN ('not_started', 'started') AND h.was_engaged THEN 'churned' ELSE h.score_stage END,
       h.active_days_14, h.active_users_14, h.days_since_activation
  FROM historied h
ON CONFLICT (customer_id, feature_id, as_of) DO UPDATE SET
  usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage, active_days_14 = EXCLUDED.active_days_14,
  active_users_14 = EXCLUDED.active_users_14, days_since_activation = EXCLUDED.days_since_activation`;

/**
 * Backfills the snapshots of the given customer-features for the `days` days up to `lastDay` (inclusive). Returns how
 * many snapshot rows were written.
 */
export async function backfillSnapshots(
  db: Db,
  touched: ReadonlyArray<{ customerId: string; featureId: string }>,
  options: { lastDay: string; rules: AdoptionRules; days?: number },
): Promise<number> {
  const days = Math.floor(options.days ?? BACKFILL_DAYS);
  if (touched.length === 0 || days < 1) return 0;
  const result = await db.query(BACKFILL_SQL, [
    touched.map((pair) => pair.customerId),
    touched.map((pair) => pair.featureId),
    options.lastDay,
    days,
    rulesParameter(options.rules),
  ]);
  return result.rowCount;
}

/** The last day a backfill covers: the day before the import's clock (a day is only complete once it is over). */
export function backfillLastDay(now: Date): string {
  return addDays(now.toISOString().slice(0, 10), -1);
}
