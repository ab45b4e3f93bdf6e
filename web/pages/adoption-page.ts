import { customerSummary, formatDate, idWords, stageLabel } from '../../adoption/model/labels';
import type { CustomerAdoptionDetails, FeatureAdoptionView } from '../../adoption/read-models/customer-adoption';
import { utcDaysBetween } from '../../adoption/read-models/customer-adoption';
import { html, htmlDocument, raw, sparkline, type SafeHtml } from './html';
import type { FeatureEngagement } from '../../adoption/engagement';

/**
 * PRD-090 5.2 / 5.3: the CSM's adoption view of one customer, rendered on the server (no client framework, no
 * script). Overall score with its trend, then a card per feature: icon, name, stage badge, usage meter, days in the
 * current stage, last used, resource count, a per-feature trend and a "Send Resources" button that records a
 * resource_share intervention. Stalled features come first, in the warning colour.
 */

const STAGE_CLASSES: Record<string, string> = {
  not_started: 'stage-not-started',
  started: 'stage-started',
  engaged: 'stage-engaged',
  adopted: 'stage-adopted',
  churned: 'stage-churned',
};

const CATEGORY_COLOURS = ['#2563eb', '#7c3aed', '#0891b2', '#db2777', '#ea580c', '#16a34a', '#4f46e5'];

function colourOf(key: string): string {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return CATEGORY_COLOURS[hash % CATEGORY_COLOURS.length];
}

/** The feature's icon: its initial on a disc coloured by category. */
function icon(feature: FeatureAdoptionView): SafeHtml {
  const initial = (feature.featureName.trim()[0] ?? '?').toUpperCase();
  return html`<svg class="icon" width="36" height="36" viewBox="0 0 36 36" aria-hidden="true">
    <circle cx="18" cy="18" r="18" fill="${colourOf(feature.category ?? feature.featureId)}" />
    <text x="18" y="23.5" text-anchor="middle" font-size="16" font-weight="600" fill="#fff">${initial}</text>
  </svg>`;
}

function meter(score: number, label: string): SafeHtml {
  const value = Math.max(0, Math.min(100, Math.round(score)));
  const level = value >= 60 ? 'high' : value >= 20 ? 'mid' : 'low';
  return html`<div
    class="meter meter-${level}"
    role="progressbar"
    aria-label="${label}"
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow="${value}"
  >
    <span style="width: ${value}%"></span>
  </div>`;
}

