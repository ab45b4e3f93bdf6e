import { LOW_USAGE_THRESHOLD, STALL_SCORE_THRESHOLD } from './scoring-rules';

/**
 * Judging an intervention (FR-4.1, FR-4.3): did the stalled feature recover, improve, or stay stalled? One source for
 * the recovery threshold of the run's measure step and the intervention follow-ups.
 */
export type AdoptionOutcome = 'recovered' | 'improved' | 'still_stalled' | 'not_confirmed';

/** Outcomes that count as a successful intervention in the reports; `not_confirmed` and `still_stalled` do not. */
export const SUCCESSFUL_OUTCOMES: readonly AdoptionOutcome[] = ['recovered', 'improved'];
export const UNSUCCESSFUL_OUTCOMES: readonly AdoptionOutcome[] = ['still_stalled', 'not_confirmed'];

/** "Improved" needs at least this many points more than at signal time. */
export const IMPROVEMENT_MIN_POINTS = 10;

/** The rule whose threshold is the stall-score one (PRD 4.3). */
const PAST_EXPECTED_TIMELINE = 'past_expected_timeline';
/**
 * A feature judged by its own longer rhythm (FR-1.7, docs/scoring.md) is back when it is used again: its score over
 * 14 days stays low between uses by nature, so the low-usage threshold would call a monthly report that came back
 * "still stalled". Any use in the measured window (a score above 0) is its recovery.
 */
const MISSED_CADENCE = 'missed_cadence';
const BACK_ON_CADENCE_SCORE = 1;

/** The score a stalled feature must reach again to count as recovered: the threshold of the rule that flagged it. */
export function recoveryThresholdOf(rule: string | null | undefined): number {
  if (rule === MISSED_CADENCE) return BACK_ON_CADENCE_SCORE;
  return rule && rule.includes(PAST_EXPECTED_TIMELINE) ? STALL_SCORE_THRESHOLD : LOW_USAGE_THRESHOLD;
}

export interface FeatureJudgement {
  outcome: AdoptionOutcome;
  effectivenessScore: number;
}

/**
 * Outcomes come from measured usage only (docs/impact.md):
 * - recovered: the score is back at the threshold of the rule that flagged it (20 for FR-1.3, i.e. engaged or
 *   better; 30 for PRD 4.3), or the stage is `adopted`;
 * - not_confirmed: a `recovered` signal reported a recovery that the measurement does not show;
 * - improved: up by at least 10 points;
 * - still_stalled: otherwise.
 * Effectiveness (0-100, FR-4.3): 100 when recovered, else the share of the gap to the threshold that was closed,
 * `round(100 * (after - before) / max(1, threshold - before))` clamped to 0-100. A reported recovery never adds to it.
 */
export function judgeFeature(input: {
  before: number;
  after: number;
  stage: string;
  rule: string | null;
  reportedRecovered: boolean;
}): FeatureJudgement {
  const threshold = recoveryThresholdOf(input.rule);
  if (input.after >= threshold || input.stage === 'adopted') {
    return { outcome: 'recovered', effectivenessScore: 100 };
  }
  const effectivenessScore = effectivenessOf(input.before, input.after, threshold);
  if (input.reportedRecovered) return { outcome: 'not_confirmed', effectivenessScore };
  if (input.after - input.before >= IMPROVEMENT_MIN_POINTS) return { outcome: 'improved', effectivenessScore };
  return { outcome: 'still_stalled', effectivenessScore };
}

/** FR-4.3 for a feature that did not recover: the share of the gap to the recovery threshold that was closed. */
export function effectivenessOf(before: number, after: number, threshold: number): number {
  const gap = Math.max(1, threshold - before);
  return Math.max(0, Math.min(100, Math.round((100 * (after - before)) / gap)));
}

/**
 * The run's outcome: recovered when every feature recovered, improved when any moved, else not confirmed when a
 * reported recovery was not borne out, else still stalled.
 */
export function overallOutcome(outcomes: AdoptionOutcome[]): AdoptionOutcome {
  if (outcomes.length > 0 && outcomes.every((outcome) => outcome === 'recovered')) return 'recovered';
  if (outcomes.some((outcome) => outcome === 'recovered' || outcome === 'improved')) return 'improved';
  if (outcomes.some((outcome) => outcome === 'not_confirmed')) return 'not_confirmed';
  return 'still_stalled';
}
