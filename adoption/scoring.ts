import type { Db } from '../db/database';
import { rulesParameter, type AdoptionRules } from './config/rules';
import { resolveRules } from './config/load';
import { isIsoDay } from './dates';
import { phrasesParameter } from './detection-phrases';
import { CUSTOMER_LIST_SCOPE, evaluationSql } from './scoring-evaluation-sql';
import type { AdoptionStage, StallRule, SuppressReason } from './scoring-rules';

/**
 * Adoption scores, stages and stall verdicts, read-only: the same evaluation detection stores per as-of day
 * (adoption/scoring-evaluation-sql.ts), for `measureAdoption` and reports that only read it.
 */

export * from './scoring-rules';
// The UTC day helpers, for callers that reach for them with the scores.
export { addDays, endOfUtcDay, isIsoDay, utcDay } from './dates';

/** `scoreFeatures`' statement: the rules bound as $4, the phrases of the reasons as $5. */
const SCORE_FEATURES_SQL = evaluationSql(CUSTOMER_LIST_SCOPE);

export interface EvaluationRow {
  customer_id: string;
  feature_id: string;
  segment: string;
  activated_at: Date;
  days_since_activation: number;
  last_used_at: Date | null;
  usage_count: number;
  active_days_14: number;
  active_users_14: number;
  breadth_base: number;
  breadth_base_kind: 'seats' | 'account_users';
  usage_score: number;
  stage: AdoptionStage;
  importance_score: number;
  expected_adoption_days: number;
  expected_days_source: 'catalog' | 'segment';
  peer_count: number;
  peer_median_score: number | null;
  low_usage_threshold: number;
  stall_score_threshold: number;
  others_recent_user_days: number;
  others_baseline_user_days: number;
  rule: StallRule | null;
  reason: string | null;
  decision: 'none' | 'signal' | 'suppressed';
  suppress_reason: SuppressReason | null;
  suppress_detail: string | null;
  signal_id: string | null;
  /** The feature's own cadence in days when its history shows one (only looked for when a rule would fire). */
  cadence_days: number | null;
  on_cadence: boolean;
  /** Engaged or adopted on an earlier day (the stage history): what makes a drop `churned`. */
  reached_engaged: boolean;
  /** The configured thresholds of the customer's segment, before any segment benchmark lowers them. */
  cfg_low_usage_below: number;
  cfg_past_expected_below: number;
}

export interface ScoreQuery {
  /** 'YYYY-MM-DD': scores as of the end of this UTC day. */
  asOf: string;
  customerIds: readonly string[];
  /** Only these features; all the customers' activated features when absent. */
  featureIds?: readonly string[];
  /** The rules to judge by; absent: the ones detection uses (`ADOPTION_CONFIG`, else the defaults). */
  rules?: AdoptionRules;
}

/**
 * Scores, stages and stall verdicts as of `asOf`, read-only (nothing is written). Features that were never activated
 * by then are absent: treat them as `not_started` with score 0.
 */
export async function scoreFeatures(db: Db, query: ScoreQuery): Promise<EvaluationRow[]> {
  if (!isIsoDay(query.asOf)) throw new Error(`asOf must be a day, YYYY-MM-DD; got ${JSON.stringify(query.asOf)}`);
  const result = await db.query<EvaluationRow>(`${SCORE_FEATURES_SQL} ORDER BY d.customer_id, d.feature_id`, [
    query.asOf,
    [...query.customerIds],
    query.featureIds ? [...query.featureIds] : null,
    rulesParameter(query.rules ?? resolveRules().rules),
    phrasesParameter(),
  ]);
  return result.rows.map(normaliseEvaluationRow);
}

function normaliseEvaluationRow(row: EvaluationRow): EvaluationRow {
  return {
    ...row,
    usage_count: Number(row.usage_count),
    peer_median_score: row.peer_median_score === null ? null : Number(row.peer_median_score),
    low_usage_threshold: Number(row.low_usage_threshold),
    stall_score_threshold: Number(row.stall_score_threshold),
  };
}
