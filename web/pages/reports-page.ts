import type { Db } from '../../db/database';
import { liftReport, type ImpactFilter, type LiftReport } from '../../adoption/holdout';
import { successMetrics, type SuccessMetricsReport } from '../../adoption/metrics';
import { html, raw, type SafeHtml } from './html';
import {
  holdoutList,
  interventionOutcomes,
  resourcesBeforeRecovery,
  stallsBySegment,
  type HoldoutRow,
  type OutcomeGroup,
  type ResourceRecoveryRow,
  type StallsBySegmentRow,
} from '../../adoption/read-models/reports';
import { barChart, intervalChart, targetChart } from './svg-chart';

/**
 * The reports page (US-4, US-5, FR-4.4): `GET /reports?from&to&segment&csm`, HTML with server-rendered SVG charts,
 * no script. The same figures are JSON at `/api/reports/impact`.
 */
export interface ImpactReports {
  filter: ImpactFilter;
  asOf: string;
  stalls: StallsBySegmentRow[];
  outcomes: { byType: OutcomeGroup[]; byPerformer: OutcomeGroup[] };
  resources: ResourceRecoveryRow[];
  lift: LiftReport;
  heldOut: HoldoutRow[];
  successMetrics: SuccessMetricsReport;
}

export async function loadImpactReports(db: Db, filter: ImpactFilter, today: string): Promise<ImpactReports> {
  return {
    filter,
    asOf: today,
    stalls: (await stallsBySegment(db, filter)).rows,
    outcomes: await interventionOutcomes(db, filter),
    resources: (await resourcesBeforeRecovery(db, filter)).resources,
    lift: await liftReport(db, filter, today),
    heldOut: (await holdoutList(db, filter)).heldOut,
    successMetrics: await successMetrics(db, filter, today),
  };
}

