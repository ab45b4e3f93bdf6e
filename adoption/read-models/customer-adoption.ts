import type { Db } from '../../db/database';
import type { TrainingResource } from '../model/run-facts';
import { notFound } from '../errors';
import { recommendationFor } from '../model/recommendations';
import { catalogResources, rankResources } from '../model/resources';
import { isoOrNull } from '../dates';
import { resourcesAlreadyHad } from '../engagement';

/**
 * A customer's feature adoption (`GET /api/customers/:customerId/feature-adoption`, and the data of the CSM
 * adoption page): feature_adoption rows with their catalog facts, days in the current stage and the trend from
 * adoption_snapshots.
 */

/** "Stalled now": a stall was detected, it has not recovered since, and the customer has not marked it not needed. */
export const IS_STALLED_SQL = `(fa.stall_detected_at IS NOT NULL
   AND (fa.recovered_at IS NULL OR fa.recovered_at < fa.stall_detected_at)
   AND NOT COALESCE(fa.not_needed, FALSE))`;

export const TREND_DAYS = 90;

export interface CustomerSummary {
  id: string;
  name: string;
  arr: number;
  segment: string;
  csmName: string | null;
  csmEmail: string | null;
}

export interface FeatureAdoptionView {
  /** feature_adoption.id: what `POST /api/feature-adoption/:id/intervention` takes. */
  id: string;
  featureId: string;
  featureName: string;
  category: string | null;
  importanceScore: number;
  stage: string;
  usageScore: number;
  usageCount: number;
  activatedAt: string | null;
  lastUsedAt: string | null;
  isStalled: boolean;
  daysInCurrentStage: number | null;
  stageSince: string | null;
  expectedAdoptionDays: number | null;
  stallDetectedAt: string | null;
  stallRule: string | null;
  recoveredAt: string | null;
  notNeeded: boolean;
  interventionSentAt: string | null;
  interventionType: string | null;
  adoptionAfterIntervention: number | null;
  interventionOutcome: string | null;
  resourcesCount: number;
  updatedAt: string | null;
}

export interface CustomerAdoption {
  customer: CustomerSummary;
  /** Mean usage score over the features not marked "not needed"; null when the customer has none. */
  overallAdoptionScore: number | null;
  features: FeatureAdoptionView[];
  stalledFeatures: FeatureAdoptionView[];
  recommendations: string[];
  /** Mean score per snapshot day over the last 90 days, oldest first (empty until detection has run). */
  trend: Array<{ asOf: string; score: number }>;
}

/** What the page needs beyond the JSON: per-feature resources and trends. */
export interface CustomerAdoptionDetails extends CustomerAdoption {
  resourcesByFeature: Map<string, TrainingResource[]>;
  featureTrends: Map<string, number[]>;
  /** Features whose latest intervention is an email still waiting in the outbox (not delivered, so not "sent"). */
  queuedInterventionFeatureIds: Set<string>;
}

interface AdoptionRow {
  id: string;
  feature_id: string;
  feature_name: string;
  category: string | null;
  importance_score: number;
  activated_at: Date | string | null;
  last_used_at: Date | string | null;
  usage_count: number | null;
  usage_score: number | null;
  stage: string | null;
  expected_adoption_days: number | null;
  stall_detected_at: Date | string | null;
  stall_rule: string | null;
  recovered_at: Date | string | null;
  not_needed: boolean;
  intervention_sent_at: Date | string | null;
  intervention_type: string | null;
  adoption_after_intervention: number | null;
  intervention_outcome: string | null;
  updated_at: Date | string | null;
  stage_since: Date | string | null;
  is_stalled: boolean;
  training_resources: unknown;
  tips: string | null;
  key_benefit: string | null;
  intervention_delivery: string | null;
}

/** Whole UTC days from `since` to `now` (0 on the same day, never negative). */
export function utcDaysBetween(since: Date, now: Date): number {
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return Math.max(0, Math.round((day(now) - day(since)) / 86_400_000));
}

