/**
 * The params of the built-in agents' actions: pure data, read by the `delegate_to_agent` kind's checks at compile time
 * and, as a type, by the agents' own table (index.ts), so an agent action without its params (or the other way round)
 * does not compile. Other agent/action names pass unchecked: an HTTP agent (AGENT_URL) may know actions this package has
 * never heard of, and only it can judge their params.
 */
export type ParamType = 'string' | 'boolean' | 'array';
export interface ParamSpec {
  type: ParamType;
  enum?: readonly string[];
}

/**
 * Params of the built-in agents. Other agent/action names pass unchecked: an HTTP agent (AGENT_URL) may know actions
 * this package has never heard of, and only it can judge their params.
 */
export const BUILT_IN_AGENT_PARAMS = {
  researcher: {
    // researcher.ts: without params it analyses the run's customer and features.
    analyze_adoption_gap: {
      customer_id: { type: 'string' },
      feature_id: { type: 'string' },
      feature_ids: { type: 'array' },
    },
  },
  communicator: {
    // communicator.ts: every param overrides a fact the run already has.
    draft_email: {
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
  },
} as const satisfies Record<string, Record<string, Record<string, ParamSpec>>>;

export type BuiltInAgents = typeof BUILT_IN_AGENT_PARAMS;
