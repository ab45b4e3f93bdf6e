import type { Db } from '../db/database';
import type { TrainingResource } from './model/run-facts';
import { catalogResources } from './model/resources';
import { suggestedOutreach } from './model/recommendations';

/** One feature as the catalog describes it, with its usable training resources. */
export interface CatalogFeature {
  featureId: string;
  featureName: string;
  category: string | null;
  importanceScore: number | null;
  expectedAdoptionDays: number | null;
  keyBenefit: string | null;
  tips: string | null;
  trainingResources: TrainingResource[];
}

/** What a CSM needs to help with a feature: its catalog entry, its resources and an opening line for outreach. */
export interface FeatureResources {
  feature: CatalogFeature;
  resources: TrainingResource[];
  suggestedOutreach: string;
}

/** The catalog entry of a feature with its resources and a suggested opener; null when the catalog lacks it. */
export async function featureResources(db: Db, featureId: string): Promise<FeatureResources | null> {
  const { rows } = await db.query<{
    feature_id: string;
    feature_name: string;
    category: string | null;
    importance_score: number | null;
    expected_adoption_days: number | null;
    training_resources: unknown;
    tips: string | null;
    key_benefit: string | null;
  }>(
    `SELECT feature_id, feature_name, category, importance_score, expected_adoption_days, training_resources, tips, key_benefit
       FROM feature_catalog WHERE feature_id = $1`,
    [featureId],
  );
  const row = rows[0];
  if (!row) return null;
  const resources = catalogResources(row.training_resources);
  return {
    feature: {
      featureId: row.feature_id,
      featureName: row.feature_name,
      category: row.category,
      importanceScore: row.importance_score,
      expectedAdoptionDays: row.expected_adoption_days,
      keyBenefit: row.key_benefit,
      tips: row.tips,
      trainingResources: resources,
    },
    resources,
    suggestedOutreach: suggestedOutreach({ featureName: row.feature_name, keyBenefit: row.key_benefit, tips: row.tips, resources }),
  };
}
