import type { JsonValue } from '../../definitions/language/types';
import { joinWords } from '../../definitions/language/wording';
import type { RunFacts, SignalFeature } from './run-facts';

/**
 * The names a definition's `{{...}}` can reference before any step has run. The compiler checks references against
 * their description in scope-shape.ts; scope-contract.test.ts keeps the two in step.
 */
export function buildInitialScope(input: RunFacts, workflow: { id: string; name: string; version: string }): Record<string, JsonValue> {
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
    feature_name: joinWords(features.map((feature) => feature.featureName)),
    key_benefit: primary?.keyBenefit ?? null,
    resources: toJson(uniqueResources(features)),
    overall_adoption: input.overallAdoption ?? null,
    workflow: { id: workflow.id, name: workflow.name, version: workflow.version },
    steps: {},
  };
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
