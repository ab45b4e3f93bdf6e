import { customerSummary, formatDate, idWords, stageLabel } from '../../adoption/model/labels';
import type { CustomerAdoptionDetails, FeatureAdoptionView } from '../../adoption/read-models/customer-adoption';
import { utcDaysBetween } from '../../adoption/read-models/customer-adoption';
import { html, htmlDocument, raw, sparkline, type SafeHtml } from './html';
import type { FeatureEngagement } from '../../adoption/engagement';
import { trendChart } from './svg-chart';

/**
 * The CSM's adoption view of one customer, rendered on the server (no client framework, no
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
      ${
        feature.activatedAt
          ? html`<dt>Since activation</dt>
              <dd>Day ${utcDaysBetween(new Date(feature.activatedAt), now)} (activated ${formatDate(feature.activatedAt) ?? ''})</dd>`
          : ''
      }
      <dt>Days in current stage</dt>
      <dd>${days}</dd>
      ${
        feature.stageSince
          ? html`<dt>${stageLabel(feature.stage)} since</dt>
              <dd>${formatDate(feature.stageSince) ?? ''}</dd>`
          : ''
      }
      <dt>Last used</dt>
      <dd>${when(feature.lastUsedAt, now)}</dd>
      <dt>Resources</dt>
      <dd>${resources.length} available</dd>
      <dt>Engagement</dt>
      <dd>${engagementLine(engagement)}</dd>
      ${
        feature.interventionSentAt
          ? html`<dt>Last intervention</dt>
              <dd>
                ${idWords(feature.interventionType ?? 'intervention')},
                ${details.queuedInterventionFeatureIds.has(feature.featureId) ? 'queued in the outbox since' : ''}
                ${formatDate(feature.interventionSentAt) ?? ''}
              </dd>`
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

/** `flash.csrfToken`: the anti-forgery token every form of the page carries (web/csrf.ts). */
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
  return htmlDocument(
    `${customer.name}: feature adoption`,
    'adoption',
    html`<h1>${customer.name}: feature adoption</h1>
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
          ${trendChart(trend, {
            title:
              trend.length > 0
                ? `Overall adoption score from ${trend[0].asOf.slice(0, 10)} to ${trend[trend.length - 1].asOf.slice(0, 10)}, now ${trend[trend.length - 1].score}`
                : 'Overall adoption trend: no history yet',
          })}
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
      <footer>As of ${formatDate(now.toISOString()) ?? ''} · JSON: /api/customers/${customer.id}/feature-adoption</footer>`,
  );
}
