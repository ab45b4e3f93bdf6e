import { escapeMrkdwn as escapeSlack, slackLink } from '../../channels/slack-text';
import { trackedResourceUrl } from '../../channels/signed-links';
import { findRun } from '../../adoption/runs';
import { shareResources as sendSharedResources } from '../resource-share';
import type { ButtonHandler } from './action-deps';
import { clip, reply } from './payloads';

const NOT_IN_DATABASE = 'This enablement run is not in the database; nothing was sent.';

/**
 * `share_resources`: emails the run's ranked resources to the champion, once per click: the click is Slack's
 * `action_ts` (a retried delivery of the same click carries the same one), the share's unique key in the database.
 * The `resource_share` interventions are recorded when the email is delivered.
 */
export const shareResources: ButtonHandler = async (deps, { workflowId, action, by }) => {
  const actionTs = typeof action.action_ts === 'string' ? action.action_ts : '';
  if (!/^\d{1,20}\.\d{1,10}$/.test(actionTs))
    return reply('This click carries no Slack action timestamp, so it cannot be sent exactly once; nothing was sent.');
  const run = await findRun(deps.db, workflowId);
  if (!run) return reply(NOT_IN_DATABASE);
  const outcome = await sendSharedResources(deps.share, {
    clickKey: `slack/${workflowId}/${actionTs}`,
    source: 'slack',
    customerId: run.customer.id,
    workflowId,
    requestedBy: by,
  });
  switch (outcome.kind) {
    case 'unknown_customer':
    case 'key_conflict':
    case 'foreign_run':
      return reply(NOT_IN_DATABASE);
    case 'no_champion':
      return reply(`${escapeSlack(run.customer.name)} has no champion email on file, so the resources were not sent. Add one to the customers file.`);
    case 'nothing_to_share':
      return reply(`Nothing new to share with ${escapeSlack(run.customer.name)}: they already received every recommended resource.`);
  }
  const { share } = outcome;
  const to = `${share.toName ? `${share.toName} ` : ''}<${share.toEmail}>`;
  const names = new Map(run.features.map((feature) => [feature.featureId, feature.featureName]));
  const lines: string[] = [];
  for (const resource of share.resources) {
    const url = await trackedResourceUrl(
      deps.share.links,
      { customerId: share.customerId, featureId: resource.featureId, url: resource.url, workflowId },
      deps.now(),
    );
    lines.push(`• ${escapeSlack(names.get(resource.featureId) ?? resource.featureId)}: ${slackLink(url, resource.title)}`);
  }
  const what = `${share.resources.length} resource${share.resources.length === 1 ? '' : 's'}`;
  const text = escapeSlack(
    outcome.kind === 'sent'
      ? `${outcome.repeated ? 'Already sent for this click' : `Sent by ${by}`}: ${what} emailed to ${to} ("${share.subject}").`
      : `Queued, not sent yet: ${what} for ${to} wait in the outbox until the mail server takes them ("${share.subject}").`,
  );
  return reply(text, [{ type: 'section', text: { type: 'mrkdwn', text: clip([text, ...lines].join('\n'), 3000) } }]);
};
