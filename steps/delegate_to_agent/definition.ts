import { withArticle } from '../../definitions/language/wording';
import { BUILT_IN_AGENT_PARAMS, type ParamSpec, type ParamType } from './built-in-params';
import type { TemplateValue } from '../../definitions/language/types';
import type { JsonValue } from '../../definitions/language/types';
import { exactReference } from '../../definitions/language/template';
import type { StepCheckContext, StepDefinition } from '../kind';

export interface DelegateToAgentPlanConfig {
  agent: string;
  action: string;
  params: Record<string, TemplateValue>;
}

export interface DelegateToAgentConfig {
  agent: string;
  action: string;
  params?: Record<string, JsonValue>;
}

const NAME = { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' };

export const delegateToAgentDefinition: StepDefinition<'delegate_to_agent', DelegateToAgentConfig, DelegateToAgentPlanConfig> = {
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
    const specs = builtInParamsOf(config.agent, config.action);
    if (specs) checkParams(key, specs, config.params ?? {}, context);
  },
  normalise: (config) => ({ agent: config.agent, action: config.action, params: config.params ?? {} }),
};

function checkParams(key: string, specs: Readonly<Record<string, ParamSpec>>, params: Record<string, JsonValue>, context: StepCheckContext): void {
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
      context.report(['params', name], 'agent-params', `param "${name}" of ${key} must be ${withArticle(spec.type)}`);
    } else if (spec.enum && !spec.enum.includes(value as string)) {
      context.report(['params', name], 'agent-params', `param "${name}" of ${key} must be one of: ${spec.enum.join(', ')}`);
    }
  }
}

function builtInParamsOf(agent: string, action: string): Readonly<Record<string, ParamSpec>> | undefined {
  const actions: Readonly<Record<string, Readonly<Record<string, ParamSpec>>>> | undefined = Object.prototype.hasOwnProperty.call(
    BUILT_IN_AGENT_PARAMS,
    agent,
  )
    ? BUILT_IN_AGENT_PARAMS[agent as keyof typeof BUILT_IN_AGENT_PARAMS]
    : undefined;
  return actions && Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : undefined;
}

function hasType(value: JsonValue, type: ParamType): boolean {
  return type === 'array' ? Array.isArray(value) : typeof value === type;
}
