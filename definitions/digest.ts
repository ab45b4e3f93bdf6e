import { createHash } from 'node:crypto';
import type { Plan } from './plan';
import type { JsonValue } from './language/types';

/** JSON with object keys sorted at every level, so equal plans have equal text whatever order the YAML used. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 (hex) of the plan without `digest` and `source`: the same definition compiled from another folder or file
 * name has the same digest, and any change that alters behaviour changes it.
 */
export function planDigest(plan: Omit<Plan, 'digest' | 'source'> & Partial<Pick<Plan, 'digest' | 'source'>>): string {
  const { digest: _digest, source: _source, ...rest } = plan;
  return createHash('sha256')
    .update(canonicalJson(rest as unknown as JsonValue))
    .digest('hex');
}
