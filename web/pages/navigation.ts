import type { PageKind } from './style';

/** The CSM's pages, in the order the shared navigation lists them; `/` lists the customers' adoption pages. */
export const CSM_PAGES = [
  { path: '/', label: 'Home' },
  { path: '/workspace', label: 'Workspace' },
  { path: '/reports', label: 'Reports' },
] as const;

/**
 * The navigation every CSM page shares. Pages the customer's people open (`public`: booking, link problems) get none:
 * a champion has no key for the CSM's pages.
 */
export function siteNavigation(kind: PageKind): string {
  if (kind === 'public') return '';
  const current = kind === 'workspace' ? '/workspace' : kind === 'reports' ? '/reports' : kind === 'index' ? '/' : null;
  // Only the constants above go into this markup, so it needs no escaping (and html.ts need not be imported here).
  const items = CSM_PAGES.map((page) => `<li><a href="${page.path}"${page.path === current ? ' aria-current="page"' : ''}>${page.label}</a></li>`);
  return `<header class="site"><nav class="site-nav" aria-label="Pages"><ul>${items.join('')}</ul></nav></header>`;
}

/** An inline SVG icon (a data URL: no request, nothing the pages' Content-Security-Policy must allow beyond `img-src data:`). */
export const FAVICON_DATA_URL =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/>' +
      '<path d="M7 23l6-7 5 4 7-10" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  );

/** The pages a CSM opens, with their addresses under `baseUrl`, for the start log to name. */
export function pageAddresses(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, '');
  return [
    ...CSM_PAGES.map((page) => `${page.label.toLowerCase()} ${base}${page.path}`),
    `a customer's adoption page ${base}/customers/<customerId>/adoption`,
  ];
}
