import type { AdoptionGapAnalysis } from '../../delegate_to_agent/agents/contracts';
import type { SignalFeature, TrainingResource } from '../../../adoption/model/run-facts';
import { escapeMrkdwn, slackLink } from '../../../channels/slack-text';
import { joinWords } from '../../../definitions/language/wording';
import { formatDate, formatMoney, importanceLabel } from '../../../adoption/model/labels';
import { DEFAULT_RULES } from '../../../adoption/config/rules';
import { findInScope, runResources, section, stageLabel, truncate, type SlackBlock, type SlackMessage, type SlackRenderInput } from './format';
import { fitFallbackText, packSections, sectionKeeping, SLACK_LIMITS } from './alert-limits';

/** PRD-090 4.3's "adopted" score, when the run does not say which the configured rules use. */
export const ADOPTED_SCORE = DEFAULT_RULES.stages.adoptedFrom;
const MAX_FEATURES_IN_BLOCKS = 10;
const MAX_RESOURCES = 5;
const MAX_NAMES_IN_SENTENCE = 4;
const NOT_NEEDED_SUFFIX = ': not needed';

/**
 * "Not needed" (PRD open question 4) is a button of the blocks only: the plain-text fallback keeps the PRD's three.
 * With one feature it sits in the alert's row of buttons; with several, each feature gets its own button in a block
 * whose id names the feature (NOT_NEEDED_BLOCK_PREFIX + feature id), so the click says which feature.
 */
export const NOT_NEEDED_ACTION_ID = 'mark_not_needed';
export const NOT_NEEDED_BLOCK_PREFIX = 'not_needed/';

/**
 * The alert's buttons; their `value` is the workflow id, so the interactivity handler knows which run to act on.
 * web/slack/actions.ts keys its handlers by these ids.
 */
export const ALERT_ACTIONS = [
  { actionId: 'share_resources', label: 'Share Resources' },
  { actionId: 'draft_enablement_email', label: 'Draft Enablement Email' },
  { actionId: 'schedule_training_call', label: 'Schedule Training Call' },
  { actionId: NOT_NEEDED_ACTION_ID, label: 'Not Needed' },
] as const;
const PRD_ACTIONS = ALERT_ACTIONS.filter((action) => action.actionId !== NOT_NEEDED_ACTION_ID);

