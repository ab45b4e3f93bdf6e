import { DEFAULT_RULES } from './config/rules';

/**
 * The usage score and the stage rule, written once as SQL (detection, `scoreFeatures` and the import's history
 * backfill all use these expressions), and the constants of the stall rules. The formula, thresholds and a worked
 * example are documented in docs/scoring.md.
 *
 * All time logic is in UTC days. "As of D" means as of the end of UTC day D: events after it are ignored.
 */

/** Days in the usage window: the score measures the last 14 days, D-13 .. D inclusive. */
export const WINDOW_DAYS = 14;
/**
 * The default rule numbers (adoption/config/rules.ts, `adoption.config.yaml`): detection reads the configured ones;
 * these are for what has no configuration (the outcome of a follow-up, the benchmarks).
 *
 * FR-1.3: activated for at least 14 days and a usage score under 20 (the score is itself a 14-day measure). */
export const LOW_USAGE_THRESHOLD = DEFAULT_RULES.stallRules.lowUsageScoreBelow;
export const LOW_USAGE_MIN_DAYS = DEFAULT_RULES.stallRules.lowUsageMinDays;
/** PRD 4.3: past the expected adoption days, not adopted, usage score under 30. */
export const STALL_SCORE_THRESHOLD = DEFAULT_RULES.stallRules.pastExpectedScoreBelow;
/** FR-1.6: peers are only trusted from this many customers in the same segment (and age, for the median score). */
export const MIN_PEERS = DEFAULT_RULES.stallRules.minPeers;
/** Age buckets for "peers at the same age": weeks since activation, the last bucket holding 91+ days. */
export const AGE_BUCKET_DAYS = 7;
export const LAST_AGE_BUCKET = 13;
/** Peers are taken from evaluations of the 180 days before the as-of day. */
export const BENCHMARK_LOOKBACK_DAYS = 180;
/**
 * FR-1.7: the account (all features) had at least this many user-days per 14 days in the four weeks before the
 * window and fell under DIP_RATIO of that in the window, and so did the rest of the account (its other features,
 * used or not): the dip is account-wide, not a feature stall. An account with one tracked feature has no rest.
 */
export const DIP_BASELINE_DAYS = DEFAULT_RULES.stallRules.dip.baselineDays;
export const DIP_MIN_BASELINE_PER_WINDOW = DEFAULT_RULES.stallRules.dip.minBaselineUserDaysPer14Days;
export const DIP_RATIO = DEFAULT_RULES.stallRules.dip.ratio;

export type AdoptionStage = 'not_started' | 'started' | 'engaged' | 'adopted' | 'churned';
export type StallRule = 'low_usage_14d' | 'past_expected_timeline' | 'low_usage_14d+past_expected_timeline' | 'missed_cadence';
export type SuppressReason =
  'not_needed' | 'not_key_feature' | 'on_cadence' | 'segment_benchmark' | 'account_wide_dip' | 'recent_signal' | 'recent_intervention';

/**
 * The usage score in TypeScript, for tests' expected values; test/integration/usage-score-sql.test.ts checks that it
 * equals `usageScoreSql` everywhere.
 *   frequency = activeDays / 14                      (days with at least one `used` event, of the last 14)
 *   breadth   = min(1, activeUsers / base)           (base = seats when known, else the account's active users)
 *   score     = round(100 * frequency * (0.5 + 0.5 * breadth))
 */
export function usageScoreOf(activeDays: number, activeUsers: number, base: number): number {
  // days/14 * (0.5 + 0.5 * users/seats) = days * (seats + users) / (2 * 14 * seats): one division of whole numbers,
  // so a score exactly half-way (2 days, 1 user of 20 seats: 7.5) rounds up here and in SQL alike; dividing step by
  // step left 7.4999... in one and 7.5000... in the other.
  const days = Math.min(activeDays, WINDOW_DAYS);
  const seats = Math.max(1, base);
  const users = Math.min(activeUsers, seats);
  return Math.round((100 * days * (seats + users)) / (2 * WINDOW_DAYS * seats));
}

/**
 * `usageScoreOf` as SQL over three expressions of our own (column names, never input): detection and the history
 * backfill on import write the score with this one formula, so they agree day by day.
 */
export function usageScoreSql(activeDays: string, activeUsers: string, breadthBase: string): string {
  return `ROUND(100.0 * LEAST(${activeDays}, ${WINDOW_DAYS}) * (${breadthBase}::bigint + LEAST(${activeUsers}, ${breadthBase}))
               / (${2 * WINDOW_DAYS} * ${breadthBase}::numeric))::int`;
}

/** The stage by score alone (FR-1.4) as SQL; `rules` names the row holding the configured thresholds. */
export function scoreStageSql(score: string, daysSinceActivation: string, rules: string): string {
  return `CASE WHEN ${score} >= ${rules}.adopted_from THEN 'adopted'
              WHEN ${score} >= ${rules}.engaged_from THEN 'engaged'
              WHEN ${score} = 0 AND ${daysSinceActivation} > ${rules}.not_started_after_days THEN 'not_started'
              ELSE 'started' END`;
}
