/**
 * The straightforward implementation of detection the benchmark compares with: PRD 4.3's `evaluateAdoptionStatus`
 * loop, with the rules of docs/scoring.md, one customer-feature at a time. For each one it loads that
 * customer-feature's usage (the daily rollups and the window's users, which are smaller than its raw events, so this
 * is kinder to the straightforward code than reading usage_events), the account's usage for the breadth base and the
 * account-wide dip, the catalog entry, the customer's segment benchmarks, its earlier signals and interventions;
 * evaluates in TypeScript (the score and the stage by score through the one SQL form of those rules,
 * adoption/scoring-rules.ts); and writes the evaluation, the snapshot and feature_adoption's score and stage.
 *
 * It judges by the default rules (adoption/config/rules.ts DEFAULT_RULES): the stall rules, the account-wide dip
 * (judged as a feature stall when the account tracks one feature), `churned` after engaged or adopted (FR-1.4), a
 * feature's own rhythm (`missed_cadence`, `on_cadence`; docs/scoring.md) and the key-feature threshold.
 *
 * It reads the segment benchmarks of the day (`segment_benchmarks`, `segment_expected_days`) that a run's first step
 * writes, so the caller refreshes them first. It does not create signals or stall episodes: its verdicts (score,
 * stage, rule, decision, suppression reason) are compared with the set-based pass's instead.
 */
import type { Db } from '../db/database';
import { COOLDOWN_DAYS } from '../adoption/model/rules';
import { DEFAULT_RULES } from '../adoption/config/rules';
import {
  AGE_BUCKET_DAYS,
  DIP_BASELINE_DAYS,
  DIP_MIN_BASELINE_PER_WINDOW,
  DIP_RATIO,
  LAST_AGE_BUCKET,
  LOW_USAGE_MIN_DAYS,
  LOW_USAGE_THRESHOLD,
  MIN_PEERS,
  STALL_SCORE_THRESHOLD,
  WINDOW_DAYS,
  scoreStageSql,
  usageScoreSql,
  type AdoptionStage,
} from '../adoption/scoring-rules';
import { addDays, endOfUtcDay } from '../adoption/dates';

/** The score and the stage by score of one customer-feature, from the one SQL form of both rules. */
const SCORE_AND_STAGE = `
SELECT s.usage_score, ${scoreStageSql('s.usage_score', '$4::int', 'r')} AS score_stage
  FROM (SELECT ${usageScoreSql('$1::int', '$2::int', '$3::int')} AS usage_score) s,
       (SELECT $5::int AS engaged_from, $6::int AS adopted_from, $7::int AS not_started_after_days) r`;

export interface Verdict {
  customerId: string;
  featureId: string;
  usageScore: number;
  stage: string;
  rule: string | null;
  decision: 'none' | 'signal' | 'suppressed';
  suppressReason: string | null;
}

const dayOf = (instant: Date | string) => new Date(instant).toISOString().slice(0, 10);
const RHYTHM = DEFAULT_RULES.rhythm;

