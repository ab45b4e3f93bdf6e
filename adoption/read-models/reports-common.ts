import type { ImpactFilter } from '../holdout';

/** What the reports share: how a share is rounded, and the window's customer filter (segment, CSM). */

/** part / whole to three decimals (a 0-1 share); null when there is no whole. */
export const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/** A database number to one decimal; null stays null. */
export const round1 = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);

/** The customer half of a window's filter, over `customers c`, with parameters $3 (segment) and $4 (CSM). */
export const CUSTOMER_FILTER = `($3::text IS NULL OR c.segment = $3) AND ($4::text IS NULL OR c.csm_email = $4 OR c.csm_name = $4)`;

/** The bound parameters of a windowed report: $1 from, $2 to, $3 segment, $4 CSM. */
export const filterParams = (filter: ImpactFilter) => [filter.from, filter.to, filter.segment ?? null, filter.csm ?? null];
