import type { Plan } from '../../definitions/plan';
import { ROOT_SCOPE, ROOT_SCOPE_NAMES, type ScopeShape } from './scope-shape';
import type { EnablementInput } from '../../workflows/enablement-input';
import { buildInitialScope } from './scope';

/**
 * The compiler accepts a reference only if the interpreter will have it. Both sides describe the same scope:
 * adoption/model/scope-shape.ts for compile time, adoption/model/scope.ts at run time. This test fails when they drift apart.
 */
const input: EnablementInput = {
  plan: { name: 'p', version: '1.0', digest: 'd', source: 's', trigger: { type: 'risk_signal_created', filter: {} }, steps: [] } as Plan,
  signal: { id: 's-1', type: 'adoption_stalled', priority: 1, detectedAt: '2026-01-29T00:00:00Z' },
  customer: {
    id: 'c-1',
    name: 'TechCorp',
    arr: 75000,
    segment: 'enterprise',
    seats: 40,
    csm: { name: 'Ana', email: 'ana@example.com', slackUserId: 'U1' },
    champion: { name: 'Bo', email: 'bo@example.com' },
  },
  features: [
    {
      featureId: 'analytics',
      featureName: 'Analytics',
      stage: 'started',
      usageScore: 15,
      daysSinceActivation: 45,
      expectedAdoptionDays: 30,
      importanceScore: 80,
      rule: 'low_usage_14d',
      reason: 'r',
      category: 'analytics',
      keyBenefit: 'see trends',
      tips: null,
      resources: [{ type: 'video', title: 'Overview', url: 'https://t.example/1' }],
    },
  ],
  overallAdoption: 65,
};

function mismatches(shape: ScopeShape, value: unknown, at: string): string[] {
  if (shape.kind === 'free') return [];
  if (shape.kind === 'array') return Array.isArray(value) ? [] : [`${at} is not an array at run time`];
  if (shape.kind === 'value') return value !== null && typeof value === 'object' ? [`${at} is an object at run time`] : [];
  if (value === null || typeof value !== 'object') return [`${at} is not an object at run time`];
  const runtime = Object.keys(value).sort();
  const declared = Object.keys(shape.fields).sort();
  if (JSON.stringify(runtime) !== JSON.stringify(declared)) return [`${at}: compile time ${declared.join(',')} vs run time ${runtime.join(',')}`];
  return declared.flatMap((field) => mismatches(shape.fields[field], (value as Record<string, unknown>)[field], `${at}.${field}`));
}

describe('the known scope matches what the interpreter builds', () => {
  const scope = buildInitialScope(input, { id: 'adoption-stalled/c-1/s-1', name: input.plan.name, version: input.plan.version });

  it('has the same root names', () => {
    expect(Object.keys(scope).sort()).toEqual([...ROOT_SCOPE_NAMES].sort());
  });

  it('has the same fields below every checked object', () => {
    expect(ROOT_SCOPE_NAMES.flatMap((name) => mismatches(ROOT_SCOPE[name], scope[name], name))).toEqual([]);
  });
});
