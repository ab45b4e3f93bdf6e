import type { Condition, JsonValue } from './language/types';
import type { DiagnosticCategory } from './language/diagnostic-category';
import type { DocPath } from './language/diagnostic-category';
import type { JsonSchema } from '../steps/kind';

/**
 * `when:` conditions. A comparison reads `value` (normally one `{{reference}}`) and compares it with literal operands;
 * `all` / `any` / `not` combine conditions. Only `value` is resolved at run time: operands are literals, so a
 * reference in an operand is an error rather than a comparison with the text "{{...}}".
 */
export interface RawCondition {
  value?: JsonValue;
  equals?: JsonValue;
  not_equals?: JsonValue;
  in?: JsonValue[];
  not_in?: JsonValue[];
  exists?: boolean;
  truthy?: boolean;
  all?: RawCondition[];
  any?: RawCondition[];
  not?: RawCondition;
}

const COMPARISONS = ['equals', 'not_equals', 'in', 'not_in', 'exists', 'truthy'] as const;
const COMBINATIONS = ['all', 'any', 'not'] as const;
const OPERATORS = [...COMPARISONS, ...COMBINATIONS];

/** Lives in the definition schema's `$defs`, so nested conditions can refer to it. */
export const CONDITION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    value: true,
    equals: true,
    not_equals: true,
    in: { type: 'array' },
    not_in: { type: 'array' },
    exists: { type: 'boolean' },
    truthy: { type: 'boolean' },
    all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
    any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
    not: { $ref: '#/$defs/condition' },
  },
  additionalProperties: false,
};

type Report = (path: DocPath, category: DiagnosticCategory, message: string, options?: { key?: boolean }) => void;

/** The rules a schema states badly: exactly one operator, and `value` exactly when the operator compares. */
export function checkCondition(condition: RawCondition, path: DocPath, report: Report): void {
  const operators = OPERATORS.filter((operator) => operator in condition);
  if (operators.length === 0) {
    report(path, 'bad-condition', `a condition needs one of: ${OPERATORS.join(', ')}`);
    return;
  }
  if (operators.length > 1) {
    // Point at the second operator: the first one is as likely to be the intended one as any.
    report([...path, operators[1]], 'bad-condition', `a condition takes exactly one operator; this one has ${operators.join(' and ')}`, {
      key: true,
    });
    return;
  }
  const [operator] = operators;
  if ((COMPARISONS as readonly string[]).includes(operator)) {
    if (!('value' in condition)) report(path, 'missing-key', `condition "${operator}" needs "value" (e.g. value: "{{steps.<id>.field}}")`);
    return;
  }
  if ('value' in condition) report([...path, 'value'], 'bad-condition', `"value" has no meaning beside "${operator}"`, { key: true });
  if (operator === 'not') checkCondition(condition.not!, [...path, 'not'], report);
  else condition[operator as 'all' | 'any']!.forEach((inner, index) => checkCondition(inner, [...path, operator, index], report));
}

/** Every string inside the condition, and whether the interpreter resolves it (only under `value`). */
export function conditionStrings(condition: RawCondition, path: DocPath): Array<{ path: DocPath; text: string; templated: boolean }> {
  const found: Array<{ path: DocPath; text: string; templated: boolean }> = [];
  for (const [key, inner] of Object.entries(condition)) {
    if (key === 'all' || key === 'any') {
      (inner as RawCondition[]).forEach((item, index) => found.push(...conditionStrings(item, [...path, key, index])));
    } else if (key === 'not') found.push(...conditionStrings(inner as RawCondition, [...path, key]));
    else found.push(...stringsIn(inner as JsonValue, [...path, key]).map((site) => ({ ...site, templated: key === 'value' })));
  }
  return found;
}

/** Every string in a JSON value with its path (keys are never templates). */
export function stringsIn(value: JsonValue | undefined, path: DocPath): Array<{ path: DocPath; text: string }> {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsIn(item, [...path, key]));
  }
  return [];
}

export function normaliseCondition(condition: RawCondition): Condition {
  const value = condition.value ?? null;
  if ('equals' in condition) return { op: 'equals', value, operand: condition.equals ?? null };
  if ('not_equals' in condition) return { op: 'not_equals', value, operand: condition.not_equals ?? null };
  if ('in' in condition) return { op: 'in', value, operands: condition.in! };
  if ('not_in' in condition) return { op: 'not_in', value, operands: condition.not_in! };
  if ('exists' in condition) return { op: 'exists', value, expected: condition.exists! };
  if ('truthy' in condition) return { op: 'truthy', value, expected: condition.truthy! };
  if ('all' in condition) return { op: 'all', conditions: condition.all!.map(normaliseCondition) };
  if ('any' in condition) return { op: 'any', conditions: condition.any!.map(normaliseCondition) };
  return { op: 'not', condition: normaliseCondition(condition.not!) };
}
