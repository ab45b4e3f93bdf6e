import { html, raw, type SafeHtml } from './html';

/**
 * Small server-side SVG charts for the reports page (no script, no chart library): horizontal bars, metrics against
 * their targets, and an interval around zero. Only numbers we computed go into attributes; every label is escaped.
 */
export interface Bar {
  label: string;
  value: number | null;
  /** Shown at the end of the bar; default the value. */
  text?: string;
  colour?: string;
}

const COLOUR = /^#[0-9a-fA-F]{3,8}$/;
const colourOr = (value: string | undefined, fallback: string) => (value && COLOUR.test(value) ? value : fallback);
const fixed = (value: number) => (Number.isFinite(value) ? Number(value.toFixed(1)) : 0);
const LABEL_WIDTH = 180;
const ROW = 22;

function svg(title: string, width: number, height: number, body: SafeHtml | SafeHtml[]): SafeHtml {
  return html`<svg
    class="chart"
    role="img"
    aria-label="${title}"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title>${title}</title>
    ${body}
  </svg>`;
}

const LINE = 14;

/**
 * A label as the lines of a chart's label column: words wrapped at `perLine` code points (a longer word is broken,
 * never inside a surrogate pair), at most `maxLines`; a label that still does not fit ends in "…" and keeps its
 * whole text in a `<title>`, so nothing is lost to a reader or a screen reader.
 */
export function labelLines(label: string, perLine: number, maxLines = 3): { lines: string[]; clipped: boolean } {
  const lines: string[] = [];
  let current: string[] = [];
  for (const word of label.split(/\s+/).filter(Boolean)) {
    let chars = [...word];
    while (chars.length > 0) {
      const room = perLine - current.length - (current.length > 0 ? 1 : 0);
      if (chars.length <= room) {
        current = current.length > 0 ? [...current, ' ', ...chars] : chars;
        chars = [];
      } else if (current.length > 0) {
        lines.push(current.join(''));
        current = [];
      } else {
        lines.push(chars.slice(0, perLine).join(''));
        chars = chars.slice(perLine);
      }
    }
  }
  if (current.length > 0) lines.push(current.join(''));
  if (lines.length <= maxLines) return { lines, clipped: false };
  const last = [...lines[maxLines - 1]].slice(0, perLine - 1).join('');
  return { lines: [...lines.slice(0, maxLines - 1), `${last}…`], clipped: true };
}

/** A right-aligned label at `x`, its lines centred on `middle`. */
function labelText(label: string, x: number, middle: number, perLine: number, maxLines = 3): { markup: SafeHtml; lines: number } {
  const { lines, clipped } = labelLines(label, perLine, maxLines);
  const top = middle - ((lines.length - 1) * LINE) / 2;
  const spans = lines.map((line, index) => html`<tspan x="${x}" y="${fixed(top + index * LINE + 4)}">${line}</tspan>`);
  return {
    markup: html`<text font-size="12" text-anchor="end" fill="#0f172a">${clipped ? html`<title>${label}</title>` : ''}${spans}</text>`,
    lines: lines.length,
  };
}

/** Horizontal bars scaled to `max` (default the largest value); a null value is drawn as "no data". */
export function barChart(bars: Bar[], options: { title: string; max?: number; width?: number; colour?: string }): SafeHtml {
  const width = options.width ?? 480;
  const plot = width - LABEL_WIDTH - 110;
  const values = bars.map((bar) => bar.value ?? 0);
  const max = options.max ?? Math.max(1, ...values);
  if (bars.length === 0) {
    return svg(options.title, width, 30, html`<text x="8" y="19" font-size="12" fill="#64748b">no data in this window</text>`);
  }
  let y = 4;
  const rows = bars.map((bar) => {
    const lines = labelLines(bar.label, 26).lines.length;
    const rowHeight = Math.max(ROW, lines * LINE + 8);
    const top = y;
    y += rowHeight;
    const middle = top + rowHeight / 2;
    const length = bar.value === null ? 0 : fixed((plot * Math.max(0, Math.min(bar.value, max))) / max);
    const text = bar.text ?? (bar.value === null ? 'no data' : String(bar.value));
    return html`<g class="bar">
      ${labelText(bar.label, LABEL_WIDTH - 6, middle, 26).markup}
      <rect
        x="${LABEL_WIDTH}"
        y="${fixed(middle - (ROW - 8) / 2)}"
        width="${length}"
        height="${ROW - 8}"
        rx="2"
        fill="${colourOr(bar.colour, colourOr(options.colour, '#2563eb'))}"
      />
      <text x="${fixed(LABEL_WIDTH + length + 5)}" y="${fixed(middle + 4)}" font-size="11" fill="#334155">${text}</text>
    </g>`;
  });
  return svg(options.title, width, y + 4, rows);
}