/** Postgres's PERCENTILE_CONT: linear interpolation between the two nearest of the sorted values. */
function percentileCont(sorted: number[], fraction: number): number {
  const position = fraction * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * The feature's own rhythm from its active days (docs/scoring.md "Feature rhythm"): active days closer than the
 * burst gap are one use; a cadence needs enough uses, a median gap in range and the central share of gaps near it.
 */
function cadenceOf(activeDays: string[]): { dueWithinDays: number } | null {
  const gaps: number[] = [];
  for (let i = 1; i < activeDays.length; i += 1) {
    const gap = daysBetween(activeDays[i - 1], activeDays[i]);
    if (gap > RHYTHM.burstGapDays) gaps.push(gap);
  }
  if (gaps.length + 1 < RHYTHM.minOccasions) return null;
  gaps.sort((a, b) => a - b);
  const low = percentileCont(gaps, (1 - RHYTHM.regularShare) / 2);
  const median = percentileCont(gaps, 0.5);
  const high = percentileCont(gaps, (1 + RHYTHM.regularShare) / 2);
  if (median < RHYTHM.minCadenceDays || median > RHYTHM.maxCadenceDays) return null;
  if (low < (1 - RHYTHM.tolerance) * median || high > (1 + RHYTHM.tolerance) * median) return null;
  return { dueWithinDays: Math.ceil(median * (1 + RHYTHM.tolerance)) };
}
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Evaluates and writes every activated feature of the given customers, one customer-feature at a time. */
export async function detectStraightforward(db: Db, asOf: string, customerIds: readonly string[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const windowStart = addDays(asOf, -(WINDOW_DAYS - 1));
  const baselineStart = addDays(asOf, -(WINDOW_DAYS + DIP_BASELINE_DAYS - 1));
  const endAt = Date.parse(endOfUtcDay(asOf));
  for (const customerId of customerIds) {
    const customer = (await db.query<{ segment: string; seats: number | null }>(`SELECT segment, seats FROM customers WHERE id = $1`, [customerId]))
      .rows[0];
    const features = await db.query<{ feature_id: string }>(
      `SELECT DISTINCT feature_id FROM usage_daily WHERE customer_id = $1 AND day <= $2::date ORDER BY feature_id`,
      [customerId, asOf],
    );
    for (const { feature_id: featureId } of features.rows) {
      // Its usage, day by day.
      const usage = await db.query<{
        day: string;
        used_events: number;
        active_users: number;
        first_activated_at: Date | null;
        first_used_at: Date | null;
        last_used_at: Date | null;
      }>(
        `SELECT day, used_events, active_users, first_activated_at, first_used_at, last_used_at
           FROM usage_daily WHERE customer_id = $1 AND feature_id = $2 AND day <= $3::date`,
        [customerId, featureId, asOf],
      );
      const firsts = usage.rows.flatMap((r) => [r.first_activated_at, r.first_used_at]).filter((t): t is Date => t !== null);
      if (firsts.length === 0) continue;
      const activatedAt = new Date(Math.min(...firsts.map((t) => t.getTime())));
      const daysSinceActivation = daysBetween(dayOf(activatedAt), asOf);
      const inWindow = (day: string) => day >= windowStart && day <= asOf;
      const inBaseline = (day: string) => day >= baselineStart && day < windowStart;
      const activeDays = usage.rows.filter((r) => inWindow(r.day) && r.used_events > 0).length;
      const ownRecent = usage.rows.filter((r) => inWindow(r.day)).reduce((sum, r) => sum + r.active_users, 0);
      const ownBaseline = usage.rows.filter((r) => inBaseline(r.day)).reduce((sum, r) => sum + r.active_users, 0);
      const users = await db.query<{ n: number }>(
        `SELECT COUNT(DISTINCT user_id)::int AS n FROM usage_daily_users
          WHERE customer_id = $1 AND feature_id = $2 AND day BETWEEN $3::date AND $4::date`,
        [customerId, featureId, windowStart, asOf],
      );
      const activeUsers = users.rows[0].n;

      // The account: its user-days before and in the window (FR-1.7), its active users (breadth without seats).
      const account = await db.query<{ recent: number; baseline: number }>(
        `SELECT COALESCE(SUM(active_users) FILTER (WHERE day >= $2::date), 0)::int AS recent,
                COALESCE(SUM(active_users) FILTER (WHERE day < $2::date), 0)::int AS baseline
           FROM usage_daily WHERE customer_id = $1 AND day BETWEEN $3::date AND $4::date`,
        [customerId, windowStart, baselineStart, asOf],
      );
      const { recent: accountRecent, baseline: accountBaseline } = account.rows[0];
      let base = customer.seats ?? 0;
      if (!(base > 0)) {
        const accountUsers = await db.query<{ n: number }>(
          `SELECT COUNT(DISTINCT user_id)::int AS n FROM usage_daily_users WHERE customer_id = $1 AND day BETWEEN $2::date AND $3::date`,
          [customerId, windowStart, asOf],
        );
        base = Math.max(1, accountUsers.rows[0].n);
      }

      const { stages } = DEFAULT_RULES;
      const scored = await db.query<{ usage_score: number; score_stage: AdoptionStage }>(SCORE_AND_STAGE, [
        activeDays,
        activeUsers,
        base,
        daysSinceActivation,
        stages.engagedFrom,
        stages.adoptedFrom,
        stages.notStartedAfterDays,
      ]);
      const { usage_score: usageScore, score_stage: scoreStage } = scored.rows[0];

      // The catalog, the customer's own marks, its segment's benchmarks of the day.
      const catalog = (
        await db.query<{ importance_score: number | null; expected_adoption_days: number | null }>(
          `SELECT importance_score, expected_adoption_days FROM feature_catalog WHERE feature_id = $1`,
          [featureId],
        )
      ).rows[0];
      const adoption = (
        await db.query<{ not_needed: boolean; intervention_sent_at: Date | null }>(
          `SELECT not_needed, intervention_sent_at FROM feature_adoption WHERE customer_id = $1 AND feature_id = $2`,
          [customerId, featureId],
        )
      ).rows[0];
      const ageBucket = Math.min(LAST_AGE_BUCKET, Math.floor(daysSinceActivation / AGE_BUCKET_DAYS));
      const peers = (
        await db.query<{ peer_count: number; median_score: number }>(
          `SELECT peer_count, median_score FROM segment_benchmarks
            WHERE as_of = $1::date AND segment = $2 AND feature_id = $3 AND age_bucket = $4`,
          [asOf, customer.segment, featureId, ageBucket],
        )
      ).rows[0];
      const timeline = (
        await db.query<{ adopted_peers: number; median_days: number }>(
          `SELECT adopted_peers, median_days FROM segment_expected_days WHERE as_of = $1::date AND segment = $2 AND feature_id = $3`,
          [asOf, customer.segment, featureId],
        )
      ).rows[0];
      const catalogExpected = catalog?.expected_adoption_days ?? 30;
      const expected = timeline && timeline.adopted_peers >= MIN_PEERS ? timeline.median_days : catalogExpected;
      const trusted = peers && peers.peer_count >= MIN_PEERS;
      const lowThreshold = trusted ? Math.min(LOW_USAGE_THRESHOLD, Number(peers.median_score)) : LOW_USAGE_THRESHOLD;
      const stallThreshold = trusted ? Math.min(STALL_SCORE_THRESHOLD, Number(peers.median_score)) : STALL_SCORE_THRESHOLD;

      // The rules (FR-1.3, PRD 4.3), as the PRD states them and with the segment's thresholds.
      const prdLow = daysSinceActivation >= LOW_USAGE_MIN_DAYS && usageScore < LOW_USAGE_THRESHOLD;
      const prdPast = scoreStage !== 'adopted' && daysSinceActivation > catalogExpected && usageScore < STALL_SCORE_THRESHOLD;
      const low = daysSinceActivation >= LOW_USAGE_MIN_DAYS && usageScore < lowThreshold;
      const past = scoreStage !== 'adopted' && daysSinceActivation > expected && usageScore < stallThreshold;
      const flagged = low || past || prdLow || prdPast;

      // Its rhythm, only for a feature a rule would flag: uses in the lookback, the gaps between them.
      let missedCadence = false;
      let onCadence = false;
      if (RHYTHM.enabled && flagged) {
        const lookbackStart = addDays(asOf, -(RHYTHM.lookbackDays - 1));
        const days = usage.rows
          .filter((r) => r.used_events > 0 && r.day >= lookbackStart)
          .map((r) => r.day)
          .sort();
        const cadence = cadenceOf(days);
        const lastUsedAt = usage.rows.map((r) => r.last_used_at).filter((t): t is Date => t !== null);
        if (cadence && lastUsedAt.length > 0) {
          const sinceLastUse = daysBetween(dayOf(new Date(Math.max(...lastUsedAt.map((t) => t.getTime())))), asOf);
          missedCadence = sinceLastUse > cadence.dueWithinDays;
          onCadence = !missedCadence;
        }
      }
      // FR-1.4: back under engaged after it was engaged or adopted is churned, unless it keeps a cadence of its own.
      const reachedEngaged =
        (
          await db.query(
            `SELECT 1 FROM feature_stage_history WHERE customer_id = $1 AND feature_id = $2 AND entered_on < $3::date AND stage IN ('engaged', 'adopted') LIMIT 1`,
            [customerId, featureId, asOf],
          )
        ).rows.length > 0;
      const stage = (scoreStage === 'not_started' || scoreStage === 'started') && reachedEngaged && !onCadence ? 'churned' : scoreStage;
      const rule = missedCadence
        ? 'missed_cadence'
        : onCadence
          ? null
          : low && past
            ? 'low_usage_14d+past_expected_timeline'
            : low
              ? 'low_usage_14d'
              : past
                ? 'past_expected_timeline'
                : prdLow && prdPast
                  ? 'low_usage_14d+past_expected_timeline'
                  : prdLow
                    ? 'low_usage_14d'
                    : prdPast
                      ? 'past_expected_timeline'
                      : null;
      const othersRecent = accountRecent - ownRecent;
      const othersBaseline = accountBaseline - ownBaseline;
      // An account with one tracked feature has no rest to tell a holiday from a stall by: a feature stall.
      const accountDip =
        accountBaseline * WINDOW_DAYS >= DIP_MIN_BASELINE_PER_WINDOW * DIP_BASELINE_DAYS &&
        accountRecent * DIP_BASELINE_DAYS < DIP_RATIO * WINDOW_DAYS * accountBaseline &&
        features.rows.length > 1 &&
        ((othersBaseline === 0 && othersRecent === 0) || othersRecent * DIP_BASELINE_DAYS < DIP_RATIO * WINDOW_DAYS * othersBaseline);

      // Earlier signals (FR-2.4; a signal of the day itself is this run's own) and interventions.
      const signals = await db.query<{ on_day: string }>(
        `SELECT COALESCE(rs.as_of, (rs.created_at AT TIME ZONE 'UTC')::date) AS on_day
           FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
          WHERE f.customer_id = $1 AND f.feature_id = $2 AND rs.signal_type = 'adoption_stalled'
            AND rs.as_of IS DISTINCT FROM $3::date`,
        [customerId, featureId, asOf],
      );
      const recentSignal = signals.rows.some((s) => Math.abs(daysBetween(s.on_day, asOf)) < COOLDOWN_DAYS);
      const interventions = await db.query<{ occurred_at: Date }>(
        `SELECT occurred_at FROM interventions WHERE customer_id = $1 AND feature_id = $2`,
        [customerId, featureId],
      );
      const interventionTimes = interventions.rows.map((i) => i.occurred_at);
      if (adoption?.intervention_sent_at) interventionTimes.push(adoption.intervention_sent_at);
      const cooldownFrom = addDays(asOf, -(COOLDOWN_DAYS - 1));
      const recentIntervention = interventionTimes.some((t) => t.getTime() < endAt && dayOf(t) >= cooldownFrom);

      let decision: Verdict['decision'] = 'signal';
      let suppressReason: string | null = null;
      if (!flagged) decision = 'none';
      else if (adoption?.not_needed) suppressReason = 'not_needed';
      else if ((catalog?.importance_score ?? 50) < DEFAULT_RULES.stallRules.minImportance) suppressReason = 'not_key_feature';
      else if (onCadence) suppressReason = 'on_cadence';
      else if (!(low || past || missedCadence)) suppressReason = 'segment_benchmark';
      else if (accountDip) suppressReason = 'account_wide_dip';
      else if (recentSignal) suppressReason = 'recent_signal';
      else if (recentIntervention) suppressReason = 'recent_intervention';
      if (suppressReason) decision = 'suppressed';

      // Write what was found.
      await db.query(
        `INSERT INTO feature_evaluations (as_of, customer_id, feature_id, segment, activated_at, days_since_activation,
           active_days_14, active_users_14, breadth_base, breadth_base_kind, usage_score, stage, importance_score,
           expected_adoption_days, expected_days_source, low_usage_threshold, stall_score_threshold, rule, decision,
           suppress_reason)
         VALUES ($1::date, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         ON CONFLICT (as_of, customer_id, feature_id) DO UPDATE SET usage_score = EXCLUDED.usage_score,
           stage = EXCLUDED.stage, rule = EXCLUDED.rule, decision = EXCLUDED.decision,
           suppress_reason = EXCLUDED.suppress_reason, evaluated_at = NOW()`,
        [
          asOf,
          customerId,
          featureId,
          customer.segment,
          activatedAt,
          daysSinceActivation,
          activeDays,
          activeUsers,
          base,
          (customer.seats ?? 0) > 0 ? 'seats' : 'account_users',
          usageScore,
          stage,
          catalog?.importance_score ?? 50,
          expected,
          timeline && timeline.adopted_peers >= MIN_PEERS ? 'segment' : 'catalog',
          lowThreshold,
          stallThreshold,
          rule,
          decision,
          suppressReason,
        ],
      );
      await db.query(
        `INSERT INTO adoption_snapshots (customer_id, feature_id, as_of, usage_score, stage, active_days_14, active_users_14,
           days_since_activation)
         VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8)
         ON CONFLICT (customer_id, feature_id, as_of) DO UPDATE SET usage_score = EXCLUDED.usage_score, stage = EXCLUDED.stage`,
        [customerId, featureId, asOf, usageScore, stage, activeDays, activeUsers, daysSinceActivation],
      );
      await db.query(
        `UPDATE feature_adoption SET usage_score = $3, stage = $4, evaluated_as_of = $5::date, updated_at = NOW()
          WHERE customer_id = $1 AND feature_id = $2`,
        [customerId, featureId, usageScore, stage, asOf],
      );
      verdicts.push({ customerId, featureId, usageScore, stage, rule, decision, suppressReason });
    }
  }
  return verdicts;
}
