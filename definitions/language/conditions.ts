import type { Condition, JsonValue } from './types';
import { resolveTemplate } from './template';

/** Evaluates a compiled `when` condition against the step scope. Pure: runs inside the workflow sandbox. */
export function evaluateCondition(condition: Condition, scope: Record<string, JsonValue>): boolean {
  switch (condition.op) {
    case 'all':
      return condition.conditions.every((inner) => evaluateCondition(inner, scope));
    case 'any':
      return condition.conditions.some((inner) => evaluateCondition(inner, scope));
    case 'not':
      return !evaluateCondition(condition.condition, scope);
    case 'equals':
      return sameValue(resolveTemplate(condition.value, scope), condition.operand);
    case 'not_equals':
      return !sameValue(resolveTemplate(condition.value, scope), condition.operand);
    case 'in':
      return condition.operands.some((operand) => sameValue(resolveTemplate(condition.value, scope), operand));
    case 'not_in':
      return !condition.operands.some((operand) => sameValue(resolveTemplate(condition.value, scope), operand));
    case 'exists': {
      const value = resolveTemplate(condition.value, scope);
      return (value !== null && value !== undefined && value !== '') === condition.expected;
    }
    case 'truthy': {
      const value = resolveTemplate(condition.value, scope);
      const truthy = Array.isArray(value) ? value.length > 0 : Boolean(value);
      return truthy === condition.expected;
    }
  }
}

function sameValue(left: JsonValue | undefined, right: JsonValue): boolean {
  return JSON.stringify(left ?? null) === JSON.stringify(right);
}
