import type { CustomerContext, RiskSignalContext, SignalFeature } from './run-facts';

/**
 * What a definition's `{{...}}` can name before any step has run: the contract between the compiler, which checks
 * references against it, and the interpreter (adoption/model/scope.ts), which builds the same names at run time.
 * Pure data with type-only imports, so workflow code may import it too.
 *
 * Below an `object` the compiler checks field names (a typo such as `customer.nme` is an error); below `array` and
 * `value` it checks nothing further or rejects a deeper path, respectively. Results of steps (`steps.<id>` and
 * `output:` names) are free-form: their shape belongs to the activity or agent that produced them.
 */
export type ScopeShape = { kind: 'object'; fields: Record<string, ScopeShape> } | { kind: 'array' } | { kind: 'value' } | { kind: 'free' };

const value: ScopeShape = { kind: 'value' };
const array: ScopeShape = { kind: 'array' };
const object = (fields: Record<string, ScopeShape>): ScopeShape => ({ kind: 'object', fields });

// `satisfies Record<keyof X, ...>` makes the compiler fail when a field is added to or removed from the run input
// without this description following it.
const CSM_FIELDS = { name: value, email: value, slackUserId: value } satisfies Record<keyof CustomerContext['csm'], ScopeShape>;
const CHAMPION_FIELDS = { name: value, email: value } satisfies Record<keyof CustomerContext['champion'], ScopeShape>;

const CUSTOMER_FIELDS = {
  id: value,
  name: value,
  arr: value,
  segment: value,
  seats: value,
  csm: object(CSM_FIELDS),
  champion: object(CHAMPION_FIELDS),
} satisfies Record<keyof CustomerContext, ScopeShape>;

const SIGNAL_FIELDS = { id: value, type: value, priority: value, detectedAt: value } satisfies Record<keyof RiskSignalContext, ScopeShape>;

const FEATURE_FIELDS = {
  featureId: value,
  featureName: value,
  stage: value,
  usageScore: value,
  daysSinceActivation: value,
  expectedAdoptionDays: value,
  importanceScore: value,
  rule: value,
  reason: value,
  category: value,
  keyBenefit: value,
  tips: value,
  resources: array,
} satisfies Record<keyof SignalFeature, ScopeShape>;

/** The root names, each with its shape. `steps` holds the results of earlier steps by id. */
export const ROOT_SCOPE: Readonly<Record<string, ScopeShape>> = {
  customer: object(CUSTOMER_FIELDS),
  csm: object(CSM_FIELDS),
  champion: object(CHAMPION_FIELDS),
  signal: object(SIGNAL_FIELDS),
  /** The primary (most important) feature of the signal. */
  feature: object(FEATURE_FIELDS),
  features: array,
  feature_id: value,
  /** Every affected feature's name, joined "A, B and C". */
  feature_name: value,
  key_benefit: value,
  /** Training resources of all affected features. */
  resources: array,
  overall_adoption: value,
  workflow: object({ id: value, name: value, version: value }),
  steps: { kind: 'free' },
};

/** Names an `output:` may not take, because the interpreter already binds them. */
export const ROOT_SCOPE_NAMES: readonly string[] = Object.keys(ROOT_SCOPE);