function when(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const date = formatDate(iso) ?? iso;
  const days = utcDaysBetween(new Date(iso), now);
  return `${date} (${days === 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`})`;
}

/** "Not needed" (with its reason) or, once marked, the way back; both post to the audited not-needed route. */
function notNeededForm(feature: FeatureAdoptionView, customerId: string, csrfToken: string): SafeHtml {
  const action = `/customers/${encodeURIComponent(customerId)}/features/${encodeURIComponent(feature.featureId)}/not-needed`;
  const id = `nn-${feature.id}`;
  if (feature.notNeeded) {
    return html`<form method="post" action="${action}" class="not-needed-form">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <input type="hidden" name="notNeeded" value="false" />
      <button type="submit" class="quiet">Needed again</button>
    </form>`;
  }
  return html`<form method="post" action="${action}" class="not-needed-form">
    <input type="hidden" name="_csrf" value="${csrfToken}" />
    <input type="hidden" name="notNeeded" value="true" />
    <label for="${id}-reason">Not needed because</label>
    <input type="text" id="${id}-reason" name="reason" required maxlength="2000" />
    <button type="submit" class="quiet">Not needed</button>
  </form>`;
}

/** What the customer did with what was shared (resource_engagement: emails sent, tracked-link clicks, completions). */
function engagementLine(engagement: FeatureEngagement | undefined): string {
  if (!engagement) return 'nothing shared yet';
  const part = (count: number, word: string) => `${count} ${word}`;
  return [
    part(engagement.sent, 'sent'),
    part(engagement.clicks, engagement.clicks === 1 ? 'click' : 'clicks'),
    part(engagement.completions, 'completed'),
  ].join(' · ');
}

function card(
  feature: FeatureAdoptionView,
  details: CustomerAdoptionDetails,
  now: Date,
  csrfToken: string,
  heldOut: boolean,
  engagement: FeatureEngagement | undefined,
): SafeHtml {
  const resources = details.resourcesByFeature.get(feature.featureId) ?? [];
  const trend = details.featureTrends.get(feature.featureId) ?? [];
  const classes = ['card', feature.isStalled ? 'stalled' : '', feature.notNeeded ? 'not-needed' : ''].filter(Boolean).join(' ');
  const days = feature.daysInCurrentStage === null ? 'unknown' : `${feature.daysInCurrentStage} day${feature.daysInCurrentStage === 1 ? '' : 's'}`;
  const shareDetails = `Shared ${resources.length} training resource${resources.length === 1 ? '' : 's'} for ${feature.featureName} from the adoption page`;
  return html`<article class="${classes}" data-feature-id="${feature.featureId}">
    <header>
      ${icon(feature)}
      <div class="title">
        <h3>${feature.featureName}</h3>
        <span class="badge ${STAGE_CLASSES[feature.stage] ?? 'stage-other'}">${stageLabel(feature.stage)}</span>
        ${feature.isStalled ? html`<span class="badge badge-stalled">Stalled</span>` : ''}
        ${feature.notNeeded ? html`<span class="badge badge-muted">Not needed</span>` : ''}
        ${
          heldOut
            ? html`<span class="badge badge-holdout" title="Held out of automatic outreach to measure lift (docs/impact.md)">Holdout</span>`
            : ''
        }
      </div>
    </header>
    <div class="score-row">
      ${meter(feature.usageScore, `${feature.featureName} usage score`)}<span class="score">${feature.usageScore}/100</span>
    </div>
    <dl>
      <dt>Days in current stage</dt>
      <dd>${days}</dd>
      <dt>Last used</dt>
      <dd>${when(feature.lastUsedAt, now)}</dd>
      <dt>Resources</dt>
      <dd>${resources.length} available</dd>
      <dt>Engagement</dt>
      <dd>${engagementLine(engagement)}</dd>
      ${
        feature.interventionSentAt
          ? html`<dt>Last intervention</dt>
              <dd>${idWords(feature.interventionType ?? 'intervention')}, ${formatDate(feature.interventionSentAt) ?? ''}</dd>`
          : ''
      }
    </dl>
    <div class="trend">
      ${sparkline(trend, { label: `${feature.featureName} usage score trend`, width: 220, height: 32, stroke: feature.isStalled ? '#d97706' : '#2563eb' })}
    </div>
    <form method="post" action="/customers/${encodeURIComponent(details.customer.id)}/adoption/interventions">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <input type="hidden" name="featureAdoptionId" value="${feature.id}" />
      <input type="hidden" name="interventionType" value="resource_share" />
      <input type="hidden" name="details" value="${shareDetails}" />
      ${resources.map((resource) => html`<input type="hidden" name="resourcesShared" value="${resource.url}" />`)}
      <button type="submit" ${resources.length === 0 ? raw(' disabled title="No training resources in the catalog for this feature"') : ''}>
        Send Resources
      </button>
    </form>
    ${notNeededForm(feature, details.customer.id, csrfToken)}
  </article>`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f1f5f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0}
h2{font-size:15px;margin:0 0 8px;color:#334155}
h3{font-size:15px;margin:0}
.sub{color:#64748b;margin-top:2px}
.summary{display:flex;gap:24px;align-items:center;background:#fff;border-radius:10px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.overall{font-size:40px;font-weight:700;line-height:1}
.overall small{font-size:14px;color:#64748b;font-weight:400}
.summary .meter{width:220px}
.summary .facts{color:#475569}
.flash{background:#ecfdf5;border:1px solid #6ee7b7;color:#065f46;padding:10px 14px;border-radius:8px;margin:12px 0}
.recommendations{background:#fffbeb;border:1px solid #fcd34d;border-radius:10px;padding:12px 18px;margin:12px 0}
.recommendations ul{margin:0;padding-left:18px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.08);border-left:4px solid #cbd5e1;display:flex;flex-direction:column;gap:8px}
.card.stalled{border-left-color:#d97706;background:#fffbeb}
.card.not-needed{opacity:.65}
.card header{display:flex;gap:10px;align-items:center}
.title{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.title h3{width:100%}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:1px 8px;border-radius:999px;background:#e2e8f0;color:#334155}
.stage-started{background:#dbeafe;color:#1e40af}
.stage-engaged{background:#e0e7ff;color:#3730a3}
.stage-adopted{background:#dcfce7;color:#166534}
.stage-churned{background:#fee2e2;color:#991b1b}
.badge-stalled{background:#f59e0b;color:#fff}
.badge-muted{background:#f1f5f9;color:#475569}
.badge-holdout{background:#ede9fe;color:#4c1d95}
.not-needed-form{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.not-needed-form label{font-size:12px;color:#334155;width:100%}
.not-needed-form input[type=text]{flex:1;font:inherit;border:1px solid #64748b;border-radius:6px;padding:4px 6px}
button.quiet,.stalled button.quiet{background:#334155}
button:focus,input:focus{outline:3px solid #f59e0b;outline-offset:2px}
.score-row{display:flex;gap:10px;align-items:center}
.score{font-variant-numeric:tabular-nums;color:#334155;min-width:56px;text-align:right}
.meter{flex:1;height:10px;background:#e2e8f0;border-radius:999px;overflow:hidden}
.meter span{display:block;height:100%;border-radius:999px;background:#2563eb}
.meter-low span{background:#d97706}
.meter-mid span{background:#6366f1}
.meter-high span{background:#16a34a}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0;color:#334155}
dt{color:#64748b}
dd{margin:0}
form{margin:0}
button{font:inherit;font-weight:600;border:0;border-radius:6px;padding:6px 12px;background:#2563eb;color:#fff;cursor:pointer}
.stalled button{background:#d97706}
button[disabled]{background:#cbd5e1;cursor:not-allowed}
.empty{background:#fff;border-radius:10px;padding:20px;color:#64748b}
footer{color:#94a3b8;margin-top:20px;font-size:12px}
`;