export interface TargetRow {
  label: string;
  value: number | null;
  target: number;
  unit: string;
  met: boolean | null;
  /** What to print when there is no value. */
  missing?: string;
}

/**
 * Each metric on its own axis from min(0, value, target) to max(0, value, target): a bar from 0 to the value (green
 * when the target is met, amber when not) and a dark tick at the target. No value: "no data", never a bar at 0.
 */
export function targetChart(rows: TargetRow[], options: { title: string; width?: number }): SafeHtml {
  const width = options.width ?? 640;
  const left = 230;
  const plot = width - left - 90;
  const height = 12 + rows.length * 34;
  const body = rows.map((row, index) => {
    const y = 6 + index * 34;
    const span = [0, row.target, row.value ?? 0];
    const lo = Math.min(...span);
    const hi = Math.max(...span, lo + 1);
    const x = (value: number) => fixed(left + (plot * (value - lo)) / (hi - lo));
    const label = labelText(row.label, left - 8, y + 12, 34, 2).markup;
    const axis = html`<line x1="${left}" x2="${left + plot}" y1="${y + 24}" y2="${y + 24}" stroke="#cbd5e1" /><line
        x1="${x(0)}"
        x2="${x(0)}"
        y1="${y + 2}"
        y2="${y + 26}"
        stroke="#94a3b8"
      />`;
    const target = html`<line
        class="target"
        x1="${x(row.target)}"
        x2="${x(row.target)}"
        y1="${y}"
        y2="${y + 28}"
        stroke="#0f172a"
        stroke-width="2"
      /><text x="${x(row.target)}" y="${y + 34}" font-size="9" text-anchor="middle" fill="#0f172a"
        >target ${row.target > 0 ? '+' : ''}${row.target}${row.unit === '%' ? '%' : ''}</text
      >`;
    if (row.value === null) {
      return html`<g
        >${label}${axis}${target}<text x="${left + plot + 8}" y="${y + 16}" font-size="11" fill="#64748b">${row.missing ?? 'no data'}</text></g
      >`;
    }
    const from = Math.min(x(0), x(row.value));
    const barWidth = Math.abs(x(row.value) - x(0));
    const colour = row.met ? '#16a34a' : '#d97706';
    return html`<g
      >${label}${axis}<rect x="${from}" y="${y + 6}" width="${fixed(barWidth)}" height="14" rx="2" fill="${colour}" />${target}<text
        x="${left + plot + 8}"
        y="${y + 17}"
        font-size="12"
        fill="#0f172a"
        >${row.value > 0 ? '+' : ''}${row.value}${row.unit === '%' ? '%' : ' pts'}</text
      ></g
    >`;
  });
  return svg(options.title, width, height, body);
}

