import { escapeMrkdwn } from '../../channels/slack-text';
import { NOT_NEEDED_BLOCK_PREFIX } from '../../steps/slack_dm/messages/adoption-stalled-alert';
import { UnknownCustomerFeatureError } from '../../adoption/not-needed';
import { findRun } from '../../adoption/runs';
import { applyNotNeededChange } from '../routes/not-needed-change';
import type { ButtonHandler } from './action-deps';
import { reply } from './payloads';

/** Slack gives a button no text field: the audit says where the mark came from instead. */
const SLACK_NOT_NEEDED_REASON = 'marked not needed from the Slack alert';

/**
 * The alert's **Not Needed** button: the feature is the block's (`not_needed/<featureId>`) or, in the one-feature
 * alert's row of buttons, the run's only feature. Marks it through the same audited path as the API and tells the run.
 */
export const markNotNeededFromSlack: ButtonHandler = async (deps, { workflowId, action, by }) => {
  const run = await findRun(deps.db, workflowId);
  if (!run || run.features.length === 0) return reply('This enablement run is not in the database; nothing was marked.');
  const blockId = action.block_id;
  const named = blockId?.startsWith(NOT_NEEDED_BLOCK_PREFIX) ? blockId.slice(NOT_NEEDED_BLOCK_PREFIX.length) : null;
  const feature =
    named !== null ? run.features.find((candidate) => candidate.featureId === named) : run.features.length === 1 ? run.features[0] : undefined;
  if (!feature) {
    return reply('This button names no feature of this run; nothing was marked. Use the button of the feature that is not needed.');
  }
  try {
    const outcome = await applyNotNeededChange(deps, {
      customerId: run.customer.id,
      featureId: feature.featureId,
      notNeeded: true,
      reason: SLACK_NOT_NEEDED_REASON,
      by,
      source: 'slack',
      at: deps.now(),
    });
    const told = outcome.runsTold.length ? ' The run was told and stops its outreach for it.' : '';
    const customer = escapeMrkdwn(run.customer.name);
    return reply(
      `${escapeMrkdwn(feature.featureName)} is marked not needed for ${customer} by ${escapeMrkdwn(by)}: detection no longer flags it.${told}`,
    );
  } catch (error) {
    if (error instanceof UnknownCustomerFeatureError) return reply(`${escapeMrkdwn(error.message)}; nothing was marked.`);
    throw error;
  }
};
