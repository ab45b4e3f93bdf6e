import type { AdoptionOutcome } from '../../../adoption/outcome';
import type { MeasureAdoptionResult } from '../../measure_adoption/activity';
import type { SendEmailResult } from '../../send_email/activity';
import { escapeMrkdwn } from '../../../channels/slack-text';
import { findInScope, section, stageLabel, truncate, SlackTemplateError, type SlackBlock, type SlackMessage, type SlackRenderInput } from './format';
import { fitFallbackText } from './alert-limits';

const OUTCOME_LABELS: Record<AdoptionOutcome, string> = {
  recovered: 'Recovered',
  improved: 'Improved',
  still_stalled: 'Still stalled',
  not_confirmed: 'Recovery not confirmed',
};

const NEXT_STEP: Record<AdoptionOutcome, string> = {
  recovered: 'Adoption is back on track; no further action needed.',
  improved: 'Adoption is moving. A short check-in will tell whether it sticks.',
  still_stalled: 'The enablement has not moved adoption yet. Consider a training call, or ask whether the feature is still needed.',
  not_confirmed: 'A recovery was reported, but the usage data does not show it yet. Check with the customer before closing this out.',
};

/**
 * `adoption_outcome`: tells the CSM what the follow-up measured: per feature the usage score before
 * and after the intervention and whether it recovered, improved or is still stalled. Reads the measure_adoption
 * result from the scope; without one the definition is wrong, and the step fails rather than sending an empty report.
 */
export function renderAdoptionOutcome(request: SlackRenderInput): SlackMessage {
  const { input, scope, workflowId } = request;
  const measured = findInScope(
    scope,
    (value) => typeof value.outcome === 'string' && Array.isArray(value.features) && value.outcome in OUTCOME_LABELS,
  ) as unknown as MeasureAdoptionResult | null;
  if (!measured) {
    throw new SlackTemplateError('adoption_outcome needs a measure_adoption result (a step result with `outcome` and `features`) earlier in the run');
  }
  const email = findInScope(
    scope,
    (value) => typeof value.sent === 'boolean' && typeof value.status === 'string' && typeof value.subject === 'string',
  ) as unknown as SendEmailResult | null;

  const icon = measured.outcome === 'still_stalled' || measured.outcome === 'not_confirmed' ? ':warning:' : ':chart_with_upwards_trend:';
  const header = `${icon} Adoption Follow-up: ${input.customer.name}`;
  const nameOf = (featureId: string) => escapeMrkdwn(input.features.find((f) => f.featureId === featureId)?.featureName ?? featureId);

  const featureLines = measured.features.map((feature) => {
    const delta = feature.after - feature.before;
    return [
      `Feature: ${nameOf(feature.featureId)}`,
      `Usage Score: ${feature.before} → ${feature.after}/100 (${delta >= 0 ? '+' : ''}${delta})`,
      `Stage: ${stageLabel(feature.stage)}`,
      `Outcome: ${OUTCOME_LABELS[feature.outcome] ?? escapeMrkdwn(String(feature.outcome))}`,
    ];
  });
  const emailLine = email ? emailSummary(email) : null;
  const overall = `Overall outcome: ${OUTCOME_LABELS[measured.outcome]}`;

  // Within Slack's 4,000 for the fallback: as many features in full as fit, the rest counted.
  const text = fitFallbackText(
    (shown) => [
      `${icon} Adoption Follow-up: ${escapeMrkdwn(input.customer.name)}`,
      ...featureLines.slice(0, shown).flatMap((lines) => ['', ...lines]),
      ...(shown < featureLines.length ? ['', `…and ${featureLines.length - shown} more features.`] : []),
      '',
      ...(emailLine ? [emailLine] : []),
      overall,
      NEXT_STEP[measured.outcome],
    ],
    featureLines.length,
  );

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(header, 150), emoji: true } },
    ...featureLines.slice(0, 20).map((lines) => section(lines.map((line) => line.replace(/^([^:]+):/, '*$1:*')).join('\n'))),
    section([...(emailLine ? [emailLine] : []), `*${overall}*`, NEXT_STEP[measured.outcome]].join('\n')),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Run \`${escapeMrkdwn(workflowId)}\`` }] },
  ];
  return { text, blocks };
}

function emailSummary(email: SendEmailResult): string {
  // Queued in the outbox (SMTP unset or down when it was approved) and not delivered since: it has not reached anyone.
  if (email.status === 'sent' && email.delivered === 'outbox') {
    return `Enablement email "${escapeMrkdwn(email.subject)}" is queued: not delivered yet (waiting in the outbox for SMTP).`;
  }
  if (email.status === 'sent') return `Enablement email "${escapeMrkdwn(email.subject)}" was sent.`;
  if (email.status === 'rejected') return 'The enablement email was rejected and not sent.';
  return 'The enablement email was not approved in time and was not sent.';
}