/** A difference with its interval on an axis from -1 to 1 (as percentage points), zero marked. */
export function intervalChart(value: { difference: number; low: number; high: number } | null, options: { title: string; width?: number }): SafeHtml {
  const width = options.width ?? 560;
  const height = 64;
  const pad = 30;
  const x = (v: number) => fixed(pad + ((width - 2 * pad) * (Math.max(-1, Math.min(1, v)) + 1)) / 2);
  const ticks = [-1, -0.5, 0, 0.5, 1].map(
    (tick) =>
      html`<line x1="${x(tick)}" x2="${x(tick)}" y1="34" y2="40" stroke="#94a3b8" /><text
          x="${x(tick)}"
          y="54"
          font-size="10"
          text-anchor="middle"
          fill="#64748b"
          >${tick > 0 ? '+' : ''}${tick * 100}</text
        >`,
  );
  const axis = html`<line x1="${pad}" x2="${width - pad}" y1="37" y2="37" stroke="#cbd5e1" /><line
      x1="${x(0)}"
      x2="${x(0)}"
      y1="6"
      y2="40"
      stroke="#0f172a"
      stroke-dasharray="3 2"
    />${ticks}`;
  if (!value) {
    return svg(
      options.title,
      width,
      height,
      html`${axis}<text x="${width / 2}" y="20" font-size="12" text-anchor="middle" fill="#64748b">no data: both arms need measured features</text>`,
    );
  }
  const colour = value.low > 0 ? '#16a34a' : value.high < 0 ? '#dc2626' : '#d97706';
  return svg(
    options.title,
    width,
    height,
    html`${axis}<line class="interval" x1="${x(value.low)}" x2="${x(value.high)}" y1="20" y2="20" stroke="${colour}" stroke-width="3" />
      <line x1="${x(value.low)}" x2="${x(value.low)}" y1="14" y2="26" stroke="${colour}" stroke-width="2" /><line
        x1="${x(value.high)}"
        x2="${x(value.high)}"
        y1="14"
        y2="26"
        stroke="${colour}"
        stroke-width="2"
      />
      <circle class="estimate" cx="${x(value.difference)}" cy="20" r="5" fill="${colour}" />${raw('')}`,
  );
}

/**
 * A score (0-100) over time with its axes: 0, 50 and 100 on the left, the first and the last day under the line
 * (points placed by their date, so a gap between detection runs shows as one). One point is a dot; none says so.
 */
export function trendChart(points: Array<{ asOf: string; score: number }>, options: { title: string; width?: number; height?: number }): SafeHtml {
  const width = options.width ?? 300;
  const height = options.height ?? 110;
  const left = 30;
  const right = 10;
  const top = 8;
  const bottom = height - 24;
  const y = (score: number) => fixed(bottom - ((bottom - top) * Math.max(0, Math.min(100, score))) / 100);
  const grid = [0, 50, 100].map(
    (tick) =>
      html`<line x1="${left}" x2="${width - right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e2e8f0" /><text
          x="${left - 4}"
          y="${fixed(y(tick) + 4)}"
          font-size="10"
          text-anchor="end"
          fill="#475569"
          >${tick}</text
        >`,
  );
  const dated = points.filter((point) => Number.isFinite(point.score) && !Number.isNaN(Date.parse(point.asOf)));
  if (dated.length === 0) {
    return svg(
      options.title,
      width,
      height,
      html`${grid}<text x="${(left + width) / 2}" y="${fixed((top + bottom) / 2 - 6)}" font-size="11" text-anchor="middle" fill="#475569">no history yet</text>`,
    );
  }
  const first = Date.parse(dated[0].asOf);
  const span = Date.parse(dated[dated.length - 1].asOf) - first;
  const x = (asOf: string) => fixed(span === 0 ? (left + width - right) / 2 : left + ((width - right - left) * (Date.parse(asOf) - first)) / span);
  const day = (asOf: string) => asOf.slice(0, 10);
  const last = dated[dated.length - 1];
  const line =
    dated.length > 1
      ? html`<polyline fill="none" stroke="#2563eb" stroke-width="1.8" stroke-linejoin="round" points="${dated.map((point) => `${x(point.asOf)},${y(point.score)}`).join(' ')}" />`
      : '';
  const dates =
    dated.length > 1
      ? html`<text x="${left}" y="${height - 6}" font-size="10" fill="#475569">${day(dated[0].asOf)}</text><text
            x="${width - right}"
            y="${height - 6}"
            font-size="10"
            text-anchor="end"
            fill="#475569"
            >${day(last.asOf)}</text
          >`
      : html`<text x="${x(last.asOf)}" y="${height - 6}" font-size="10" text-anchor="middle" fill="#475569">${day(last.asOf)}</text>`;
  return svg(
    options.title,
    width,
    height,
    html`${grid}<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#94a3b8" />${line}<circle
        cx="${x(last.asOf)}"
        cy="${y(last.score)}"
        r="3"
        fill="#2563eb"
      />${dates}`,
  );
}
