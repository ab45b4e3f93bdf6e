import type { Db } from '../../db/database';
import type { TrainingResource } from '../model/run-facts';
import { catalogResources, rankResources } from '../model/resources';
import { customerContacts } from '../customers';
import { resourcesAlreadyHad } from '../engagement';

/** Who receives shared resources and which: the champion, the CSM who signs, and per feature its ranked resources. */

export interface ShareFeature {
  featureId: string;
  featureName: string;
  featureAdoptionId: string;
  stage: string;
  keyBenefit: string | null;
  /** Ranked, without what the customer already had and without past live sessions. */
  resources: TrainingResource[];
}

export interface ShareAudience {
  customerId: string;
  customerName: string;
  champion: { name: string | null; email: string | null };
  csm: { name: string | null; email: string | null };
  features: ShareFeature[];
}

interface FeatureRow {
  feature_id: string;
  feature_name: string;
  feature_adoption_id: string;
  stage: string | null;
  stall_rule: string | null;
  key_benefit: string | null;
  training_resources: unknown;
}

/**
 * The champion and the features to share about: the run's signal features (a Slack click names the run), the given
 * feature adoptions (the page's button), else the customer's stalled features. Null when the customer is unknown.
 */
export async function loadShareAudience(
  db: Db,
  selection: { customerId: string; workflowId?: string | null; featureAdoptionIds?: readonly string[] | null; featureIds?: readonly string[] | null },
  now: Date,
): Promise<ShareAudience | null> {
  const customer = await customerContacts(db, selection.customerId);
  if (!customer) return null;
  const select = `SELECT fa.feature_id, COALESCE(cat.feature_name, fa.feature_name) AS feature_name, fa.id AS feature_adoption_id,
                         fa.stage, fa.stall_rule, cat.key_benefit, cat.training_resources
                    FROM feature_adoption fa LEFT JOIN feature_catalog cat ON cat.feature_id = fa.feature_id`;
  const order = `ORDER BY COALESCE(cat.importance_score, 50) DESC, fa.feature_id`;
  let rows: FeatureRow[];
  if (selection.featureAdoptionIds?.length || selection.featureIds?.length) {
    rows = (
      await db.query<FeatureRow>(
        `${select} WHERE fa.customer_id = $1::uuid AND (fa.id = ANY($2::uuid[]) OR fa.feature_id = ANY($3::text[])) ${order}`,
        [customer.id, selection.featureAdoptionIds ?? [], selection.featureIds ?? []],
      )
    ).rows;
  } else if (selection.workflowId) {
    rows = (
      await db.query<FeatureRow>(
        `${select}
          WHERE fa.customer_id = $1::uuid AND fa.feature_id IN (
            SELECT f.feature_id FROM risk_signal_features f JOIN risk_signals rs ON rs.id = f.signal_id
             WHERE rs.workflow_id = $2 AND rs.customer_id = $1::uuid)
          ${order}`,
        [customer.id, selection.workflowId],
      )
    ).rows;
  } else {
    rows = (
      await db.query<FeatureRow>(
        `${select}
          WHERE fa.customer_id = $1::uuid AND fa.stall_detected_at IS NOT NULL
            AND (fa.recovered_at IS NULL OR fa.recovered_at < fa.stall_detected_at) AND NOT COALESCE(fa.not_needed, FALSE)
          ${order}`,
        [customer.id],
      )
    ).rows;
  }
  const had = await resourcesAlreadyHad(db, customer.id);
  return {
    customerId: customer.id,
    customerName: customer.name,
    champion: customer.champion,
    csm: { name: customer.csm.name, email: customer.csm.email },
    features: rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      featureAdoptionId: row.feature_adoption_id,
      stage: row.stage ?? 'not_started',
      keyBenefit: row.key_benefit,
      resources: rankResources(
        catalogResources(row.training_resources),
        { stage: row.stage ?? 'not_started', rule: row.stall_rule },
        had.get(row.feature_id) ?? new Set(),
        now,
      ),
    })),
  };
}
