import type { JsonValue } from './plan';

/**
 * `{{ dotted.path }}` references in definition values. The compiler uses this to check references; the interpreter
 * uses it to resolve them at run time. It is imported by workflow code inside Temporal's sandbox, so it must stay
 * pure: no imports with I/O, no clocks, no randomness.
 */

/** A path is dot-separated segments; numeric segments index arrays (`resources.0.url`). */
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;
const EXACT = /^\{\{\s*([^{}]*?)\s*\}\}$/;

export interface TemplateToken {
  /** The trimmed text between the braces. */
  path: string;
  /** Offset of the opening `{{` in the text. */
  offset: number;
  /** Length of the whole `{{ ... }}` token (to the end of the text for an unclosed one). */
  length: number;
  /** Why the token is not a usable reference; absent when it is one. */
  error?: string;
}

/** Every `{{ ... }}` in `text`, well-formed or not, so the compiler can point at malformed ones too. */
export function scanTemplate(text: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open < 0) return tokens;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      tokens.push({ path: text.slice(open + 2).trim(), offset: open, length: text.length - open, error: 'has no closing }}' });
      return tokens;
    }
    const inner = text.slice(open + 2, close);
    const path = inner.trim();
    const token: TemplateToken = { path, offset: open, length: close + 2 - open };
    if (inner.includes('{{')) token.error = 'opens a second {{ before closing the first';
    else if (path === '') token.error = 'is empty';
    else if (!PATH.test(path)) token.error = 'is not a dotted path like customer.name or steps.analyze_stall.summary';
    tokens.push(token);
    from = close + 2;
  }
}

/** The well-formed references in `text`, in order. */
export function findReferences(text: string): Array<{ path: string; offset: number }> {
  return scanTemplate(text)
    .filter((token) => token.error === undefined)
    .map(({ path, offset }) => ({ path, offset }));
}

/** The path when `text` is exactly one reference (and so keeps the referenced value's type), else undefined. */
export function exactReference(text: string): string | undefined {
  const match = EXACT.exec(text);
  return match && PATH.test(match[1]) ? match[1] : undefined;
}

/** Looks a dotted path up in the scope; undefined when any segment is missing. */
export function lookupPath(scope: Record<string, JsonValue>, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = scope;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      // Own properties only: a path must never reach Object.prototype (`constructor`, `__proto__`).
      current = Object.prototype.hasOwnProperty.call(current, segment) ? current[segment] : undefined;
    }
  }
  return current;
}

/**
 * Resolves references in a config value. A string that is exactly one reference becomes the referenced value with
 * its type (null when missing); references inside longer text are interpolated as text. Arrays and objects are
 * resolved element by element; keys are never templates.
 */
export function resolveTemplate(value: JsonValue, scope: Record<string, JsonValue>): JsonValue {
  if (typeof value === 'string') {
    const exact = exactReference(value);
    if (exact !== undefined) return lookupPath(scope, exact) ?? null;
    if (!value.includes('{{')) return value;
    return interpolate(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => resolveTemplate(item, scope));
  if (value !== null && typeof value === 'object') {
    const resolved: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) resolved[key] = resolveTemplate(item, scope);
    return resolved;
  }
  return value;
}

function interpolate(text: string, scope: Record<string, JsonValue>): string {
  let out = '';
  let from = 0;
  for (const token of scanTemplate(text)) {
    // A malformed token is left as written: the compiler rejects it, and text must never be silently lost.
    if (token.error !== undefined) continue;
    out += text.slice(from, token.offset) + toText(lookupPath(scope, token.path));
    from = token.offset + token.length;
  }
  return out + text.slice(from);
}

/** How a value reads inside text: arrays as a comma list, objects as JSON, nothing as nothing. */
export function toText(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => toText(item)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