function notNeededButton(workflowId: string, label: string, featureName: string): SlackBlock {
  return {
    type: 'button',
    action_id: NOT_NEEDED_ACTION_ID,
    text: { type: 'plain_text', text: truncate(label, SLACK_LIMITS.buttonText) },
    value: workflowId,
    confirm: {
      title: { type: 'plain_text', text: 'Mark not needed?' },
      text: {
        type: 'plain_text',
        // plain_text is shown as written: no mrkdwn escaping here.
        text: truncate(`Detection stops flagging ${featureName} for this customer and this run stops its outreach for it.`, 300),
      },
      confirm: { type: 'plain_text', text: 'Not needed' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  };
}

const CAUSE_LABELS: Record<string, string> = {
  training_gap: 'Training gap',
  integration_challenges: 'Integration challenges',
  changed_priorities: 'Changed priorities',
};
// What the PRD lists when we have no analysis to go on.
const GENERIC_CAUSES = ['Training gap', 'Integration challenges', 'Changed priorities'];

/**
 * `adoption_stalled_alert`: the PRD-090 5.1 alert. The plain-text fallback carries the PRD's lines as written (one
 * Feature/Status/Usage group per stalled feature); the blocks carry the same content with links and buttons.
 */
export function renderAdoptionStalledAlert(request: SlackRenderInput): SlackMessage {
  const { input, scope, params, includeResources, workflowId } = request;
  const customerName = escapeMrkdwn(input.customer.name);
  const features = input.features;
  const analysis = findInScope(scope, (value) => Array.isArray(value.likelyCauses)) as unknown as AdoptionGapAnalysis | null;
  const resources = includeResources ? runResources(params, input).slice(0, MAX_RESOURCES) : [];
  const header = `:chart_with_downwards_trend: Feature Adoption Stalled: ${input.customer.name}`;

  const adoptedFrom = request.adoptedFrom ?? ADOPTED_SCORE;
  const featureLines = features.map((feature) => featureFacts(feature, adoptedFrom));
  const contextLines = customerContext(request);
  const why = whyItMatters(features, analysis);
  const resourceLines = resources.map((resource, index) => `${index + 1}. ${resourceLine(resource, false)}`);
  const buttonsLine = PRD_ACTIONS.map((action) => `[${action.label}]`).join(' ');

  // The PRD's fallback lines, with as many features in full as fit Slack's 4,000 (the rest counted).
  const fallback = (shown: number) => [
    `:chart_with_downwards_trend: Feature Adoption Stalled: ${customerName}`,
    ...featureLines.slice(0, shown).flatMap((lines) => ['', ...lines]),
    ...(shown < features.length ? ['', `…and ${features.length - shown} more stalled features.`] : []),
    '',
    'Customer Context:',
    ...contextLines.map((line) => `- ${line}`),
    '',
    'Why it matters:',
    ...why.text,
    ...(includeResources
      ? ['', 'Recommended Resources:', ...(resourceLines.length ? resourceLines : ['No training resources in the catalog yet.'])]
      : []),
    '',
    buttonsLine,
  ];
  const text = fitFallbackText(fallback, features.length);

  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(header, SLACK_LIMITS.headerText), emoji: true } }];
  for (const lines of featureLines.slice(0, MAX_FEATURES_IN_BLOCKS)) {
    blocks.push(section(lines.map((line) => line.replace(/^([^:]+):/, '*$1:*')).join('\n')));
  }
  if (features.length > MAX_FEATURES_IN_BLOCKS) {
    // The rest, one line each (name, stage, score), as many as one section holds.
    const rest = features
      .slice(MAX_FEATURES_IN_BLOCKS)
      .map((f) => `• *${escapeMrkdwn(f.featureName)}*: ${stageLabel(f.stage)}, usage score ${f.usageScore}/100`);
    blocks.push(sectionKeeping([`*Also stalled (${rest.length}):*`], rest, []));
  }
  // Blocks only (the plain-text fallback keeps the PRD's lines): each feature's own key benefit, the signal's
  // priority and the customer's adoption page.
  // Every feature's benefit (sections of at most 3,000 each), so no stalled feature goes without one.
  const benefits = features
    .filter((feature) => feature.keyBenefit?.trim())
    .map((feature) => `• *${escapeMrkdwn(feature.featureName)}* helps them ${escapeMrkdwn(feature.keyBenefit!.trim().replace(/[.!?]+$/, ''))}.`);
  blocks.push(...packSections('*Key benefits:*', benefits));
  const page = request.adoptionPageUrl ? [`• ${slackLink(request.adoptionPageUrl, `${input.customer.name} adoption page`)}`] : [];
  // The importance list is what gives way to the limit: the Priority line and the page link always stay.
  const importanceLine = contextLines[contextLines.length - 1];
  blocks.push(
    sectionKeeping(
      ['*Customer Context:*', ...contextLines.slice(0, -1).map((line) => `• ${line}`)],
      [`• ${importanceLine}`],
      [`• Priority: ${input.signal.priority}/100`, ...page],
    ),
  );
  blocks.push(section(['*Why it matters:*', ...why.blocks].join('\n')));
  if (analysis?.summary) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(escapeMrkdwn(analysis.summary), 3000) }] });
  }
  if (includeResources) {
    const linked = resources.map((resource, index) => `${index + 1}. ${resourceLine(resource, true)}`);
    blocks.push(section(['*Recommended Resources:*', ...(linked.length ? linked : ['No training resources in the catalog yet.'])].join('\n')));
  }
  blocks.push({
    type: 'actions',
    block_id: 'adoption_actions',
    elements: [
      ...PRD_ACTIONS.map((action) => ({
        type: 'button',
        action_id: action.actionId,
        text: { type: 'plain_text', text: action.label },
        value: workflowId,
        ...(action.actionId === 'draft_enablement_email' ? { style: 'primary' } : {}),
      })),
      ...(features.length === 1 ? [notNeededButton(workflowId, 'Not Needed', features[0].featureName)] : []),
    ],
  });
  if (features.length > 1) {
    for (const feature of features.slice(0, MAX_FEATURES_IN_BLOCKS)) {
      blocks.push({
        type: 'actions',
        block_id: truncate(`${NOT_NEEDED_BLOCK_PREFIX}${feature.featureId}`, 255),
        elements: [
          notNeededButton(
            workflowId,
            `${truncate(feature.featureName, SLACK_LIMITS.buttonText - NOT_NEEDED_SUFFIX.length)}${NOT_NEEDED_SUFFIX}`,
            feature.featureName,
          ),
        ],
      });
    }
  }
  return { text, blocks };
}

function featureFacts(feature: SignalFeature, adoptedFrom: number): string[] {
  const day = feature.daysSinceActivation === null || feature.daysSinceActivation === undefined ? '' : ` (Day ${feature.daysSinceActivation})`;
  return [
    `Feature: ${escapeMrkdwn(feature.featureName)}`,
    `Status: ${stageLabel(feature.stage)}${feature.stage === 'churned' ? ' (used regularly before, then dropped)' : ''} → Stalled${day}`,
    `Usage Score: ${feature.usageScore}/100 (Expected: ${adoptedFrom}+ by Day ${feature.expectedAdoptionDays})`,
  ];
}

