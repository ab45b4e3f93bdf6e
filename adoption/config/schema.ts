/**
 * The JSON Schema of `adoption.config.yaml` (README "Detection rules", docs/scoring.md). Every key is optional: what a
 * file leaves out keeps its default (adoption/config/rules.ts DEFAULT_RULES). Bounds keep every number inside what the
 * SQL and the PRD's scale (scores 0-100, catalog importance 0-100) can mean; checks across keys (engaged below adopted,
 * the shortest cadence not above the longest) are in load.ts.
 */
const score = { type: 'integer', minimum: 0, maximum: 100 } as const;
const days = (maximum: number) => ({ type: 'integer', minimum: 1, maximum }) as const;
const share = { type: 'number', exclusiveMinimum: 0, maximum: 1 } as const;

const SEGMENT_STALL_RULES = {
  low_usage: {
    type: 'object',
    properties: { score_below: score, min_days_since_activation: days(3650) },
    additionalProperties: false,
  },
  past_expected_timeline: {
    type: 'object',
    properties: { score_below: score },
    additionalProperties: false,
  },
} as const;

const ALERTING = {
  type: 'object',
  properties: { min_importance: score },
  additionalProperties: false,
} as const;

/** Segment names as customers files write them (customers.segment is VARCHAR(50)). */
export const SEGMENT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_. -]{0,49}$';

export const RULES_CONFIG_SCHEMA = {
  $id: 'adoption-enablement/rules-config',
  title: 'adoption-enablement detection rules (adoption.config.yaml)',
  type: 'object',
  properties: {
    version: { const: 1 },
    stages: {
      type: 'object',
      properties: { engaged_from: score, adopted_from: score, not_started_after_days: days(365) },
      additionalProperties: false,
    },
    stall_rules: {
      type: 'object',
      properties: {
        ...SEGMENT_STALL_RULES,
        segment_benchmarks: {
          type: 'object',
          properties: { min_peers: { type: 'integer', minimum: 1, maximum: 100_000 } },
          additionalProperties: false,
        },
        account_wide_dip: {
          type: 'object',
          properties: {
            baseline_days: days(365),
            min_baseline_user_days_per_14_days: { type: 'integer', minimum: 0, maximum: 1_000_000 },
            ratio: share,
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    rhythm: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        lookback_days: days(730),
        burst_gap_days: { type: 'integer', minimum: 1, maximum: 30 },
        min_occasions: { type: 'integer', minimum: 3, maximum: 100 },
        min_cadence_days: { type: 'integer', minimum: 15, maximum: 365 },
        max_cadence_days: { type: 'integer', minimum: 15, maximum: 365 },
        tolerance: { type: 'number', minimum: 0, maximum: 1 },
        regular_share: share,
      },
      additionalProperties: false,
    },
    cooldowns: {
      type: 'object',
      properties: { signal_days: days(365), intervention_days: days(365) },
      additionalProperties: false,
    },
    alerting: ALERTING,
    segments: {
      type: 'object',
      maxProperties: 100,
      propertyNames: { pattern: SEGMENT_NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        properties: {
          stall_rules: { type: 'object', properties: SEGMENT_STALL_RULES, additionalProperties: false },
          alerting: ALERTING,
        },
        additionalProperties: false,
      },
    },
  },
  required: ['version'],
  additionalProperties: false,
} as const;

/** The file as the schema admits it. */
export interface RawRulesConfig {
  version: 1;
  stages?: { engaged_from?: number; adopted_from?: number; not_started_after_days?: number };
  stall_rules?: RawStallRules & {
    segment_benchmarks?: { min_peers?: number };
    account_wide_dip?: { baseline_days?: number; min_baseline_user_days_per_14_days?: number; ratio?: number };
  };
  rhythm?: {
    enabled?: boolean;
    lookback_days?: number;
    burst_gap_days?: number;
    min_occasions?: number;
    min_cadence_days?: number;
    max_cadence_days?: number;
    tolerance?: number;
    regular_share?: number;
  };
  cooldowns?: { signal_days?: number; intervention_days?: number };
  alerting?: { min_importance?: number };
  segments?: Record<string, { stall_rules?: RawStallRules; alerting?: { min_importance?: number } }>;
}

interface RawStallRules {
  low_usage?: { score_below?: number; min_days_since_activation?: number };
  past_expected_timeline?: { score_below?: number };
}
