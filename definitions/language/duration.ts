/**
 * Durations as definitions write them: `14d`, `72h`, `30m`, `45s`, `2w`, combinations largest unit first (`1d12h`,
 * `1d 12h`), or ISO-8601 (`P14D`, `PT72H`, `P1DT12H`, `P2W`). Pure, so the interpreter may share it.
 *
 * A bare number is refused: `14` could mean seconds or days, and a playbook that waits 14 seconds instead of 14 days
 * fails silently. ISO years and months are refused too: their length in seconds depends on the calendar.
 */
export type DurationResult = { seconds: number } | { error: string };

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const SHORT = /^(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;
const ISO = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function parseDuration(input: unknown): DurationResult {
  if (typeof input === 'number') {
    return { error: `a bare number (${input}) is ambiguous; write a unit, e.g. "${input}d", "${input}h", "${input}m" or "${input}s"` };
  }
  if (typeof input !== 'string') return { error: 'a duration must be a string such as "14d" or "72h"' };
  const text = input.trim();
  if (text.startsWith('-')) return { error: `duration "${input}" is negative; it must be positive` };
  let seconds: number | undefined;
  const short = SHORT.exec(text.toLowerCase());
  if (text !== '' && short && short.slice(1).some((part) => part !== undefined)) {
    const [, w, d, h, m, s] = short;
    seconds = [w, d, h, m, s].reduce((sum, part, index) => sum + Number(part ?? 0) * Object.values(UNIT_SECONDS)[index], 0);
  } else {
    const iso = ISO.exec(text.toUpperCase());
    if (iso && text.length > 1 && !text.toUpperCase().endsWith('T')) {
      const [, years, months, w, d, h, m, s] = iso;
      if (years !== undefined || months !== undefined) {
        return { error: `duration "${input}" uses years or months, whose length varies; use days or weeks` };
      }
      seconds = Number(w ?? 0) * 604_800 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(m ?? 0) * 60 + Number(s ?? 0);
    }
  }
  if (seconds === undefined) {
    return { error: `cannot read duration "${input}"; write e.g. "14d", "72h", "30m", "45s", "2w", "1d12h" or ISO "P14D"` };
  }
  if (seconds <= 0) return { error: `duration "${input}" is zero; it must be positive` };
  if (!Number.isSafeInteger(seconds)) return { error: `duration "${input}" is too long` };
  return { seconds };
}