function customerContext({ input }: SlackRenderInput): string[] {
  const overall = typeof input.overallAdoption === 'number' ? `${Math.round(input.overallAdoption)}%` : 'unknown';
  const importance =
    input.features.length === 1
      ? `This feature importance: ${importanceLabel(input.features[0].importanceScore)}`
      : input.features.length > MAX_FEATURES_IN_BLOCKS
        ? `Feature importance: ${importanceCounts(input.features)}`
        : `Feature importance: ${input.features.map((f) => `${escapeMrkdwn(f.featureName)} ${importanceLabel(f.importanceScore)}`).join(', ')}`;
  return [`ARR: ${formatMoney(input.customer.arr)}`, `Overall Adoption: ${overall}`, importance];
}

/** "12 High, 10 Medium, 8 Low": the importance of many features, summarised. */
function importanceCounts(features: SignalFeature[]): string {
  return (['High', 'Medium', 'Low'] as const)
    .map((label) => [label, features.filter((f) => importanceLabel(f.importanceScore) === label).length] as const)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`)
    .join(', ');
}

function whyItMatters(features: SignalFeature[], analysis: AdoptionGapAnalysis | null): { text: string[]; blocks: string[] } {
  // What is known is the catalog's importance of each feature (the same for every customer), not why this one bought.
  const groups: Array<[string, (names: string[]) => string]> = [
    ['High', (names) => `${joinWords(names)} ${names.length === 1 ? 'is one of your key features' : 'are among your key features'}.`],
    ['Medium', (names) => `${joinWords(names)} ${names.length === 1 ? 'is a feature' : 'are features'} of medium importance in your catalog.`],
    ['Low', (names) => `${joinWords(names)} ${names.length === 1 ? 'is a feature' : 'are features'} of low importance in your catalog.`],
  ];
  const intro = groups
    .map(([label, sentence]) => {
      const names = features
        .filter((f) => importanceLabel(f.importanceScore) === label)
        .map((f) => `${escapeMrkdwn(f.featureName)} (importance ${f.importanceScore})`);
      // Many features: the first few by name, the rest counted (the feature sections name them all).
      const shown =
        names.length > MAX_NAMES_IN_SENTENCE
          ? [...names.slice(0, MAX_NAMES_IN_SENTENCE - 1), `${names.length - MAX_NAMES_IN_SENTENCE + 1} more`]
          : names;
      return names.length ? sentence(shown) : null;
    })
    .filter((line): line is string => line !== null);

  const causes = analysis?.likelyCauses ?? [];
  if (!causes.length) {
    const lead = analysis ? 'Low adoption may indicate (the usage data shows no clear pattern):' : 'Low adoption may indicate:';
    const generic = GENERIC_CAUSES.map((cause) => `- ${cause}`);
    return { text: [...intro, lead, ...generic], blocks: [...intro, lead, ...GENERIC_CAUSES.map((cause) => `• ${cause}`)] };
  }
  const text: string[] = [...intro, 'Low adoption may indicate:'];
  const blocks: string[] = [...intro, 'Low adoption may indicate:'];
  for (const cause of causes) {
    // Causes come from an agent (possibly over HTTP): an unknown one is shown escaped.
    const label = CAUSE_LABELS[cause.cause] ?? escapeMrkdwn(String(cause.cause));
    const confidence = `${Math.round(cause.confidence * 100)}% confidence`;
    text.push(`- ${label} (${confidence})`, ...cause.evidence.map((line) => `    - ${escapeMrkdwn(line)}`));
    blocks.push(`• *${label}* (${confidence})`, ...cause.evidence.map((line) => `    ◦ ${escapeMrkdwn(line)}`));
  }
  return { text, blocks };
}

/** PRD-090 5.1: `:video_camera: "Title" (12 min)`, `:page_facing_up: "Title"`, `:calendar: Next live training: <date>`. */
export function resourceLine(resource: TrainingResource, withLink: boolean): string {
  // The URL comes from the catalog (or the definition's params): escaped and checked so it cannot add a link.
  const title = withLink ? slackLink(resource.url, resource.title) : `"${escapeMrkdwn(resource.title)}"`;
  const type = (resource.type ?? '').toLowerCase();
  if (type === 'video') {
    const minutes = typeof resource.duration_minutes === 'number' ? ` (${resource.duration_minutes} min)` : '';
    return `:video_camera: ${title}${minutes}`;
  }
  if (type === 'webinar' || type === 'live_training' || type === 'training') {
    const date = resource.next_session ? formatDate(resource.next_session) : null;
    if (date) return `:calendar: Next live training: ${withLink ? slackLink(resource.url, date) : date}`;
    return `:calendar: ${title}`;
  }
  return `:page_facing_up: ${title}`;
}
