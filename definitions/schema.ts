import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CONDITION_SCHEMA } from './condition';
import { STEP_KINDS } from '../steps';
import { DURATION_SCHEMA, type AnyStepKind, type JsonSchema } from '../steps/kind';
import { DEFINITION_LIMITS } from './limits';

/**
 * The JSON Schema of a definition file (PRD-090 section 4.4 plus our extensions), assembled from the step kinds so a
 * new kind brings its config schema with it. Steps are a discriminated union on `action`: ajv then checks a step only
 * against its own kind's schema, so an error names the key that is wrong instead of "matches none of 8 schemas".
 */
export const STEP_ID_PATTERN = '^[a-z][a-z0-9_]*$';
export const OUTPUT_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
export const WORKFLOW_NAME_PATTERN = '^[a-z][a-z0-9_-]*$';

const RETRY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    maximum_attempts: { type: 'integer', minimum: 1 },
    initial_interval: { $ref: '#/$defs/duration' },
    backoff_coefficient: { type: 'number', minimum: 1 },
    maximum_interval: { $ref: '#/$defs/duration' },
  },
  additionalProperties: false,
  minProperties: 1,
};

function stepSchema(kind: AnyStepKind): JsonSchema {
  return {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: STEP_ID_PATTERN, description: 'snake_case (a-z, 0-9, _; starting with a letter)' },
      action: { const: kind.action },
      config: kind.configSchema,
      when: { $ref: '#/$defs/condition' },
      output: { type: 'string', pattern: OUTPUT_NAME_PATTERN, description: 'snake_case (a-z, 0-9, _; starting with a letter)' },
      retry: { $ref: '#/$defs/retry' },
      timeout: { $ref: '#/$defs/duration' },
    },
    required: kind.configOptional ? ['id', 'action'] : ['id', 'action', 'config'],
    additionalProperties: false,
  };
}

export function buildDefinitionSchema(): JsonSchema {
  return {
    $id: 'adoption-enablement/definition',
    title: 'adoption-enablement workflow definition (PRD-090 section 4.4)',
    type: 'object',
    properties: {
      workflow: { type: 'string', pattern: WORKFLOW_NAME_PATTERN, description: 'a name in snake_case or kebab-case' },
      // The PRD writes `version: 1.0`, which YAML reads as the number 1; the compiler keeps the source text "1.0".
      version: { type: ['string', 'number'] },
      description: { type: 'string' },
      trigger: {
        type: 'object',
        properties: {
          type: { const: 'risk_signal_created' },
          // Keys name fields of the risk signal the client matches on (client/start-enablement.ts); a list means
          // any of. An unknown key would never match, so it is refused here rather than silently never starting.
          filter: {
            type: 'object',
            properties: {
              signal_type: {
                description: 'a signal type or a list of them',
                anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
              },
              priority: {
                description: 'a priority or a list of them',
                anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' }, minItems: 1 }],
              },
            },
            additionalProperties: false,
          },
        },
        required: ['type'],
        additionalProperties: false,
      },
      steps: {
        type: 'array',
        minItems: 1,
        maxItems: DEFINITION_LIMITS.maxSteps,
        items: {
          type: 'object',
          properties: { action: { type: 'string' } },
          required: ['action'],
          discriminator: { propertyName: 'action' },
          oneOf: Object.values(STEP_KINDS).map((kind) => stepSchema(kind as AnyStepKind)),
        },
      },
    },
    required: ['workflow', 'version', 'trigger', 'steps'],
    additionalProperties: false,
    $defs: { duration: DURATION_SCHEMA, retry: RETRY_SCHEMA, condition: CONDITION_SCHEMA },
  };
}

export const DEFINITION_SCHEMA = buildDefinitionSchema();

let validator: ValidateFunction | undefined;

/** Validates a parsed definition; ajv's errors, or an empty list. */
export function validateAgainstSchema(value: unknown): ErrorObject[] {
  if (!validator) {
    // allErrors: report every problem of a file in one go. verbose: errors carry the schema and data they are about,
    // which the messages use (allowed keys, the value that was wrong).
    const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, discriminator: true, allowUnionTypes: true });
    validator = ajv.compile(DEFINITION_SCHEMA);
  }
  return validator(value) ? [] : [...(validator.errors ?? [])];
}
