import type { Db } from '../../db/database';
import type { ImpactFilter } from '../holdout';
import { SUCCESSFUL_OUTCOMES as SUCCESSFUL, UNSUCCESSFUL_OUTCOMES as UNSUCCESSFUL } from '../outcome';
import { CUSTOMER_FILTER, filterParams, ratio, round1 } from './reports-common';

/**
 * Which interventions work: outcomes of the follow-up measurement (measure_adoption, the intervention follow-ups); an
 * unmeasured intervention is `pending`. A reported recovery the data did not show (`not_confirmed`) is unsuccessful. An
 * email still queued in the outbox was not delivered, so it is no intervention yet and is left out.
 */
const SUCCESSFUL_OUTCOMES: string[] = [...SUCCESSFUL];
const UNSUCCESSFUL_OUTCOMES: string[] = [...UNSUCCESSFUL];

export interface InterventionOutcomeRow {
  interventionType: string;
  outcome: string;
  count: number;
  avgAdoptionBefore: number | null;
  avgAdoptionAfter: number | null;
  avgEffectivenessScore: number | null;
}

export interface InterventionTypeSummary {
  interventionType: string;
  total: number;
  successful: number;
  unsuccessful: number;
  pending: number;
  /** successful / (successful + unsuccessful), 0-1; null until one was measured. */
  successRate: number | null;
  avgAdoptionBefore: number | null;
  avgAdoptionAfter: number | null;
  /** Mean of (after - before) over measured interventions. */
  avgAdoptionChange: number | null;
  avgEffectivenessScore: number | null;
}

/** Over all time: outcomes per intervention type and outcome, per type, and in total. */
export async function interventionsReport(db: Db): Promise<{
  byTypeAndOutcome: InterventionOutcomeRow[];
  byType: InterventionTypeSummary[];
  totals: Omit<InterventionTypeSummary, 'interventionType'>;
}> {
  const grouped = await db.query<{
    intervention_type: string | null;
    outcome: string | null;
    count: number;
    before: number | null;
    after: number | null;
    change: number | null;
    effectiveness: number | null;
    successful: number;
    unsuccessful: number;
    pending: number;
  }>(
    `SELECT intervention_type, COALESCE(outcome, 'pending') AS outcome, COUNT(*) AS count,
            AVG(adoption_before) AS before, AVG(adoption_after) AS after,
            AVG(adoption_after - adoption_before) AS change, AVG(effectiveness_score) AS effectiveness,
            COUNT(*) FILTER (WHERE outcome = ANY($1::text[])) AS successful,
            COUNT(*) FILTER (WHERE outcome = ANY($2::text[])) AS unsuccessful,
            COUNT(*) FILTER (WHERE outcome IS NULL) AS pending
       FROM interventions
      WHERE delivery IS DISTINCT FROM 'queued'
      GROUP BY GROUPING SETS ((intervention_type, COALESCE(outcome, 'pending')), (intervention_type), ())
      ORDER BY intervention_type NULLS LAST, outcome NULLS FIRST`,
    [SUCCESSFUL_OUTCOMES, UNSUCCESSFUL_OUTCOMES],
  );
  // GROUPING SETS: rows with both keys are per type and outcome; a type alone is the type's summary; neither, totals.
  // (A NULL intervention_type cannot occur: the column is NOT NULL.)
  const summary = (row: (typeof grouped.rows)[number]) => {
    const successful = Number(row.successful);
    const unsuccessful = Number(row.unsuccessful);
    return {
      total: Number(row.count),
      successful,
      unsuccessful,
      pending: Number(row.pending),
      successRate: ratio(successful, successful + unsuccessful),
      avgAdoptionBefore: round1(row.before),
      avgAdoptionAfter: round1(row.after),
      avgAdoptionChange: round1(row.change),
      avgEffectivenessScore: round1(row.effectiveness),
    };
  };
  const byTypeAndOutcome: InterventionOutcomeRow[] = [];
  const byType: InterventionTypeSummary[] = [];
  let totals = summary({
    intervention_type: null,
    outcome: null,
    count: 0,
    before: null,
    after: null,
    change: null,
    effectiveness: null,
    successful: 0,
    unsuccessful: 0,
    pending: 0,
  });
  for (const row of grouped.rows) {
    if (row.intervention_type !== null && row.outcome !== null) {
      byTypeAndOutcome.push({
        interventionType: row.intervention_type,
        outcome: row.outcome,
        count: Number(row.count),
        avgAdoptionBefore: round1(row.before),
        avgAdoptionAfter: round1(row.after),
        avgEffectivenessScore: round1(row.effectiveness),
      });
    } else if (row.intervention_type !== null) {
      byType.push({ interventionType: row.intervention_type, ...summary(row) });
    } else {
      totals = summary(row);
    }
  }
  return { byTypeAndOutcome, byType, totals };
}

