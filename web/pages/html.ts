import { PAGE_STYLE, type PageKind } from './style';
import { FAVICON_DATA_URL, siteNavigation } from './navigation';

/**
 * Server-side HTML without a template engine: `html\`...\`` escapes every interpolated value unless it is already
 * `SafeHtml` (the result of another `html` call or of `raw` on markup we generate ourselves). Nothing from the
 * database reaches the page unescaped.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (char) => ENTITIES[char]);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1];
  });
  return new SafeHtml(out);
}

/** Markup we generated ourselves (never input). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export interface SparklineOptions {
  width?: number;
  height?: number;
  /** The value range drawn; scores are 0-100. */
  min?: number;
  max?: number;
  label: string;
  stroke?: string;
}

/**
 * An inline SVG sparkline of `values` (oldest first). One value is drawn as a dot; none as an empty box with
 * "no history yet". Only numbers go into the markup; the label is escaped.
 */
export function sparkline(values: number[], options: SparklineOptions): SafeHtml {
  const width = options.width ?? 160;
  const height = options.height ?? 36;
  const min = options.min ?? 0;
  const max = options.max ?? 100;
  const stroke = /^#[0-9a-fA-F]{3,8}$/.test(options.stroke ?? '') ? options.stroke! : '#2563eb';
  const pad = 3;
  const span = max - min || 1;
  const y = (value: number) => (pad + (height - 2 * pad) * (1 - (Math.min(max, Math.max(min, value)) - min) / span)).toFixed(1);
  const finite = values.filter((value) => Number.isFinite(value));
  const x = (index: number) => (finite.length <= 1 ? width / 2 : pad + ((width - 2 * pad) * index) / (finite.length - 1)).toFixed(1);
  let body: string;
  if (finite.length === 0) {
    body = `<text x="${width / 2}" y="${height / 2 + 4}" text-anchor="middle" font-size="10" fill="#94a3b8">no history yet</text>`;
  } else if (finite.length === 1) {
    body = `<circle cx="${x(0)}" cy="${y(finite[0])}" r="2.5" fill="${stroke}"/>`;
  } else {
    const points = finite.map((value, index) => `${x(index)},${y(value)}`).join(' ');
    const last = finite.length - 1;
    body =
      `<polyline fill="none" stroke="${stroke}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round" points="${points}"/>` +
      `<circle cx="${x(last)}" cy="${y(finite[last])}" r="2.5" fill="${stroke}"/>`;
  }
  return html`<svg
    class="sparkline"
    role="img"
    aria-label="${options.label}"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title>${options.label}</title>
    ${raw(body)}
  </svg>`;
}

/**
 * A whole page: the document, the icon, the one stylesheet (web/pages/style.ts), the shared navigation and the `<main>` content, the body naming the
 * page's kind. Every page the server renders uses it, so the head (charset, viewport for phones, language) is the
 * same everywhere.
 */
export function htmlDocument(title: string, kind: PageKind, main: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="icon" type="image/svg+xml" href="${FAVICON_DATA_URL}" />
        <style>
          ${raw(PAGE_STYLE)}
        </style>
      </head>
      <body class="${kind}">
        ${raw(siteNavigation(kind))}
        <main>${main}</main>
      </body>
    </html>`.value;
}
