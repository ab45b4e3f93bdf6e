import type { JsonValue } from './types';

/**
 * `{{ dotted.path }}` references in definition values. The compiler uses this to check references; the interpreter
 * uses it to resolve them at run time. It is imported by workflow code inside Temporal's sandbox, so it must stay
 * pure: no imports with I/O, no clocks, no randomness.
 */

/** A path is dot-separated segments; numeric segments index arrays (`resources.0.url`). */
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;
const EXACT = /^\{\{([^{}]*)\}\}$/;
/** `{{ path ?? default }}`: the default is a JSON literal, used when the path resolves to nothing. */
const DEFAULT_SEPARATOR = '??';

export interface TemplateToken {
  /** The trimmed path between the braces (without its default). */
  path: string;
  /** The default after `??`, when the reference has one (used when the path resolves to nothing). */
  fallback?: JsonValue;
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
    const token: TemplateToken = { ...parseInner(inner), offset: open, length: close + 2 - open };
    if (inner.includes('{{')) token.error = 'opens a second {{ before closing the first';
    tokens.push(token);
    from = close + 2;
  }
}

function parseInner(inner: string): Pick<TemplateToken, 'path' | 'fallback' | 'error'> {
  const separator = inner.indexOf(DEFAULT_SEPARATOR);
  const path = (separator < 0 ? inner : inner.slice(0, separator)).trim();
  if (path === '') return { path, error: 'is empty' };
  if (!PATH.test(path)) return { path, error: 'is not a dotted path like customer.name or steps.analyze_stall.summary' };
  if (separator < 0) return { path };
  const literal = inner.slice(separator + DEFAULT_SEPARATOR.length).trim();
  try {
    const fallback = JSON.parse(literal) as unknown;
    if (fallback === null || ['string', 'number', 'boolean'].includes(typeof fallback)) return { path, fallback: fallback as JsonValue };
  } catch {
    // reported below
  }
  return { path, error: `has a default that is not a "quoted string", a number, true, false or null: ${literal.slice(0, 40)}` };
}

/** The path when `text` is exactly one reference (and so keeps the referenced value's type), else undefined. */
export function exactReference(text: string): string | undefined {
  return exactToken(text)?.path;
}

/** The reference (path and default) when `text` is exactly one well-formed reference, else undefined. */
export function exactToken(text: string): Pick<TemplateToken, 'path' | 'fallback'> | undefined {
  const match = EXACT.exec(text);
  if (!match) return undefined;
  const parsed = parseInner(match[1]);
  return parsed.error === undefined ? parsed : undefined;
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
 * its type (its default, else null, when missing); references inside longer text are interpolated as text. Arrays and objects are
 * resolved element by element; keys are never templates.
 */
export function resolveTemplate(value: JsonValue, scope: Record<string, JsonValue>): JsonValue {
  if (typeof value === 'string') {
    const exact = exactToken(value);
    if (exact !== undefined) return lookupPath(scope, exact.path) ?? exact.fallback ?? null;
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
    out += text.slice(from, token.offset) + toText(lookupPath(scope, token.path) ?? token.fallback);
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
