import { escapeMrkdwn as escapeSlack } from '../../channels/slack-text';
import { ALERT_ACTIONS } from '../../steps/slack_dm/messages/adoption-stalled-alert';
import { refusalFor } from './authorization';
import type { ButtonHandler, SlackActionDeps } from './action-deps';
import { DRAFT_BUTTONS, decideFromButton, openEmailEditor, showDraft } from './email-decision';
import { markNotNeededFromSlack } from './not-needed-button';
import { blockActionsProblem, reply, slackUserLabel, type BlockActionsPayload, type SlackReply } from './payloads';
import { shareResources } from './share-button';
import { scheduleTrainingCall } from './training-call-button';

/**
 * What the buttons of the adoption-stalled alert (and of the draft we reply with) do. Each button's `value` is the
 * enablement run's workflow id. Every action answers with a Slack message (ephemeral, next to the alert) or a modal.
 */
type ButtonId = (typeof ALERT_ACTIONS)[number]['actionId'] | (typeof DRAFT_BUTTONS)[number]['actionId'];

/** One handler per button we render, keyed by the renderers' own lists: a button without a handler does not compile. */
const BUTTON_HANDLERS: { readonly [Id in ButtonId]: ButtonHandler } = {
  share_resources: shareResources,
  draft_enablement_email: showDraft,
  schedule_training_call: scheduleTrainingCall,
  mark_not_needed: markNotNeededFromSlack,
  approve_email: decideFromButton,
  reject_email: decideFromButton,
  edit_email: openEmailEditor,
};

const isHandled = (actionId: string): actionId is ButtonId => Object.prototype.hasOwnProperty.call(BUTTON_HANDLERS, actionId);

/** A reply, or null when the click's answer is a modal rather than a message. */
export async function handleBlockAction(deps: SlackActionDeps, payload: BlockActionsPayload): Promise<SlackReply | null> {
  const problem = blockActionsProblem(payload);
  if (problem) return reply(`This request is not one Slack sends (${problem}); nothing was done.`);
  const action = payload.actions?.[0];
  if (!action) return reply('Nothing to do: the request named no action.');
  const workflowId = typeof action.value === 'string' ? action.value : '';
  if (!isHandled(action.action_id)) return reply(`Unknown action ${escapeSlack(action.action_id)}; nothing was done.`);
  if (!workflowId || workflowId.length > 1000) return reply('This button names no enablement run; nothing was done.');
  const by = slackUserLabel(payload.user ?? { id: 'unknown' });
  // Who may decide (docs/security.md): the customer's CSM or a lead; anyone else gets this answer and nothing moves.
  const refusal = await refusalFor(deps.db, workflowId, payload.user?.id, deps.leadUserIds ?? []);
  if (refusal) return reply(refusal);
  return BUTTON_HANDLERS[action.action_id](deps, { workflowId, action, payload, by });
}
