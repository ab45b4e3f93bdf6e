import type { Db } from '../db/database';
import { addDays } from './dates';
import { scoreFeatures, type EvaluationRow } from './scoring';
import type { ImpactFilter } from './holdout';

/**
 * PRD 1.3's success metrics, each against its target, over a window of days (docs/impact.md has the definitions).
 * Every figure is recomputed from usage events with the detection formula (scoreFeatures) at fixed days after the
 * event it follows, so the same data always gives the same answer. A figure without data says so (`noData`), never 0.
 */
export const FOLLOW_UP_DAYS = 30;

/** PRD 1.3's targets. */
export const SUCCESS_TARGETS = {
  flaggedAdoption: { value: 25, unit: '%' },
  timeToAdopted: { value: -30, unit: '%' },
  adoptionScore: { value: 10, unit: 'points' },
  trainingEngagement: { value: 50, unit: '%' },
} as const;

export type SuccessMetricId = keyof typeof SUCCESS_TARGETS;

export interface SuccessMetric {
  id: SuccessMetricId;
  label: string;
  /** The change measured, in `unit`; null when there is no data (see `note`). */
  value: number | null;
  unit: '%' | 'points';
  target: number;
  /** value reaches the target (for time, at or below it); null without a value. */
  met: boolean | null;
  noData: boolean;
  baseline: number | null;
  current: number | null;
  /** How many items the figure is over (customer-features, pairs, accounts, events). */
  count: number;
  /** Items in the window still waiting for their measurement day. */
  pending: number;
  note: string;
}