const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 1000) / 10}%`);

/** Stalls per feature over all segments, for the "which features stall most" chart. */
function stallsByFeature(rows: StallsBySegmentRow[]): Array<{ featureName: string; stalls: number; recovered: number }> {
  const byFeature = new Map<string, { featureName: string; stalls: number; recovered: number }>();
  for (const row of rows) {
    const entry = byFeature.get(row.featureId) ?? { featureName: row.featureName, stalls: 0, recovered: 0 };
    entry.stalls += row.stalls;
    entry.recovered += row.recovered;
    byFeature.set(row.featureId, entry);
  }
  return [...byFeature.values()].sort((a, b) => b.stalls - a.stalls || a.featureName.localeCompare(b.featureName));
}

function outcomeTable(groups: OutcomeGroup[], heading: string): SafeHtml {
  return html`<table>
    <thead>
      <tr>
        <th>${heading}</th>
        <th>interventions</th>
        <th>successful</th>
        <th>unsuccessful</th>
        <th>pending</th>
        <th>success rate</th>
        <th>avg effectiveness</th>
        <th>queued emails</th>
      </tr>
    </thead>
    <tbody>
      ${groups.map(
        (group) =>
          html`<tr>
            <td>${group.key}</td>
            <td>${group.total}</td>
            <td>${group.successful}</td>
            <td>${group.unsuccessful}</td>
            <td>${group.pending}</td>
            <td>${percent(group.successRate)}</td>
            <td>${group.avgEffectivenessScore ?? '–'}</td>
            <td>${group.queued}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function renderReportsPage(reports: ImpactReports, options: { segments: string[] } = { segments: [] }): string {
  const { filter, lift } = reports;
  const features = stallsByFeature(reports.stalls);
  const liftText = lift.lift
    ? `${lift.lift.difference >= 0 ? '+' : ''}${Math.round(lift.lift.difference * 1000) / 10} points (95% CI ${Math.round(lift.lift.low * 1000) / 10} to ${Math.round(lift.lift.high * 1000) / 10})`
    : 'no data yet';
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Adoption impact reports</title>
        <style>
          body {
            font-family: system-ui, sans-serif;
            margin: 24px;
            color: #0f172a;
            max-width: 1180px;
          }
          h1 {
            margin: 0 0 4px;
            font-size: 22px;
          }
          h2 {
            font-size: 16px;
            margin: 0 0 8px;
          }
          .meta {
            color: #475569;
            font-size: 13px;
            margin-bottom: 16px;
          }
          form {
            display: flex;
            gap: 10px;
            align-items: end;
            flex-wrap: wrap;
            margin-bottom: 16px;
            font-size: 13px;
          }
          form label {
            display: flex;
            flex-direction: column;
            gap: 2px;
          }
          .grid {
            display: grid;
            grid-template-columns: repeat(auto-fit, minmax(500px, 1fr));
            gap: 16px;
          }
          section {
            border: 1px solid #e2e8f0;
            border-radius: 8px;
            padding: 12px 14px;
            background: #fff;
            overflow-x: auto;
          }
          table {
            border-collapse: collapse;
            font-size: 12px;
            width: 100%;
            margin-top: 8px;
          }
          th,
          td {
            text-align: left;
            padding: 3px 6px;
            border-bottom: 1px solid #f1f5f9;
          }
          .note {
            font-size: 12px;
            color: #475569;
          }
          .holdout {
            background: #fef3c7;
            border-radius: 4px;
            padding: 0 4px;
            font-size: 11px;
          }
        </style>
      </head>
      <body>
        <h1>Adoption impact</h1>
        <div class="meta">
          Window ${filter.from} – ${filter.to}${filter.segment ? `, segment ${filter.segment}` : ''}${filter.csm ? `, CSM ${filter.csm}` : ''};
          measured as of ${reports.asOf}. Definitions: docs/impact.md.
        </div>
        <form method="get" action="/reports">
          <label>from <input type="date" name="from" value="${filter.from}" /></label>
          <label>to <input type="date" name="to" value="${filter.to}" /></label>
          <label
            >segment
            <select name="segment">
              <option value="">all</option>
              ${options.segments.map((segment) => html`<option value="${segment}" ${raw(segment === filter.segment ? 'selected' : '')}>${segment}</option>`)}
            </select></label
          >
          <label>CSM <input type="text" name="csm" value="${filter.csm ?? ''}" placeholder="name or e-mail" /></label>
          <button type="submit">Show</button>
        </form>

        <section id="success-metrics">
          <h2>PRD success metrics against their targets</h2>
          ${targetChart(
            reports.successMetrics.metrics.map((metric) => ({
              label: metric.label.split(' (')[0],
              value: metric.value,
              target: metric.target,
              unit: metric.unit,
              met: metric.met,
              missing: metric.noData ? 'no data' : 'not computable',
            })),
            { title: 'Success metrics against targets' },
          )}
          <table>
            <thead>
              <tr>
                <th>metric</th>
                <th>baseline</th>
                <th>now</th>
                <th>change</th>
                <th>target</th>
                <th>note</th>
              </tr>
            </thead>
            <tbody>
              ${reports.successMetrics.metrics.map(
                (metric) =>
                  html`<tr data-metric="${metric.id}">
                    <td>${metric.label}</td>
                    <td>${metric.baseline ?? '–'}</td>
                    <td>${metric.current ?? '–'}</td>
                    <td>${metric.value === null ? (metric.noData ? 'no data' : '–') : `${metric.value}${metric.unit === '%' ? '%' : ' pts'}`}</td>
                    <td>${metric.target > 0 ? '+' : ''}${metric.target}${metric.unit === '%' ? '%' : ' pts'}</td>
                    <td class="note">${metric.note}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>

        <div class="grid" style="margin-top:16px">
          <section id="stalls">
            <h2>Which features stall most</h2>
            ${barChart(
              features.map((feature) => ({
                label: feature.featureName,
                value: feature.stalls,
                text: `${feature.stalls} stalls, ${feature.recovered} recovered`,
              })),
              { title: 'Stalls per feature', colour: '#d97706' },
            )}
            <table>
              <thead>
                <tr>
                  <th>feature</th>
                  <th>segment</th>
                  <th>stalls</th>
                  <th>median days to stall</th>
                  <th>recovered</th>
                  <th>recovery rate</th>
                </tr>
              </thead>
              <tbody>
                ${reports.stalls.map(
                  (row) =>
                    html`<tr>
                      <td>${row.featureName}</td>
                      <td>${row.segment}</td>
                      <td>${row.stalls}</td>
                      <td>${row.medianDaysToStall ?? '–'}</td>
                      <td>${row.recovered}</td>
                      <td>${percent(row.recoveryRate)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </section>

          <section id="lift">
            <h2>Lift against the holdout</h2>
            <div class="note">
              Recovery ${lift.checkpointDays} days after the stall: treated ${lift.treated.recovered}/${lift.treated.features}
              (${percent(lift.treated.recoveryRate)}), holdout ${lift.holdout.recovered}/${lift.holdout.features}
              (${percent(lift.holdout.recoveryRate)}); lift ${liftText}. Holdout share ${lift.holdoutPercent}%; ${lift.pending} still to measure.
            </div>
            ${intervalChart(lift.lift, { title: 'Lift: recovery rate treated minus holdout, 95% interval (percentage points)', width: 470 })}
            <h2 style="margin-top:10px">Held out (no automatic outreach)</h2>
            ${
              reports.heldOut.length
                ? html`<table>
                    <thead>
                      <tr>
                        <th>customer</th>
                        <th>feature</th>
                        <th>CSM</th>
                        <th>stalled on</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${reports.heldOut.map(
                        (row) =>
                          html`<tr>
                            <td>${row.customerName} <span class="holdout">holdout</span></td>
                            <td>${row.featureName}</td>
                            <td>${row.csm ?? '–'}</td>
                            <td>${row.stalledOn}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
                : html`<div class="note">none in this window</div>`
            }
          </section>

          <section id="outcomes-by-type">
            <h2>Intervention outcomes by type</h2>
            ${barChart(
              reports.outcomes.byType.map((group) => ({
                label: group.key,
                value: group.successRate === null ? null : Math.round(group.successRate * 100),
                text: `${percent(group.successRate)} of ${group.successful + group.unsuccessful} measured`,
              })),
              { title: 'Success rate by intervention type (%)', max: 100, colour: '#16a34a' },
            )}
            ${outcomeTable(reports.outcomes.byType, 'type')}
          </section>

          <section id="outcomes-by-csm">
            <h2>Intervention outcomes by CSM</h2>
            ${barChart(
              reports.outcomes.byPerformer.map((group) => ({
                label: group.key,
                value: group.successRate === null ? null : Math.round(group.successRate * 100),
                text: `${percent(group.successRate)} of ${group.successful + group.unsuccessful} measured`,
              })),
              { title: 'Success rate by CSM (%)', max: 100, colour: '#7c3aed' },
            )}
            ${outcomeTable(reports.outcomes.byPerformer, 'performed by')}
          </section>

          <section id="resources">
            <h2>Resources that preceded recovery</h2>
            ${barChart(
              reports.resources.slice(0, 10).map((row) => ({
                label: row.url.replace(/^https?:\/\//, ''),
                value: row.recovered,
                text: `${row.recovered} of ${row.shared} recovered`,
              })),
              { title: 'Recoveries after each shared resource', colour: '#0891b2' },
            )}
          </section>

          <section id="median-days">
            <h2>Median days from activation to stall</h2>
            ${barChart(
              reports.stalls.map((row) => ({ label: `${row.featureName} (${row.segment})`, value: row.medianDaysToStall })),
              { title: 'Median days to stall by feature and segment', colour: '#64748b' },
            )}
          </section>
        </div>
      </body>
    </html>`;
  return page.value;
}
