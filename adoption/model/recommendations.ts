import { joinWords } from '../../definitions/language/wording';
import { formatDate, stageLabel } from './labels';
import { SESSION_MINUTES } from './rules';
import type { TrainingResource } from './run-facts';
import { resourceKind } from './resources';

/**
 * The sentences the API hands a CSM (US-2, US-3): what to do about each stalled feature, and how to open the
 * conversation about a feature. Pure functions over catalog facts, so the page, the JSON and the tests agree.
 */
export interface CatalogFacts {
  featureName: string;
  keyBenefit: string | null;
  tips: string | null;
  resources: TrainingResource[];
  /** Resources the catalog lists for the feature before leaving out what the customer already had; default: `resources`. */
  catalogResourceCount?: number;
}

export interface StalledFacts {
  featureName: string;
  stage: string;
  usageScore: number;
  daysInCurrentStage: number | null;
}

/** `the video "Analytics Dashboard Overview" (12 min, https://…)`. */
export function describeResource(resource: TrainingResource, withUrl = true): string {
  const kind = resourceKind(resource);
  const details: string[] = [];
  if (kind === 'video' && typeof resource.duration_minutes === 'number') details.push(`${resource.duration_minutes} min`);
  if (kind === 'live training' && resource.next_session) {
    const next = formatDate(resource.next_session);
    if (next) details.push(`next session ${next}`);
  }
  if (withUrl && resource.url) details.push(resource.url);
  return `the ${kind} "${resource.title}"${details.length ? ` (${details.join(', ')})` : ''}`;
}

function sentenceEnd(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** One sentence per stalled feature, naming its first training resource and/or its tips. */
export function recommendationFor(feature: StalledFacts, catalog: CatalogFacts | null): string {
  const where =
    feature.daysInCurrentStage === null
      ? `in ${stageLabel(feature.stage)}`
      : `after ${feature.daysInCurrentStage} day${feature.daysInCurrentStage === 1 ? '' : 's'} in ${stageLabel(feature.stage)}`;
  const lead = `${feature.featureName} has stalled at ${feature.usageScore}/100 ${where}`;
  const first = catalog?.resources[0];
  const tips = catalog?.tips?.trim() || null;
  if (first && tips) return `${lead}: share ${describeResource(first)}; tip: ${sentenceEnd(tips)}`;
  if (first) return `${lead}: share ${describeResource(first)}.`;
  const listed = catalog?.catalogResourceCount ?? 0;
  // The page counts the catalog's resources beside this sentence: say they were all shared, not that there are none.
  const none = listed > 0 ? `the customer already has all ${listed} training resource${listed === 1 ? '' : 's'} in the catalog` : null;
  if (tips) return `${lead}: ${none ?? 'no training resources in the catalog'}, so walk them through it; tip: ${sentenceEnd(tips)}`;
  if (none) return `${lead}: ${none}, so offer a ${SESSION_MINUTES}-minute walkthrough.`;
  return `${lead}: no training resources or tips in the catalog yet, so offer a ${SESSION_MINUTES}-minute walkthrough.`;
}

/** A short opener for outreach about a feature, from its key benefit and resources. */
export function suggestedOutreach(catalog: CatalogFacts): string {
  const why = catalog.keyBenefit?.trim() ? ` It helps your team ${catalog.keyBenefit.trim().replace(/[.!?]+$/, '')}.` : '';
  const named = catalog.resources.slice(0, 2).map((resource) => describeResource(resource, false));
  if (named.length === 0) {
    return `Offer a ${SESSION_MINUTES}-minute ${catalog.featureName} walkthrough.${why} There are no training resources in the catalog yet.`;
  }
  const more = catalog.resources.length > 2 ? ` (${catalog.resources.length} resources in all)` : '';
  return `Offer a ${SESSION_MINUTES}-minute ${catalog.featureName} walkthrough and share ${joinWords(named)}${more}.${why}`;
}