export interface SuccessMetricsReport extends ImpactFilter {
  asOf: string;
  programStart: string | null;
  metrics: SuccessMetric[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const relative = (baseline: number, current: number) => (baseline === 0 ? null : round1((100 * (current - baseline)) / baseline));

export function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function metric(
  id: SuccessMetricId,
  label: string,
  fields: Omit<SuccessMetric, 'id' | 'label' | 'unit' | 'target' | 'met' | 'noData'>,
): SuccessMetric {
  const { value: target, unit } = SUCCESS_TARGETS[id];
  const met = fields.value === null ? null : target < 0 ? fields.value <= target : fields.value >= target;
  return { id, label, unit, target, met, noData: fields.value === null && fields.count === 0, ...fields };
}

const CUSTOMER_FILTER = `($3::text IS NULL OR c.segment = $3) AND ($4::text IS NULL OR c.csm_email = $4 OR c.csm_name = $4)`;

/** Scores as of each day for the given customers: `day -> "customer/feature" -> row`. */
async function scoresByDay(db: Db, wanted: Array<{ day: string; customerId: string }>): Promise<Map<string, Map<string, EvaluationRow>>> {
  const customersByDay = new Map<string, Set<string>>();
  for (const { day, customerId } of wanted) customersByDay.set(day, (customersByDay.get(day) ?? new Set()).add(customerId));
  const result = new Map<string, Map<string, EvaluationRow>>();
  for (const [day, customers] of customersByDay) {
    const rows = await scoreFeatures(db, { asOf: day, customerIds: [...customers] });
    result.set(day, new Map(rows.map((row) => [`${row.customer_id}/${row.feature_id}`, row])));
  }
  return result;
}

/** The adoption score of an account on a day: the mean usage score of its activated features (docs/impact.md). */
function accountScore(scores: Map<string, EvaluationRow> | undefined, customerId: string, notNeeded: Set<string>): number | null {
  const own = [...(scores?.values() ?? [])].filter((row) => row.customer_id === customerId && !notNeeded.has(`${customerId}/${row.feature_id}`));
  return own.length ? mean(own.map((row) => row.usage_score)) : null;
}

export async function successMetrics(
  db: Db,
  filter: ImpactFilter,
  today: string,
  options: { programStart?: string } = {},
): Promise<SuccessMetricsReport> {
  const params = [filter.from, filter.to, filter.segment ?? null, filter.csm ?? null];

  // 1. Adoption of flagged features: mean usage score at flagging vs 30 days later.
  const flagged = await db.query<{ customer_id: string; feature_id: string; as_of: string; usage_score: number }>(
    `SELECT f.customer_id, f.feature_id, rs.as_of::text AS as_of, f.usage_score
       FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id JOIN customers c ON c.id = f.customer_id
      WHERE rs.signal_type = 'adoption_stalled' AND rs.as_of BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}`,
    params,
  );
  const flaggedDue = flagged.rows.filter((row) => addDays(row.as_of, FOLLOW_UP_DAYS) < today);
  const flaggedScores = await scoresByDay(
    db,
    flaggedDue.map((row) => ({ day: addDays(row.as_of, FOLLOW_UP_DAYS), customerId: row.customer_id })),
  );
  const flaggedBefore = flaggedDue.map((row) => row.usage_score);
  const flaggedAfter = flaggedDue.map(
    (row) => flaggedScores.get(addDays(row.as_of, FOLLOW_UP_DAYS))?.get(`${row.customer_id}/${row.feature_id}`)?.usage_score ?? 0,
  );
  const flaggedBaseline = flaggedDue.length ? round1(mean(flaggedBefore)) : null;
  const flaggedCurrent = flaggedDue.length ? round1(mean(flaggedAfter)) : null;
  const flaggedValue = flaggedDue.length ? relative(mean(flaggedBefore), mean(flaggedAfter)) : null;

  // 2. Days from activation to Adopted, before and after the program started.
  const programStart =
    options.programStart ??
    (await db.query<{ start: string | null }>(`SELECT MIN(as_of)::text AS start FROM risk_signals WHERE signal_type = 'adoption_stalled'`)).rows[0]
      ?.start ??
    null;
  const adopted = await db.query<{ activated_on: string; adopted_on: string }>(
    `SELECT (fa.activated_at AT TIME ZONE 'UTC')::date::text AS activated_on, MIN(h.entered_on)::text AS adopted_on
       FROM feature_stage_history h
       JOIN feature_adoption fa ON fa.customer_id = h.customer_id AND fa.feature_id = h.feature_id
       JOIN customers c ON c.id = h.customer_id
      WHERE h.stage = 'adopted' AND fa.activated_at IS NOT NULL AND ${CUSTOMER_FILTER}
        AND $1::date IS NOT NULL AND $2::date IS NOT NULL
      GROUP BY h.customer_id, h.feature_id, fa.activated_at`,
    params,
  );
  const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  const beforeProgram = programStart ? adopted.rows.filter((row) => row.adopted_on < programStart) : [];
  const afterProgram = programStart
    ? adopted.rows.filter((row) => row.activated_on >= programStart && row.adopted_on >= filter.from && row.adopted_on <= filter.to)
    : [];
  const medianBefore = medianOf(beforeProgram.map((row) => daysBetween(row.activated_on, row.adopted_on)));
  const medianAfter = medianOf(afterProgram.map((row) => daysBetween(row.activated_on, row.adopted_on)));

  // 3. Adoption score of accounts that got an intervention: 30 days after their first one in the window vs the day before.
  const intervened = await db.query<{ customer_id: string; first_day: string }>(
    `SELECT i.customer_id, MIN((i.occurred_at AT TIME ZONE 'UTC')::date)::text AS first_day
       FROM interventions i JOIN customers c ON c.id = i.customer_id
      WHERE (i.occurred_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date
        AND i.delivery IS DISTINCT FROM 'queued' AND ${CUSTOMER_FILTER}
      GROUP BY i.customer_id`,
    params,
  );
  const notNeeded = new Set(
    (await db.query<{ key: string }>(`SELECT customer_id::text || '/' || feature_id AS key FROM feature_adoption WHERE not_needed`)).rows.map(
      (row) => row.key,
    ),
  );
  const accountsDue = intervened.rows.filter((row) => addDays(row.first_day, FOLLOW_UP_DAYS) < today);
  const accountScores = await scoresByDay(db, [
    ...accountsDue.map((row) => ({ day: addDays(row.first_day, -1), customerId: row.customer_id })),
    ...accountsDue.map((row) => ({ day: addDays(row.first_day, FOLLOW_UP_DAYS), customerId: row.customer_id })),
  ]);
  const accountPairs = accountsDue
    .map((row) => ({
      before: accountScore(accountScores.get(addDays(row.first_day, -1)), row.customer_id, notNeeded),
      after: accountScore(accountScores.get(addDays(row.first_day, FOLLOW_UP_DAYS)), row.customer_id, notNeeded),
    }))
    .filter((pair): pair is { before: number; after: number } => pair.before !== null && pair.after !== null);

  // 4. Training content engagement (opens, clicks, completions) in the window vs the window of the same length before.
  const length = daysBetween(filter.from, filter.to) + 1;
  const engagement = await db.query<{ current: string; previous: string; any_rows: string }>(
    `SELECT COUNT(*) FILTER (WHERE e.occurred_at >= $1::date AND e.occurred_at < $2::date + 1) AS current,
            COUNT(*) FILTER (WHERE e.occurred_at >= $1::date - $5::int AND e.occurred_at < $1::date) AS previous,
            (SELECT COUNT(*) FROM resource_engagement) AS any_rows
       FROM resource_engagement e JOIN customers c ON c.id = e.customer_id
      WHERE e.event IN ('open', 'click', 'completion') AND ${CUSTOMER_FILTER}`,
    [...params, length],
  );
  const engagementRow = engagement.rows[0];
  const currentEngagement = Number(engagementRow?.current ?? 0);
  const previousEngagement = Number(engagementRow?.previous ?? 0);
  const engagementRecorded = Number(engagementRow?.any_rows ?? 0) > 0;

  return {
    ...filter,
    asOf: today,
    programStart,
    metrics: [
      metric('flaggedAdoption', 'Adoption of flagged features (mean usage score, 30 days after flagging vs at flagging)', {
        value: flaggedValue,
        baseline: flaggedBaseline,
        current: flaggedCurrent,
        count: flaggedDue.length,
        pending: flagged.rows.length - flaggedDue.length,
        note: !flaggedDue.length
          ? 'no flagged feature in the window has reached its 30-day measurement yet'
          : flaggedValue === null
            ? `baseline score is 0: a relative change is undefined (${flaggedCurrent} points now)`
            : `${flaggedDue.length} flagged customer-features`,
      }),
      metric('timeToAdopted', 'Days from activation to Adopted (median), after the program vs before', {
        value: medianBefore !== null && medianAfter !== null ? relative(medianBefore, medianAfter) : null,
        baseline: medianBefore,
        current: medianAfter,
        count: beforeProgram.length + afterProgram.length,
        pending: 0,
        note: !programStart
          ? 'the program has not started (no adoption_stalled signal yet)'
          : `program start ${programStart}; ${beforeProgram.length} adopted before it, ${afterProgram.length} activated since and adopted in the window`,
      }),
      metric('adoptionScore', 'Account adoption score change after an intervention (points, 30 days after vs the day before)', {
        value: accountPairs.length ? round1(mean(accountPairs.map((pair) => pair.after - pair.before))) : null,
        baseline: accountPairs.length ? round1(mean(accountPairs.map((pair) => pair.before))) : null,
        current: accountPairs.length ? round1(mean(accountPairs.map((pair) => pair.after))) : null,
        count: accountPairs.length,
        pending: intervened.rows.length - accountsDue.length,
        note: accountPairs.length
          ? `${accountPairs.length} accounts with an intervention`
          : 'no account in the window has reached its 30-day measurement yet',
      }),
      {
        ...metric('trainingEngagement', 'Training content engagement (opens, clicks, completions) vs the previous window', {
          value: engagementRecorded ? relative(previousEngagement, currentEngagement) : null,
          baseline: engagementRecorded ? previousEngagement : null,
          current: engagementRecorded ? currentEngagement : null,
          count: currentEngagement + previousEngagement,
          pending: 0,
          note: !engagementRecorded
            ? 'no data: no resource engagement recorded yet (tracked-link clicks, training completions)'
            : previousEngagement === 0
              ? 'no engagement in the previous window: a relative change is undefined'
              : `${currentEngagement} events vs ${previousEngagement}`,
        }),
        ...(engagementRecorded ? {} : { noData: true }),
      },
    ],
  };
}
