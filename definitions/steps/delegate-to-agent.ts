import type { JsonValue } from '../plan';
import { exactReference } from '../template';
import type { StepCheckContext, StepKind } from './types';

export interface DelegateToAgentConfig {
  agent: string;
  action: string;
  params?: Record<string, JsonValue>;
}

type ParamType = 'string' | 'boolean' | 'array';
interface ParamSpec {
  type: ParamType;
  enum?: readonly string[];
}

/**
 * Params of the built-in agents. Other agent/action names pass unchecked: an HTTP agent (AGENT_URL) may know actions
 * this package has never heard of, and only it can judge their params.
 */
const BUILT_IN_PARAMS: Record<string, Record<string, ParamSpec>> = {
  // activities/agents/researcher.ts: without params it analyses the run's customer and features.
  'researcher/analyze_adoption_gap': {
    customer_id: { type: 'string' },
    feature_id: { type: 'string' },
    feature_ids: { type: 'array' },
  },
  // activities/agents/communicator.ts: every param overrides a fact the run already has.
  'communicator/draft_email': {
    template: { type: 'string', enum: ['feature_enablement'] },
    feature_id: { type: 'string' },
    feature_name: { type: 'string' },
    champion_name: { type: 'string' },
    csm_name: { type: 'string' },
    key_benefit: { type: 'string' },
    resources: { type: 'array' },
    to: { type: 'string' },
    // Kept in params as written: the communicator decides the draft's status from it.
    requires_approval: { type: 'boolean' },
  },
};

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' };

export const delegateToAgent: StepKind<'delegate_to_agent', DelegateToAgentConfig> = {
  action: 'delegate_to_agent',
  summary: 'hand work to an agent (researcher/analyze_adoption_gap, communicator/draft_email, or an HTTP agent)',
  configSchema: {
    type: 'object',
    properties: { agent: NAME, action: NAME, params: { type: 'object' } },
    required: ['agent', 'action'],
    additionalProperties: false,
  },
  templated: ['params'],
  check(config, context) {
    const key = `${config.agent}/${config.action}`;
    const specs = BUILT_IN_PARAMS[key];
    if (specs) checkParams(key, specs, config.params ?? {}, context);
  },
  normalise: (config) => ({ agent: config.agent, action: config.action, params: config.params ?? {} }),
};

function checkParams(
  key: string,
  specs: Record<string, ParamSpec>,
  params: Record<string, JsonValue>,
  context: StepCheckContext,
): void {
  const known = Object.keys(specs);
  for (const [name, value] of Object.entries(params)) {
    const spec = specs[name];
    if (!spec) {
      context.report(['params', name], 'agent-params', `${key} has no param "${name}" (known: ${known.join(', ')})`, { key: true });
      continue;
    }
    // A lone reference is typed only at run time; the agent checks what arrives.
    if (typeof value === 'string' && exactReference(value) !== undefined) continue;
    if (!hasType(value, spec.type)) {
      context.report(['params', name], 'agent-params', `param "${name}" of ${key} must be ${article(spec.type)} ${spec.type}`);
    } else if (spec.enum && !spec.enum.includes(value as string)) {
      context.report(['params', name], 'agent-params', `param "${name}" of ${key} must be one of: ${spec.enum.join(', ')}`);
    }
  }
}

function hasType(value: JsonValue, type: ParamType): boolean {
  return type === 'array' ? Array.isArray(value) : typeof value === type;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? 'an' : 'a';
}
