import { createHash } from 'node:crypto';
import type { Db } from '../db/database';
import { judgeFeature } from './outcome';
import { addDays, scoreFeatures } from './scoring';

// jstat has no type declarations; this is the one function used (the normal quantile, exact to double precision).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { jStat } = require('jstat') as { jStat: { normal: { inv(p: number, mean: number, sd: number): number } } };

/**
 * The holdout (docs/impact.md): while `impact_settings.holdout_percent` is above 0, that share of newly stalled
 * customer-features gets no automatic outreach. Which ones is a hash of customer, feature and the month of the
 * signal, so a rerun (another listener, a retried activity, a re-run detection day) chooses the same; the choice is
 * also stored (`holdout_assignments`). Both arms are measured the same way, and lift is the difference of their
 * recovery rates with a 95% confidence interval.
 */
export type HoldoutArm = 'treated' | 'holdout';

/** 'YYYY-MM' of a day. */
export function holdoutMonth(day: string): string {
  return day.slice(0, 7);
}

/** A number in [0, 1), uniform over customer-features, fixed for customer, feature and month. */
export function holdoutDraw(customerId: string, featureId: string, month: string): number {
  const digest = createHash('sha256').update(`holdout|${customerId}|${featureId}|${month}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function holdoutArmOf(customerId: string, featureId: string, month: string, percent: number): HoldoutArm {
  return percent > 0 && holdoutDraw(customerId, featureId, month) < percent / 100 ? 'holdout' : 'treated';
}

export async function holdoutPercent(db: Db): Promise<number> {
  const { rows } = await db.query<{ holdout_percent: string | number }>(`SELECT holdout_percent FROM impact_settings WHERE id`);
  return rows.length ? Number(rows[0].holdout_percent) : 0;
}

export async function setHoldoutPercent(db: Db, percent: number): Promise<void> {
  if (!(percent >= 0 && percent <= 50)) throw new Error(`holdout percent must be between 0 and 50, got ${percent}`);
  await db.query(
    `INSERT INTO impact_settings (id, holdout_percent, updated_at) VALUES (TRUE, $1, NOW())
     ON CONFLICT (id) DO UPDATE SET holdout_percent = EXCLUDED.holdout_percent, updated_at = NOW()`,
    [percent],
  );
}

export interface HoldoutFeature {
  featureId: string;
  rule: string | null;
  usageScore: number;
}

/**
 * Assigns each feature of a signal to an arm (once per customer, feature and month: an existing assignment wins) and
 * returns the arms. With no holdout configured nothing is stored and every feature is treated.
 */
export async function assignHoldout(
  db: Db,
  signal: { id: string; customerId: string; asOf: string },
  features: HoldoutFeature[],
  percent: number,
): Promise<Map<string, HoldoutArm>> {
  const arms = new Map<string, HoldoutArm>(features.map((feature) => [feature.featureId, 'treated']));
  if (percent <= 0 || features.length === 0) return arms;
  const month = holdoutMonth(signal.asOf);
  for (const feature of features) {
    await db.query(
      `INSERT INTO holdout_assignments (customer_id, feature_id, month, arm, holdout_percent, signal_id, stalled_on, rule, score_at_stall)
       VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid, $7::date, $8, $9)
       ON CONFLICT (customer_id, feature_id, month) DO NOTHING`,
      [
        signal.customerId,
        feature.featureId,
        month,
        holdoutArmOf(signal.customerId, feature.featureId, month, percent),
        percent,
        signal.id,
        signal.asOf,
        feature.rule,
        feature.usageScore,
      ],
    );
  }
  const { rows } = await db.query<{ feature_id: string; arm: HoldoutArm }>(
    `SELECT feature_id, arm FROM holdout_assignments WHERE customer_id = $1::uuid AND month = $2 AND feature_id = ANY($3::text[])`,
    [signal.customerId, month, features.map((feature) => feature.featureId)],
  );
  for (const row of rows) arms.set(row.feature_id, row.arm);
  return arms;
}

/** Wilson score interval of x successes in n (95% unless z is given). */
export function wilsonInterval(x: number, n: number, z = Z_95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The two-sided 95% normal quantile, from jstat (1.959963984540054). */
export const Z_95 = jStat.normal.inv(0.975, 0, 1);

/**
 * The difference of two proportions p1 - p2 with Newcombe's hybrid score interval (Newcombe 1998, method 10: from
 * the Wilson intervals of each proportion), which behaves at small counts and rates near 0 or 1 where the plain
 * normal (Wald) interval does not. Null when either group is empty.
 */
export function differenceOfProportions(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  z = Z_95,
): { difference: number; low: number; high: number } | null {
  if (n1 === 0 || n2 === 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const w1 = wilsonInterval(x1, n1, z);
  const w2 = wilsonInterval(x2, n2, z);
  const difference = p1 - p2;
  return {
    difference,
    low: difference - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: difference + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
}

export interface ArmResult {
  features: number;
  recovered: number;
  recoveryRate: number | null;
}

export interface LiftReport {
  holdoutPercent: number;
  /** Days after the stall the recovery is measured at. */
  checkpointDays: number;
  /** Assignments in the window whose checkpoint is still ahead. */
  pending: number;
  treated: ArmResult;
  holdout: ArmResult;
  /** Recovery rate treated minus holdout, with its 95% interval (null until both arms have a measured feature). */
  lift: { difference: number; low: number; high: number; confidence: 0.95; method: string } | null;
}

export interface ImpactFilter {
  from: string;
  to: string;
  segment?: string | null;
  csm?: string | null;
}

/**
 * Lift against the holdout over the customer-features that stalled in [from, to]: each is measured like a treated
 * feature (the 14-day score as of `checkpointDays` after its stall day, judged against the threshold of its rule)
 * once that day is over (`today`). Intention to treat: a treated feature counts as treated whatever the CSM did.
 */
export async function liftReport(db: Db, filter: ImpactFilter, today: string, checkpointDays = 30): Promise<LiftReport> {
  const { rows } = await db.query<{
    customer_id: string;
    feature_id: string;
    arm: HoldoutArm;
    stalled_on: string;
    rule: string | null;
    score_at_stall: number | null;
  }>(
    `SELECT h.customer_id, h.feature_id, h.arm, h.stalled_on::text AS stalled_on, h.rule, h.score_at_stall
       FROM holdout_assignments h JOIN customers c ON c.id = h.customer_id
      WHERE h.stalled_on BETWEEN $1::date AND $2::date
        AND ($3::text IS NULL OR c.segment = $3) AND ($4::text IS NULL OR c.csm_email = $4 OR c.csm_name = $4)
      ORDER BY h.stalled_on, h.customer_id, h.feature_id`,
    [filter.from, filter.to, filter.segment ?? null, filter.csm ?? null],
  );
  const arms: Record<HoldoutArm, ArmResult> = {
    treated: { features: 0, recovered: 0, recoveryRate: null },
    holdout: { features: 0, recovered: 0, recoveryRate: null },
  };
  let pending = 0;
  const matured = rows.filter((row) => {
    const due = addDays(row.stalled_on, checkpointDays) < today;
    if (!due) pending += 1;
    return due;
  });
  const byDay = new Map<string, typeof matured>();
  for (const row of matured) {
    const day = addDays(row.stalled_on, checkpointDays);
    byDay.set(day, [...(byDay.get(day) ?? []), row]);
  }
  for (const [day, group] of byDay) {
    const scored = await scoreFeatures(db, { asOf: day, customerIds: [...new Set(group.map((row) => row.customer_id))] });
    const scores = new Map(scored.map((row) => [`${row.customer_id}/${row.feature_id}`, row]));
    for (const row of group) {
      const measured = scores.get(`${row.customer_id}/${row.feature_id}`);
      const { outcome } = judgeFeature({
        before: row.score_at_stall ?? 0,
        after: measured?.usage_score ?? 0,
        stage: measured?.stage ?? 'not_started',
        rule: row.rule,
        reportedRecovered: false,
      });
      arms[row.arm].features += 1;
      if (outcome === 'recovered') arms[row.arm].recovered += 1;
    }
  }
  for (const arm of Object.values(arms)) arm.recoveryRate = arm.features ? arm.recovered / arm.features : null;
  const difference = differenceOfProportions(arms.treated.recovered, arms.treated.features, arms.holdout.recovered, arms.holdout.features);
  return {
    holdoutPercent: await holdoutPercent(db),
    checkpointDays,
    pending,
    treated: arms.treated,
    holdout: arms.holdout,
    lift: difference ? { ...difference, confidence: 0.95, method: 'Newcombe hybrid score interval (Wilson), z from jstat' } : null,
  };
}
