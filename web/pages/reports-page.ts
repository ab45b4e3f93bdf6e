import type { ImpactFilter, LiftReport } from '../../adoption/holdout';
import type { SuccessMetricsReport } from '../../adoption/metrics';
import type { ImpactReports } from '../../adoption/read-models/reports';
import type { HoldoutRow } from '../../adoption/read-models/reports-holdout';
import type { OutcomeGroup, ResourceRecoveryRow } from '../../adoption/read-models/reports-outcomes';
import type { StallsBySegmentRow } from '../../adoption/read-models/reports-stalls';
import { html, htmlDocument, raw, type SafeHtml } from './html';
import { barChart, intervalChart, targetChart } from './svg-chart';

/**
 * The reports page: `GET /reports?from&to&segment&csm`, HTML with server-rendered SVG charts, no script. The same
 * figures are JSON at `/api/reports/impact`. One function per section.
 */

const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10}%`);
const points = (value: number) => Math.round(value * 1000) / 10;

/** A table with a header row; `rows` are `<tr>`s. */
/** A table that may scroll sideways on a narrow screen: a named, focusable region, so a keyboard can scroll it too. */
function table(headings: string[], rows: SafeHtml[], caption: string): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-label="${caption}" tabindex="0"><table>
    <thead>
      <tr>
        ${headings.map((heading) => html`<th>${heading}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table></div>`;
}

function row(cells: Array<string | number | SafeHtml>): SafeHtml {
  return html`<tr>
    ${cells.map((cell) => html`<td>${cell}</td>`)}
  </tr>`;
}

/** Stalls per feature over all segments, for the "which features stall most" chart. */
function stallsByFeature(rows: StallsBySegmentRow[]): Array<{ featureName: string; stalls: number; recovered: number }> {
  const byFeature = new Map<string, { featureName: string; stalls: number; recovered: number }>();
  for (const entry of rows) {
    const feature = byFeature.get(entry.featureId) ?? { featureName: entry.featureName, stalls: 0, recovered: 0 };
    feature.stalls += entry.stalls;
    feature.recovered += entry.recovered;
    byFeature.set(entry.featureId, feature);
  }
  return [...byFeature.values()].sort((a, b) => b.stalls - a.stalls || a.featureName.localeCompare(b.featureName));
}

function windowLine(reports: ImpactReports): SafeHtml {
  const { filter } = reports;
  return html`<div class="meta">
    Window ${filter.from} – ${filter.to}${filter.segment ? `, segment ${filter.segment}` : ''}${filter.csm ? `, CSM ${filter.csm}` : ''};
    measured as of ${reports.asOf}. Definitions: docs/impact.md.
  </div>`;
}

function filterForm(filter: ImpactFilter, segments: string[]): SafeHtml {
  return html`<form method="get" action="/reports" class="filters">
    <label>from <input type="date" name="from" value="${filter.from}" /></label>
    <label>to <input type="date" name="to" value="${filter.to}" /></label>
    <label
      >segment
      <select name="segment">
        <option value="">all</option>
        ${segments.map((segment) => html`<option value="${segment}" ${raw(segment === filter.segment ? 'selected' : '')}>${segment}</option>`)}
      </select></label
    >
    <label>CSM <input type="text" name="csm" value="${filter.csm ?? ''}" placeholder="name or e-mail" /></label>
    <button type="submit">Show</button>
  </form>`;
}

function successMetricsSection(report: SuccessMetricsReport): SafeHtml {
  const unit = (metric: { unit: string }) => (metric.unit === '%' ? '%' : ' pts');
  return html`<section id="success-metrics">
    <h2>PRD success metrics against their targets</h2>
    ${targetChart(
      report.metrics.map((metric) => ({
        label: metric.label.split(' (')[0],
        value: metric.value,
        target: metric.target,
        unit: metric.unit,
        met: metric.met,
        missing: metric.noData ? 'no data' : 'not computable',
      })),
      { title: 'Success metrics against targets' },
    )}
    ${table(
      ['metric', 'baseline', 'now', 'change', 'target', 'note'],
      report.metrics.map(
        (metric) =>
          html`<tr data-metric="${metric.id}">
            <td>${metric.label}</td>
            <td>${metric.baseline ?? '–'}</td>
            <td>${metric.current ?? '–'}</td>
            <td>${metric.value === null ? (metric.noData ? 'no data' : '–') : `${metric.value}${unit(metric)}`}</td>
            <td>${metric.target > 0 ? '+' : ''}${metric.target}${unit(metric)}</td>
            <td class="note">${metric.note}</td>
          </tr>`,
      ),
      'Success metrics',
    )}
  </section>`;
}

function stallsSection(stalls: StallsBySegmentRow[]): SafeHtml {
  return html`<section id="stalls">
    <h2>Which features stall most</h2>
    ${barChart(
      stallsByFeature(stalls).map((feature) => ({
        label: feature.featureName,
        value: feature.stalls,
        text: `${feature.stalls} stalls, ${feature.recovered} recovered`,
      })),
      { title: 'Stalls per feature', colour: '#d97706' },
    )}
    ${table(
      ['feature', 'segment', 'stalls', 'median days to stall', 'recovered', 'recovery rate'],
      stalls.map((entry) =>
        row([entry.featureName, entry.segment, entry.stalls, entry.medianDaysToStall ?? '–', entry.recovered, percent(entry.recoveryRate)]),
      ),
      'Stalls by feature and segment',
    )}
  </section>`;
}

function liftSentence(lift: LiftReport): string {
  const difference = lift.lift
    ? `${lift.lift.difference >= 0 ? '+' : ''}${points(lift.lift.difference)} points (95% CI ${points(lift.lift.low)} to ${points(lift.lift.high)})`
    : 'no data yet';
  return (
    `Recovery ${lift.checkpointDays} days after the stall: treated ${lift.treated.recovered}/${lift.treated.features} ` +
    `(${percent(lift.treated.recoveryRate)}), holdout ${lift.holdout.recovered}/${lift.holdout.features} ` +
    `(${percent(lift.holdout.recoveryRate)}); lift ${difference}. Holdout share ${lift.holdoutPercent}%; ${lift.pending} still to measure.`
  );
}

function heldOutTable(heldOut: HoldoutRow[]): SafeHtml {
  if (heldOut.length === 0) return html`<div class="note">none in this window</div>`;
  return table(
    ['customer', 'feature', 'CSM', 'stalled on'],
    heldOut.map((entry) =>
      row([html`${entry.customerName} <span class="holdout">holdout</span>`, entry.featureName, entry.csm ?? '–', entry.stalledOn]),
    ),
    'Held out',
  );
}

function liftSection(lift: LiftReport, heldOut: HoldoutRow[]): SafeHtml {
  return html`<section id="lift">
    <h2>Lift against the holdout</h2>
    <div class="note">${liftSentence(lift)}</div>
    ${intervalChart(lift.lift, { title: 'Lift: recovery rate treated minus holdout, 95% interval (percentage points)', width: 470 })}
    <h2 class="continued">Held out (no automatic outreach)</h2>
    ${heldOutTable(heldOut)}
  </section>`;
}

function outcomeSection(id: string, groups: OutcomeGroup[], by: { heading: string; column: string; chartTitle: string; colour: string }): SafeHtml {
  return html`<section id="${id}">
    <h2>${by.heading}</h2>
    ${barChart(
      groups.map((group) => ({
        label: group.key,
        value: group.successRate === null ? null : Math.round(group.successRate * 100),
        text: `${percent(group.successRate)} of ${group.successful + group.unsuccessful} measured`,
      })),
      { title: by.chartTitle, max: 100, colour: by.colour },
    )}
    ${table(
      [by.column, 'interventions', 'successful', 'unsuccessful', 'pending', 'success rate', 'avg effectiveness', 'queued emails'],
      groups.map((group) =>
        row([
          group.key,
          group.total,
          group.successful,
          group.unsuccessful,
          group.pending,
          percent(group.successRate),
          group.avgEffectivenessScore ?? '–',
          group.queued,
        ]),
      ),
      by.heading,
    )}
  </section>`;
}

function resourcesSection(resources: ResourceRecoveryRow[]): SafeHtml {
  return html`<section id="resources">
    <h2>Resources that preceded recovery</h2>
    ${barChart(
      resources.slice(0, 10).map((entry) => ({
        label: entry.url.replace(/^https?:\/\//, ''),
        value: entry.recovered,
        text: `${entry.recovered} of ${entry.shared} recovered`,
      })),
      { title: 'Recoveries after each shared resource', colour: '#0891b2' },
    )}
  </section>`;
}

function medianDaysSection(stalls: StallsBySegmentRow[]): SafeHtml {
  return html`<section id="median-days">
    <h2>Median days from activation to stall</h2>
    ${barChart(
      stalls.map((entry) => ({ label: `${entry.featureName} (${entry.segment})`, value: entry.medianDaysToStall })),
      { title: 'Median days to stall by feature and segment', colour: '#64748b' },
    )}
  </section>`;
}

/** The whole page; `segments` are the filter's choices. */
export function renderReportsPage(reports: ImpactReports, options: { segments: string[] } = { segments: [] }): string {
  return htmlDocument(
    'Adoption impact reports',
    'reports',
    html`<h1>Adoption impact</h1>
      ${windowLine(reports)} ${filterForm(reports.filter, options.segments)} ${successMetricsSection(reports.successMetrics)}
      <div class="grid">
        ${stallsSection(reports.stalls)} ${liftSection(reports.lift, reports.heldOut)}
        ${outcomeSection('outcomes-by-type', reports.outcomes.byType, {
          heading: 'Intervention outcomes by type',
          column: 'type',
          chartTitle: 'Success rate by intervention type (%)',
          colour: '#16a34a',
        })}
        ${outcomeSection('outcomes-by-csm', reports.outcomes.byPerformer, {
          heading: 'Intervention outcomes by CSM',
          column: 'performed by',
          chartTitle: 'Success rate by CSM (%)',
          colour: '#7c3aed',
        })}
        ${resourcesSection(reports.resources)} ${medianDaysSection(reports.stalls)}
      </div>`,
  );
}
