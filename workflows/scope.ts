import type { JsonValue } from '../definitions/plan';
import type { EnablementInput, SignalFeature } from './enablement-input';

/**
 * The names a definition's `{{...}}` can reference before any step has run. definitions/ checks references
 * against the same list at compile time, so a name added here must be added to the compiler's scope too.
 */
export function buildInitialScope(input: EnablementInput, workflowId: string): Record<string, JsonValue> {
  const features = input.features;
  const primary = features[0];
  return {
    customer: toJson(input.customer),
    csm: toJson(input.customer.csm),
    champion: toJson(input.customer.champion),
    signal: toJson(input.signal),
    feature: primary ? toJson(primary) : null,
    features: toJson(features),
    feature_id: primary?.featureId ?? null,
    feature_name: joinNames(features.map((feature) => feature.featureName)),
    key_benefit: primary?.keyBenefit ?? null,
    resources: toJson(uniqueResources(features)),
    overall_adoption: input.overallAdoption ?? null,
    workflow: { id: workflowId, name: input.plan.name, version: input.plan.version },
    steps: {},
  };
}

/** "A", "A and B", "A, B and C": how a CSM would write several feature names in one sentence. */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function uniqueResources(features: SignalFeature[]) {
  const seen = new Set<string>();
  return features.flatMap((feature) =>
    feature.resources.filter((resource) => {
      if (seen.has(resource.url)) return false;
      seen.add(resource.url);
      return true;
    }),
  );
}

function toJson(value: unknown): JsonValue {
  return value as JsonValue;
}
