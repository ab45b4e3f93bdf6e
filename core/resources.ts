import type { TrainingResource } from './run-facts';
import type { JsonValue } from './types';

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Resources as the definition handed them over: a list of resources, a query_database result over feature_catalog,
 * or its rows. Null when nothing usable is in there, so callers fall back to the run's own resources.
 */
export function normaliseResources(value: JsonValue | undefined): TrainingResource[] | null {
  if (value === undefined || value === null) return null;
  const items: JsonObject[] = [];
  const collect = (entry: JsonValue) => {
    if (Array.isArray(entry)) entry.forEach(collect);
    else if (isObject(entry)) {
      if (Array.isArray(entry.rows)) entry.rows.forEach(collect);
      else if (Array.isArray(entry.training_resources)) entry.training_resources.forEach(collect);
      else if (typeof entry.url === 'string' && typeof entry.title === 'string') items.push(entry);
    }
  };
  collect(value);
  if (!items.length) return null;
  return dedupeResources(items as unknown as TrainingResource[]);
}

export function dedupeResources(resources: TrainingResource[]): TrainingResource[] {
  const seen = new Set<string>();
  return resources.filter((resource) => (seen.has(resource.url) ? false : (seen.add(resource.url), true)));
}