/** `flash.csrfToken`: the anti-forgery token every form of the page carries (api/csrf.ts). */
export function renderAdoptionPage(
  details: CustomerAdoptionDetails,
  now: Date,
  flash?: {
    sentFeatureId?: string;
    sentQueued?: boolean;
    csrfToken?: string;
    heldOutFeatureIds?: ReadonlySet<string>;
    engagement?: ReadonlyMap<string, FeatureEngagement>;
  },
): string {
  const { customer, features, stalledFeatures, recommendations, trend } = details;
  const sent = flash?.sentFeatureId ? features.find((feature) => feature.featureId === flash.sentFeatureId) : undefined;
  const overall = details.overallAdoptionScore;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${customer.name}: feature adoption</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h1>${customer.name}: feature adoption</h1>
          <div class="sub">${customerSummary(customer)}</div>
          ${
            sent
              ? html`<div class="flash" role="status">
                  ${
                    flash?.sentQueued
                      ? `Resources for ${sent.featureName} are queued in the outbox: they are sent once email delivery works.`
                      : `Resources for ${sent.featureName} were emailed to the champion.`
                  }
                </div>`
              : ''
          }
          <section class="summary" aria-label="Overall adoption">
            <div>
              <h2>Overall adoption</h2>
              <div class="overall">${overall === null ? '–' : overall}<small>/100</small></div>
            </div>
            ${overall === null ? '' : meter(overall, 'Overall adoption score')}
            <div>
              <h2>Trend (last 90 days)</h2>
              ${sparkline(
                trend.map((point) => point.score),
                { label: 'Overall adoption trend', width: 260, height: 44 },
              )}
            </div>
            <div class="facts">${features.length} feature${features.length === 1 ? '' : 's'} tracked<br />${stalledFeatures.length} stalled</div>
          </section>
          ${
            recommendations.length
              ? html`<section class="recommendations" aria-label="Recommendations">
                  <h2>Recommended next steps</h2>
                  <ul>
                    ${recommendations.map((line) => html`<li>${line}</li>`)}
                  </ul>
                </section>`
              : ''
          }
          ${
            features.length
              ? html`<section class="grid" aria-label="Features">
                  ${features.map((feature) => card(feature, details, now, flash?.csrfToken ?? '', flash?.heldOutFeatureIds?.has(feature.featureId) ?? false, flash?.engagement?.get(feature.featureId)))}
                </section>`
              : html`<div class="empty">No feature adoption tracked for this customer yet.</div>`
          }
          <footer>As of ${formatDate(now.toISOString()) ?? ''} · JSON: /api/customers/${customer.id}/feature-adoption</footer>
        </main>
      </body>
    </html> `;
  return page.value;
}

export function renderErrorPage(status: number, message: string): string {
  return htmlDocument(
    String(status),
    STYLE,
    html`<h1>${status}</h1>
    <p class="empty">${message}</p>`,
  );
}
