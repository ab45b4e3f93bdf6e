/**
 * The English of detection's verdicts: why a feature is flagged (`reason`) and why a flag was held back
 * (`suppress_detail`). The evaluation (adoption/scoring-evaluation-sql.ts) picks the phrases and fills their `%s` with
 * its numbers through Postgres' FORMAT (`%%` is a literal percent sign), so the text is written here and the statement
 * stays set-based. The rules parameter carries the numbers; this one, bound beside it, carries the words.
 */
export const DETECTION_PHRASES = {
  /** Joins the clauses of one reason. */
  clause_separator: '; ',
  missed_cadence:
    'used about every %s days (the median gap between its %s uses of the last %s days, the middle %s%% of the gaps ' +
    'within %s%% of it), last used %s days ago: past its cadence, next use was due within %s days',
  low_usage: 'usage score %s is under %s over the last 14 days (used on %s of 14 days by %s of %s %s), activated %s days ago',
  breadth_of_seats: 'seats',
  breadth_of_account_users: 'active users of the account',
  past_expected: 'day %s since activation is past the expected %s days (%s) and %s, under %s',
  /** The stage and score in `past_expected`: a phrase of its own, so a feature found churned later can be re-worded. */
  stage_with_score: 'the feature is %s with usage score %s',
  expected_from_peers: 'median of %s %s peers',
  expected_from_catalog: 'feature catalog',
  lone_feature_dip:
    "it is the account's only tracked feature, so a pause of the whole account cannot be told apart from a stall " +
    'and it is judged as a feature stall',
  churned: 'it was engaged or adopted before and has dropped back (churned)',
  not_needed: 'the customer marked this feature as not needed',
  not_key_feature: 'importance %s is under the key-feature threshold %s (alerting.min_importance): it never alerts',
  on_cadence:
    'used about every %s days (the median gap between its %s uses of the last %s days, the middle %s%% of the gaps ' +
    'within %s%% of it), last used %s days ago: judged against its cadence, next use due within %s days',
  segment_benchmark: 'usage score %s is in line with the median %s of %s %s peers at the same age (week %s since activation)',
  account_wide_dip:
    'the whole account dipped: %s user-days in the last 14 days against %s per 14 days in the %s before (other features: %s against %s)',
  span_in_weeks: '%s weeks',
  span_in_days: '%s days',
  recent_signal: 'already signalled on %s (cooldown %s days)',
  recent_intervention: 'intervention on %s (cooldown %s days)',
} as const;

export type DetectionPhrase = keyof typeof DETECTION_PHRASES;

/** The phrases as the jsonb parameter the evaluation reads them from. */
export function phrasesParameter(): string {
  return JSON.stringify(DETECTION_PHRASES);
}

/** SQL reading one phrase from the phrases parameter `phrases` (a placeholder such as `$5::jsonb`, never input). */
export function phraseSql(phrases: string, name: DetectionPhrase): string {
  return `(${phrases} ->> '${name}')`;
}
