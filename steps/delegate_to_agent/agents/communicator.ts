import { stepKey } from '../../../adoption/model/run-facts';
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ApplicationFailure } from '@temporalio/common';
import type { JsonValue } from '../../../definitions/language/types';
import type { SignalFeature } from '../../../adoption/model/run-facts';
import type { EmailDraftResult } from './contracts';
import { currentTime, type ActivityDeps } from '../../activity-deps';
import { normaliseResources, rankResources } from '../../../adoption/model/resources';
import { joinWords } from '../../../definitions/language/wording';
import { resourcesAlreadyHad } from '../../../adoption/engagement';
import type { AgentRequest } from './index';
import { trackedResourceUrl } from '../../../channels/signed-links';
import { bookingLink } from '../../../adoption/bookings';
import { storeDraft } from '../../../adoption/drafts';
import { catalogBenefit } from '../../../adoption/research';

/**
 * Built-in `communicator/draft_email`: renders PRD-090 10.1 (templates/feature-enablement-email.hbs) and stores the
 * draft. The draft row is keyed by workflow id + step id, so a retried activity returns the draft the
 * first attempt stored (same id, same text) instead of a second one.
 */
const TEMPLATES: Record<string, string> = { feature_enablement: 'feature-enablement-email.hbs' };

// `tsc` does not copy .hbs files into dist/, so a compiled build reads the template from the package's source tree.
function templatePath(file: string): string {
  const candidates = [
    path.join(__dirname, 'templates', file),
    path.join(__dirname, '..', '..', '..', '..', 'steps', 'delegate_to_agent', 'agents', 'templates', file),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`email template ${file} not found (looked in ${candidates.join(', ')})`);
  return found;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();
function compileTemplate(name: string): Handlebars.TemplateDelegate {
  const file = TEMPLATES[name];
  if (!file) {
    throw ApplicationFailure.create({
      message: `unknown email template ${JSON.stringify(name)}; known: ${Object.keys(TEMPLATES).join(', ')}`,
      type: 'UnknownTemplate',
      nonRetryable: true,
    });
  }
  let template = compiled.get(name);
  if (!template) {
    // Plain-text email: HTML-escaping would turn "R&D" into "R&amp;D" in the customer's inbox.
    template = Handlebars.compile(fs.readFileSync(templatePath(file), 'utf8'), { noEscape: true, strict: false });
    compiled.set(name, template);
  }
  return template;
}

/** Split the template's first "Subject:" line from the body. */
export function renderEmail(templateName: string, values: Record<string, unknown>): { subject: string; body: string } {
  const rendered = compileTemplate(templateName)(values);
  const match = /^Subject:[ \t]*(.*)\r?\n/.exec(rendered);
  if (!match) return { subject: '', body: rendered.trim() + '\n' };
  return {
    subject: match[1].trim(),
    body:
      rendered
        .slice(match[0].length)
        .replace(/^\s*\n/, '')
        .trimEnd() + '\n',
  };
}

// When the catalog has no key_benefit, a sentence fragment by category still reads naturally after "help you".
const BENEFIT_BY_CATEGORY: Array<[RegExp, string]> = [
  [/analytic|insight|dashboard/i, 'turn your data into decisions faster'],
  [/report/i, 'share results with stakeholders without manual reporting work'],
  [/integrat|api|connector/i, 'connect the tools you already use and cut manual data entry'],
  [/automat|workflow/i, 'automate repetitive work so your team can focus on what matters'],
  [/collab|team|communicat/i, 'keep your team aligned in one place'],
  [/secur|admin|compliance|governance/i, 'keep your account secure and easy to manage'],
];
export function keyBenefitFor(keyBenefit: string | null | undefined, category: string | null | undefined): string {
  if (keyBenefit && keyBenefit.trim()) return keyBenefit.trim();
  for (const [pattern, benefit] of BENEFIT_BY_CATEGORY) if (category && pattern.test(category)) return benefit;
  return 'get more value from what you already have';
}

/** At most this many features are named in a subject; more are counted ("A, B and 3 more features"). */
const MAX_NAMES_IN_SUBJECT = 3;
/** A subject longer than this is cut (between graphemes): mail clients show about 60-80 characters. */
const MAX_SUBJECT = 120;

export function subjectFeatureName(names: string[]): string {
  if (names.length <= MAX_NAMES_IN_SUBJECT) return joinWords(names) || 'this feature';
  const named = MAX_NAMES_IN_SUBJECT - 1;
  return `${names.slice(0, named).join(', ')} and ${names.length - named} more features`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
function shortSubject(subject: string): string {
  if (subject.length <= MAX_SUBJECT) return subject;
  let kept = '';
  for (const { segment } of graphemes.segment(subject)) {
    if (kept.length + segment.length > MAX_SUBJECT - 1) break;
    kept += segment;
  }
  return `${kept.trimEnd()}…`;
}

/** "[Schedule a Session]" as a signed, expiring link to the booking page, when links are configured. */
async function bookingUrl(deps: ActivityDeps, customerId: string, workflowId: string): Promise<string | null> {
  if (!deps.links) return null;
  return (await bookingLink(deps.links, { customerId, workflowId }, currentTime(deps))).url;
}

export async function draftEmail(deps: ActivityDeps, request: AgentRequest): Promise<JsonValue> {
  const { context, params, input } = request;
  const templateName = typeof params.template === 'string' ? params.template : 'feature_enablement';
  // Every stalled feature of the signal, unless the definition names one (`feature_id`).
  const named = typeof params.feature_id === 'string' ? input.features.filter((feature) => feature.featureId === params.feature_id) : [];
  const features = named.length ? named : input.features;
  const primary = features[0];
  const sections = await featureSections(deps, request, features);

  const featureName = stringOr(params.feature_name, joinWords(features.map((feature) => feature.featureName)) || 'this feature');
  const championName = stringOr(params.champion_name, input.customer.champion.name ?? 'there');
  const csmName = stringOr(params.csm_name, input.customer.csm.name ?? 'Your Customer Success team');
  const keyBenefit = stringOr(params.key_benefit, '') || sections[0]?.key_benefit || keyBenefitFor(null, primary?.category);
  const values = {
    champion_name: championName,
    feature_name: featureName,
    key_benefit: keyBenefit,
    // One feature: the PRD's paragraph, worded for its stage; several: a short note on each with its own benefit.
    not_started: sections.length === 1 && sections[0].not_started,
    churned: sections.length === 1 && sections[0].churned,
    several: sections.length > 1,
    features: sections,
    resources: sections.flatMap((section) => section.resources),
    csm_name: csmName,
    customer_name: input.customer.name,
    booking_url: await bookingUrl(deps, input.customer.id, context.workflowId),
  };
  const { body } = renderEmail(templateName, values);
  // The body names every feature; the subject names a few and counts the rest, so it stays short.
  const subjectName =
    typeof params.feature_name === 'string' && params.feature_name ? featureName : subjectFeatureName(features.map((f) => f.featureName));
  const subject = shortSubject(renderEmail(templateName, { ...values, feature_name: subjectName }).subject);

  const requiresApproval = params.requires_approval === true;
  const toEmail = stringOr(params.to, input.customer.champion.email ?? '') || null;
  const toName = input.customer.champion.name;
  const row = await storeDraft(deps.db, {
    idempotencyKey: stepKey(context.workflowId, context.stepId),
    workflowId: context.workflowId,
    stepId: context.stepId,
    customerId: context.customerId || input.customer.id,
    featureIds: context.featureIds.length ? context.featureIds : input.features.map((f) => f.featureId),
    toEmail,
    toName,
    fromEmail: input.customer.csm.email,
    subject,
    body,
    status: requiresApproval ? 'pending_approval' : 'draft',
  });
  const stored = row.status === 'pending_approval' || row.status === 'draft' ? row.status : requiresApproval ? 'pending_approval' : 'draft';
  const result: EmailDraftResult = {
    draftId: row.id,
    to: { name: row.toName, email: row.toEmail },
    subject: row.subject,
    body: row.body,
    status: stored,
    requiresApproval: stored === 'pending_approval',
  };
  return result as unknown as JsonValue;
}

interface FeatureSection {
  name: string;
  not_started: boolean;
  /** Used regularly before and dropped away since: worded as a return, not as a first try. */
  churned: boolean;
  key_benefit: string;
  resources: Array<{ title: string; url: string }>;
}

/**
 * Per feature: its own key benefit, whether anyone used it at all (never "started exploring" about an unused one),
 * and its resources ranked for its stage and stall without what the customer already had, each link through
 * the tracked redirect. `resources` from the definition ({{resources}}, a catalog query result) narrows the catalog's
 * list; a resource of no feature's catalog goes with the first feature.
 */
async function featureSections(deps: ActivityDeps, request: AgentRequest, features: SignalFeature[]): Promise<FeatureSection[]> {
  const { context, params, input } = request;
  const now = currentTime(deps);
  const given = normaliseResources(params.resources);
  const givenUrls = given ? new Set(given.map((resource) => resource.url)) : null;
  const catalogUrls = new Set(features.flatMap((feature) => (feature.resources ?? []).map((resource) => resource.url)));
  const had = await resourcesAlreadyHad(deps.db, input.customer.id);
  const sections: FeatureSection[] = [];
  for (const [index, feature] of features.entries()) {
    const catalog = await catalogFacts(deps, feature);
    let list = (feature.resources ?? []).filter((resource) => !givenUrls || givenUrls.has(resource.url));
    if (index === 0 && given) list = [...list, ...given.filter((resource) => !catalogUrls.has(resource.url))];
    const ranked = rankResources(list, { stage: feature.stage, rule: feature.rule }, had.get(feature.featureId) ?? new Set(), now);
    const resources: FeatureSection['resources'] = [];
    for (const resource of ranked) {
      const url = await trackedResourceUrl(
        deps.links,
        { customerId: input.customer.id, featureId: feature.featureId, url: resource.url, workflowId: context.workflowId },
        now,
      );
      resources.push({ title: resource.title, url });
    }
    sections.push({
      name: feature.featureName,
      not_started: feature.stage === 'not_started' && !(feature.usageScore > 0),
      churned: feature.stage === 'churned',
      key_benefit: keyBenefitFor(catalog.keyBenefit, catalog.category),
      resources,
    });
  }
  return sections;
}

async function catalogFacts(deps: ActivityDeps, feature: SignalFeature): Promise<{ keyBenefit: string | null; category: string | null }> {
  if (feature.keyBenefit) return { keyBenefit: feature.keyBenefit, category: feature.category ?? null };
  const catalog = await catalogBenefit(deps.db, feature.featureId);
  return { keyBenefit: catalog?.keyBenefit ?? null, category: catalog?.category ?? feature.category ?? null };
}

function stringOr(value: JsonValue | undefined, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value : fallback;
}
