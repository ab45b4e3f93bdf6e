/**
 * Pure checks for input that comes from outside (HTTP bodies, signals, import files): bounded, non-recursive, and
 * safe to run on hostile values (a 1 MB string, JSON nested 100,000 deep, a NUL). Bundle-safe: the workflow's
 * message validators use them too.
 */

/** Characters of a bad value an error message may echo. */
export const PREVIEW_CHARS = 40;

/**
 * A short, safe rendering of a bad value for an error message: at most PREVIEW_CHARS characters of a string (as
 * JSON, control characters escaped), the kind of anything larger. Never walks into objects or arrays.
 */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const head = value.length > PREVIEW_CHARS ? value.slice(0, PREVIEW_CHARS) : value;
    return `${JSON.stringify(head)}${value.length > PREVIEW_CHARS ? `… (${value.length} characters)` : ''}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}

/** True when the text holds a NUL character, which Postgres refuses in text and jsonb alike. */
export function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

export interface StructureLimits {
  /** Deepest nesting of objects and arrays (the top level is depth 1). */
  maxDepth: number;
  /** Longest string, keys included. */
  maxStringLength: number;
  /** Most values (objects, arrays, strings, numbers...) in the whole structure. */
  maxNodes: number;
}

export interface StructureProblem {
  /** Where, as a JSON pointer-like path (`/a/0/b`), at most 10 segments long. */
  path: string;
  problem: string;
}

/**
 * Walks a parsed JSON value iteratively (no recursion, so no RangeError however deep) and reports the first NUL
 * character, over-long string, over-deep nesting or over-large structure. Cost: linear in the nodes visited, and it
 * stops at `maxNodes`.
 */
export function checkStructure(value: unknown, limits: StructureLimits): StructureProblem | null {
  const stack: Array<{ value: unknown; depth: number; path: string[] }> = [{ value, depth: 0, path: [] }];
  let nodes = 0;
  const at = (path: string[]) => (path.length > 10 ? `/${path.slice(0, 10).join('/')}/…` : `/${path.join('/')}`).replace(/^\/$/, '');
  const checkString = (text: string, path: string[], what: string): StructureProblem | null => {
    const subject = what ? `${what} ` : '';
    if (text.length > limits.maxStringLength) return { path: at(path), problem: `${subject}is longer than ${limits.maxStringLength} characters` };
    if (hasNul(text)) return { path: at(path), problem: `${subject}contains a NUL character` };
    return null;
  };
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    nodes += 1;
    if (nodes > limits.maxNodes) return { path: at(path), problem: `has more than ${limits.maxNodes} values` };
    if (typeof current === 'string') {
      const problem = checkString(current, path, '');
      if (problem) return problem;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > limits.maxDepth) return { path: at(path), problem: `is nested deeper than ${limits.maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1)
        stack.push({ value: current[index], depth: depth + 1, path: [...path.slice(0, 11), String(index)] });
      continue;
    }
    for (const [key, inner] of Object.entries(current as Record<string, unknown>)) {
      const keyPath = [...path.slice(0, 11), key.length > PREVIEW_CHARS ? `${key.slice(0, PREVIEW_CHARS)}…` : key];
      const problem = checkString(key, keyPath, 'the key');
      if (problem) return problem;
      stack.push({ value: inner, depth: depth + 1, path: keyPath });
    }
  }
  return null;
}

export interface InstantOptions {
  /** A bare date (`2026-03-31`) is allowed and means midnight UTC (default false). */
  allowDateOnly?: boolean;
  /** A date-time without a zone is allowed and means UTC (default false). */
  allowNoZone?: boolean;
  /** A space instead of `T` is allowed (default false). */
  allowSpace?: boolean;
  /** Earliest and latest year accepted (default 1900-9999: what Postgres and JavaScript both hold exactly). */
  minYear?: number;
  maxYear?: number;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses an ISO-8601 date or date-time that exists on the calendar (no 30 February, no hour 24, no year 0), in the
 * given year range. Returns the instant as `toISOString()` text, or a reason it is refused (short, without the value).
 */
export function parseIsoInstant(text: string, options: InstantOptions = {}): { ok: true; iso: string } | { ok: false; reason: string } {
  if (text.length > 40) return { ok: false, reason: 'is not an ISO-8601 timestamp (too long)' };
  const match = INSTANT.exec(text.trim());
  if (!match) return { ok: false, reason: 'is not an ISO-8601 timestamp' };
  const [, year, month, day, separator, hour, minute = '00', second = '00', fraction = '', zone] = match;
  if (separator === undefined && !options.allowDateOnly) return { ok: false, reason: 'needs a time and a zone (e.g. 2026-03-31T10:00:00Z)' };
  if (separator === ' ' && !options.allowSpace) return { ok: false, reason: 'is not an ISO-8601 timestamp (T between date and time)' };
  if (separator !== undefined && zone === undefined && !options.allowNoZone) return { ok: false, reason: 'needs a zone (Z or +hh:mm)' };
  const minYear = options.minYear ?? 1900;
  const maxYear = options.maxYear ?? 9999;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < minYear || y > maxYear) return { ok: false, reason: `has a year outside ${minYear}-${maxYear}` };
  if (m < 1 || m > 12) return { ok: false, reason: 'is not a date that exists (month)' };
  const monthDays = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > monthDays) return { ok: false, reason: 'is not a date that exists (day of month)' };
  if (Number(hour ?? 0) > 23 || Number(minute) > 59 || Number(second) > 59) return { ok: false, reason: 'is not a time that exists' };
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') {
    const hh = Number(zone.slice(1, 3));
    const mm = Number(zone.slice(-2));
    if (hh > 18 || mm > 59) return { ok: false, reason: 'has a zone offset that does not exist' };
    offset = `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  }
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const instant = Date.parse(`${year}-${month}-${day}T${hour ?? '00'}:${minute}:${second}${millis}${offset}`);
  if (Number.isNaN(instant)) return { ok: false, reason: 'is not an ISO-8601 timestamp' };
  return { ok: true, iso: new Date(instant).toISOString() };
}