/** Whose a tracked feature is: its customer and feature; null when no such feature adoption exists. */
export async function findFeatureAdoption(db: Db, featureAdoptionId: string): Promise<{ customerId: string; featureId: string } | null> {
  const { rows } = await db.query<{ customer_id: string; feature_id: string }>(`SELECT customer_id, feature_id FROM feature_adoption WHERE id = $1`, [
    featureAdoptionId,
  ]);
  return rows[0] ? { customerId: rows[0].customer_id, featureId: rows[0].feature_id } : null;
}

export async function loadCustomer(db: Db, customerId: string): Promise<CustomerSummary> {
  const { rows } = await db.query<{ id: string; name: string; arr: number; segment: string; csm_name: string | null; csm_email: string | null }>(
    `SELECT id, name, arr, segment, csm_name, csm_email FROM customers WHERE id = $1::uuid`,
    [customerId],
  );
  if (rows.length === 0) throw notFound(`customer ${customerId}`);
  const row = rows[0];
  return { id: row.id, name: row.name, arr: Number(row.arr), segment: row.segment, csmName: row.csm_name, csmEmail: row.csm_email };
}

export async function loadCustomerAdoption(db: Db, customerId: string, now: Date): Promise<CustomerAdoptionDetails> {
  const customer = await loadCustomer(db, customerId);
  const { rows } = await db.query<AdoptionRow>(
    `SELECT fa.id, fa.feature_id, COALESCE(cat.feature_name, fa.feature_name) AS feature_name, cat.category,
            COALESCE(cat.importance_score, 50) AS importance_score,
            fa.activated_at, fa.last_used_at, fa.usage_count, fa.usage_score, fa.stage, fa.expected_adoption_days,
            fa.stall_detected_at, fa.stall_rule, fa.recovered_at, COALESCE(fa.not_needed, FALSE) AS not_needed,
            fa.intervention_sent_at, fa.intervention_type, fa.adoption_after_intervention, fa.intervention_outcome,
            fa.updated_at,
            COALESCE(fa.stage_changed_at, (hist.entered_on::timestamp AT TIME ZONE 'UTC'), fa.activated_at, fa.created_at) AS stage_since,
            ${IS_STALLED_SQL} AS is_stalled,
            cat.training_resources, cat.tips, cat.key_benefit, latest.delivery AS intervention_delivery
       FROM feature_adoption fa
       LEFT JOIN feature_catalog cat ON cat.feature_id = fa.feature_id
       LEFT JOIN LATERAL (
         SELECT i.delivery FROM interventions i
          WHERE i.customer_id = fa.customer_id AND i.feature_id = fa.feature_id
          ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1) latest ON TRUE
       LEFT JOIN LATERAL (
         SELECT h.entered_on FROM feature_stage_history h
          WHERE h.customer_id = fa.customer_id AND h.feature_id = fa.feature_id AND h.stage = fa.stage
          ORDER BY h.entered_on DESC LIMIT 1) hist ON TRUE
      WHERE fa.customer_id = $1::uuid
      ORDER BY ${IS_STALLED_SQL} DESC, COALESCE(cat.importance_score, 50) DESC, COALESCE(cat.feature_name, fa.feature_name), fa.feature_id`,
    [customerId],
  );

  const resourcesByFeature = new Map<string, TrainingResource[]>();
  const features = rows.map((row): FeatureAdoptionView => {
    const resources = catalogResources(row.training_resources);
    resourcesByFeature.set(row.feature_id, resources);
    const since = isoOrNull(row.stage_since);
    return {
      id: row.id,
      featureId: row.feature_id,
      featureName: row.feature_name,
      category: row.category,
      importanceScore: Number(row.importance_score),
      stage: row.stage ?? 'not_started',
      usageScore: Number(row.usage_score ?? 0),
      usageCount: Number(row.usage_count ?? 0),
      activatedAt: isoOrNull(row.activated_at),
      lastUsedAt: isoOrNull(row.last_used_at),
      isStalled: Boolean(row.is_stalled),
      daysInCurrentStage: since ? utcDaysBetween(new Date(since), now) : null,
      stageSince: since,
      expectedAdoptionDays: row.expected_adoption_days,
      stallDetectedAt: isoOrNull(row.stall_detected_at),
      stallRule: row.stall_rule,
      recoveredAt: isoOrNull(row.recovered_at),
      notNeeded: Boolean(row.not_needed),
      interventionSentAt: isoOrNull(row.intervention_sent_at),
      interventionType: row.intervention_type,
      adoptionAfterIntervention: row.adoption_after_intervention,
      interventionOutcome: row.intervention_outcome,
      resourcesCount: resources.length,
      updatedAt: isoOrNull(row.updated_at),
    };
  });

  const counted = features.filter((feature) => !feature.notNeeded);
  const overallAdoptionScore = counted.length ? Math.round(counted.reduce((sum, feature) => sum + feature.usageScore, 0) / counted.length) : null;
  const stalledFeatures = features.filter((feature) => feature.isStalled);
  const catalogByFeature = new Map(rows.map((row) => [row.feature_id, row]));
  // What to share next, ranked for the feature's stage and stall, without what the customer already had.
  const had = stalledFeatures.length ? await resourcesAlreadyHad(db, customerId) : new Map<string, Set<string>>();
  const recommendations = stalledFeatures.map((feature) => {
    const row = catalogByFeature.get(feature.featureId)!;
    const listed = resourcesByFeature.get(feature.featureId) ?? [];
    const ranked = rankResources(listed, { stage: feature.stage, rule: feature.stallRule }, had.get(feature.featureId) ?? new Set(), now);
    return recommendationFor(feature, {
      featureName: feature.featureName,
      keyBenefit: row.key_benefit,
      tips: row.tips,
      resources: ranked,
      catalogResourceCount: listed.length,
    });
  });

  const snapshots = await db.query<{ feature_id: string; as_of: string; usage_score: number }>(
    `SELECT s.feature_id, s.as_of, s.usage_score
       FROM adoption_snapshots s
       LEFT JOIN feature_adoption fa ON fa.customer_id = s.customer_id AND fa.feature_id = s.feature_id
      WHERE s.customer_id = $1::uuid AND s.as_of > ($2::timestamptz AT TIME ZONE 'UTC')::date - $3::int
        AND s.as_of <= ($2::timestamptz AT TIME ZONE 'UTC')::date
        AND NOT COALESCE(fa.not_needed, FALSE)
      ORDER BY s.as_of, s.feature_id`,
    [customerId, now.toISOString(), TREND_DAYS],
  );
  const featureTrends = new Map<string, number[]>();
  const byDay = new Map<string, number[]>();
  for (const row of snapshots.rows) {
    const day = String(row.as_of);
    const score = Number(row.usage_score);
    featureTrends.set(row.feature_id, [...(featureTrends.get(row.feature_id) ?? []), score]);
    byDay.set(day, [...(byDay.get(day) ?? []), score]);
  }
  const trend = [...byDay.entries()].map(([asOf, scores]) => ({
    asOf,
    score: Math.round(scores.reduce((sum, score) => sum + score, 0) / scores.length),
  }));

  const queuedInterventionFeatureIds = new Set(rows.filter((row) => row.intervention_delivery === 'queued').map((row) => row.feature_id));
  return {
    customer,
    overallAdoptionScore,
    features,
    stalledFeatures,
    recommendations,
    trend,
    resourcesByFeature,
    featureTrends,
    queuedInterventionFeatureIds,
  };
}

/** The JSON of the endpoint (the page-only maps left out). */
export function adoptionJson(details: CustomerAdoptionDetails): CustomerAdoption {
  const { customer, overallAdoptionScore, features, stalledFeatures, recommendations, trend } = details;
  return { customer, overallAdoptionScore, features, stalledFeatures, recommendations, trend };
}