export interface OutcomeGroup {
  key: string;
  total: number;
  successful: number;
  unsuccessful: number;
  pending: number;
  /** Emails still in the outbox: not delivered, not counted in `total`. */
  queued: number;
  successRate: number | null;
  avgEffectivenessScore: number | null;
  outcomes: Record<string, number>;
}

/** Intervention outcomes in the window by type and by who performed them (else the customer's CSM). */
export async function interventionOutcomes(db: Db, filter: ImpactFilter): Promise<{ byType: OutcomeGroup[]; byPerformer: OutcomeGroup[] }> {
  const { rows } = await db.query<{
    intervention_type: string;
    performer: string;
    outcome: string | null;
    delivery: string | null;
    effectiveness_score: number | null;
  }>(
    `SELECT i.intervention_type, COALESCE(i.performed_by, c.csm_name, c.csm_email, 'unassigned') AS performer, i.outcome, i.delivery,
            i.effectiveness_score
       FROM interventions i JOIN customers c ON c.id = i.customer_id
      WHERE (i.occurred_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}`,
    filterParams(filter),
  );
  const group = (keyOf: (row: (typeof rows)[number]) => string): OutcomeGroup[] => {
    const groups = new Map<string, OutcomeGroup & { effectiveness: number[] }>();
    for (const row of rows) {
      const key = keyOf(row);
      const entry = groups.get(key) ?? {
        key,
        total: 0,
        successful: 0,
        unsuccessful: 0,
        pending: 0,
        queued: 0,
        successRate: null,
        avgEffectivenessScore: null,
        outcomes: {},
        effectiveness: [],
      };
      groups.set(key, entry);
      if (row.delivery === 'queued') {
        entry.queued += 1;
        continue;
      }
      entry.total += 1;
      const outcome = row.outcome ?? 'pending';
      entry.outcomes[outcome] = (entry.outcomes[outcome] ?? 0) + 1;
      if (SUCCESSFUL_OUTCOMES.includes(outcome)) entry.successful += 1;
      else if (UNSUCCESSFUL_OUTCOMES.includes(outcome)) entry.unsuccessful += 1;
      else entry.pending += 1;
      if (row.outcome !== null && row.effectiveness_score !== null) entry.effectiveness.push(row.effectiveness_score);
    }
    return [...groups.values()]
      .map(({ effectiveness, ...entry }) => ({
        ...entry,
        successRate: ratio(entry.successful, entry.successful + entry.unsuccessful),
        avgEffectivenessScore: effectiveness.length ? round1(effectiveness.reduce((a, b) => a + b, 0) / effectiveness.length) : null,
      }))
      .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  };
  return { byType: group((row) => row.intervention_type), byPerformer: group((row) => row.performer) };
}

export interface ResourceRecoveryRow {
  url: string;
  /** Measured interventions in the window that shared it. */
  shared: number;
  /** Of those, how many were followed by a recovery. */
  recovered: number;
  recoveryRate: number | null;
}

/** Which resources preceded recovery: the links shared by measured interventions, and how often recovery followed. */
export async function resourcesBeforeRecovery(db: Db, filter: ImpactFilter): Promise<{ resources: ResourceRecoveryRow[] }> {
  const { rows } = await db.query<{ url: string; shared: string; recovered: string }>(
    `SELECT r.url, COUNT(*) AS shared, COUNT(*) FILTER (WHERE i.outcome = 'recovered') AS recovered
       FROM interventions i
       JOIN customers c ON c.id = i.customer_id
       CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(i.resources_shared) = 'array' THEN i.resources_shared ELSE '[]'::jsonb END) AS r(url)
      WHERE i.outcome IS NOT NULL AND i.delivery IS DISTINCT FROM 'queued'
        AND (i.occurred_at AT TIME ZONE 'UTC')::date BETWEEN $1::date AND $2::date AND ${CUSTOMER_FILTER}
      GROUP BY r.url
      ORDER BY COUNT(*) FILTER (WHERE i.outcome = 'recovered') DESC, COUNT(*) DESC, r.url`,
    filterParams(filter),
  );
  return {
    resources: rows.map((row) => ({
      url: row.url,
      shared: Number(row.shared),
      recovered: Number(row.recovered),
      recoveryRate: ratio(Number(row.recovered), Number(row.shared)),
    })),
  };
}
