/**
 * How the product names money, days, stages and importance to people, the same in Slack, email and the pages. Plain
 * text: each surface escapes for its own syntax (mrkdwn in Slack, HTML in the pages), so nothing here is pre-escaped.
 */

/** "$240,000": whole dollars, as the PRD's alert shows ARR. */
export function formatMoney(amount: number): string {
  return `$${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Math.round(amount))}`;
}

/** "Feb 15, 2026", in UTC so the date does not depend on the server's time zone; null for a date that is not one. */
export function formatDate(iso: string): string | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** PRD-090 5.1: "This feature importance: High" (>= 70), Medium (>= 40), otherwise Low. */
export function importanceLabel(score: number): 'High' | 'Medium' | 'Low' {
  if (score >= 70) return 'High';
  if (score >= 40) return 'Medium';
  return 'Low';
}

const STAGE_LABELS: Record<string, string> = {
  not_started: 'Not Started',
  started: 'Started',
  engaged: 'Engaged',
  adopted: 'Adopted',
  churned: 'Churned',
};

/** The stages as people read them; a stage this version does not know is shown from its id ("on_hold" -> "On hold"). */
export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage] ?? idWords(stage).replace(/^\w/, (c) => c.toUpperCase());
}

/** An id as words, for segments, statuses and types: "mid_market" -> "mid market". */
export function idWords(id: string): string {
  return id.replace(/_/g, ' ');
}

/** The line under a customer's name on every page: "ARR $240,000 · mid market · CSM Dana Reyes". */
export function customerSummary(customer: { arr: number; segment: string; csmName: string | null }): string {
  return `ARR ${formatMoney(customer.arr)} · ${idWords(customer.segment)} · CSM ${customer.csmName ?? 'unassigned'}`;
}
