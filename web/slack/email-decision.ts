import { escapeMrkdwn as escapeSlack, shortenSlackText } from '../../channels/slack-text';
import { awaitsDecision, latestDraftOfRun, noDecisionReason, type RunDraft } from '../../adoption/drafts';
import { emailDecisionSignal, validateEmailDecision } from '../../workflows/messages';
import { slackClient } from '../../channels/delivery-channels';
import { HttpError } from '../errors';
import { signalRun } from '../temporal-access';
import { refusalFor } from './authorization';
import type { ButtonHandler, SlackActionDeps } from './action-deps';
import { clip, reply, slackUserLabel, type SlackReply } from './payloads';
import {
  EDIT_EMAIL,
  EDIT_EMAIL_CALLBACK,
  editDecisionFrom,
  editEmailView,
  openEditModal,
  SLACK_INPUT_MAX,
  viewErrors,
  type ViewErrors,
  type ViewSubmissionPayload,
} from './email-modal';

/**
 * The enablement email from Slack: the alert's "Draft Enablement Email" shows the run's draft with Approve / Edit /
 * Reject, which become the run's `emailDecision`. A decision is taken only on a draft the run waits on
 * (adoption/drafts.ts); each button's `value` is the run's workflow id.
 */
export const APPROVE_EMAIL = 'approve_email';
export const REJECT_EMAIL = 'reject_email';

/** The draft message's buttons, in the order shown. */
export const DRAFT_BUTTONS = [
  { actionId: APPROVE_EMAIL, label: 'Approve & Send', style: 'primary' },
  { actionId: EDIT_EMAIL, label: 'Edit', style: null },
  { actionId: REJECT_EMAIL, label: 'Reject', style: 'danger' },
] as const;

/** Slack's limit of a section's text. */
const SECTION_MAX = 3000;

/** The API route a draft too long for Slack's editor is edited through (web/routes/workflows.ts). */
export const emailDecisionRoute = (workflowId: string) => `POST /api/workflows/${encodeURIComponent(workflowId)}/email-decision`;

/** The draft's body as a section: whole when it fits, else cut before (never inside) a link and said to be cut. */
function draftPreview(body: string): string {
  const escaped = escapeSlack(body);
  if (escaped.length <= SECTION_MAX) return escaped;
  const note = `_Preview cut at Slack's ${SECTION_MAX.toLocaleString('en-US')} characters: the draft has ${[...body].length.toLocaleString('en-US')} in all._`;
  return `${shortenSlackText(escaped, SECTION_MAX - note.length - 1)}\n${note}`;
}

const NOT_DRAFTED = 'No enablement email has been drafted for this run yet; it is drafted right after the alert.';

function noDecision(draft: RunDraft): string {
  const by = draft.decidedBy ? ` by ${escapeSlack(draft.decidedBy)}` : '';
  return `This enablement email is ${noDecisionReason(draft.status)}${by}; nothing to decide.`;
}

/** `draft_enablement_email`: the stored draft, with the decision buttons while the run waits for one. */
export function draftMessage(workflowId: string, draft: RunDraft): SlackReply {
  const to = [draft.toName, draft.toEmail ? `<${draft.toEmail}>` : null].filter(Boolean).join(' ') || 'no recipient on file';
  const text = escapeSlack(`Enablement email draft to ${to}: ${draft.subject}`);
  const blocks: Array<Record<string, unknown>> = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Enablement email draft*\n*To:* ${escapeSlack(to)}\n*Subject:* ${escapeSlack(draft.subject)}`, 3000) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: draftPreview(draft.body) } },
  ];
  if (awaitsDecision(draft.status)) {
    blocks.push({
      type: 'actions',
      block_id: 'email_decision',
      elements: DRAFT_BUTTONS.map((button) => ({
        type: 'button',
        action_id: button.actionId,
        ...(button.style ? { style: button.style } : {}),
        text: { type: 'plain_text', text: button.label },
        value: workflowId,
      })),
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: noDecision(draft) }] });
  }
  return reply(text, blocks);
}

function temporalTrouble(error: HttpError): SlackReply {
  if (error.statusCode === 404) return reply('This enablement run no longer exists, so there is nothing to decide.');
  if (error.statusCode === 409) return reply('This enablement run has already finished; nothing was changed.');
  if (error.statusCode === 503) {
    return reply(`The workflow service is unavailable right now (${escapeSlack(clip(error.message, 300))}); please try again in a minute.`);
  }
  return reply(`The enablement run could not be reached: ${escapeSlack(clip(error.message, 300))}`);
}

export const showDraft: ButtonHandler = async (deps, { workflowId }) => {
  const draft = await latestDraftOfRun(deps.db, workflowId);
  if (!draft) return reply(NOT_DRAFTED);
  return draftMessage(workflowId, draft);
};

/** Approve & Send, Reject: the decision signalled to the run. */
export const decideFromButton: ButtonHandler = async (deps, { workflowId, action, by }) => {
  const draft = await latestDraftOfRun(deps.db, workflowId);
  if (draft && !awaitsDecision(draft.status)) return reply(noDecision(draft));
  const approve = action.action_id === APPROVE_EMAIL;
  const decision = validateEmailDecision(approve ? { decision: 'approve', by } : { decision: 'reject', by, reason: 'rejected in Slack' });
  try {
    await signalRun(deps.temporalClient, workflowId, emailDecisionSignal, decision);
  } catch (error) {
    if (error instanceof HttpError) return temporalTrouble(error);
    throw error;
  }
  return approve
    ? reply(`Approved by ${escapeSlack(by)}: the enablement email${draft?.toName ? ` to ${escapeSlack(draft.toName)}` : ''} will be sent.`)
    : reply(`Rejected by ${escapeSlack(by)}: the enablement email will not be sent.`);
};

/** Edit: opens the modal on the run's draft (its submission is `handleViewSubmission`). */
export const openEmailEditor: ButtonHandler = async (deps, { workflowId, payload }) => {
  const draft = await latestDraftOfRun(deps.db, workflowId);
  if (!draft) return reply(NOT_DRAFTED);
  if (!awaitsDecision(draft.status)) return reply(noDecision(draft));
  if (draft.body.length > SLACK_INPUT_MAX) {
    return reply(
      `This draft is longer than Slack's editor holds (${SLACK_INPUT_MAX} characters); edit it through the API: \`${emailDecisionRoute(workflowId)}\` with \`{"decision": "edit", "by": ..., "subject": ..., "body": ...}\`.`,
    );
  }
  if (!deps.slack) return reply('Editing in Slack needs SLACK_BOT_TOKEN on the API server; nothing was opened.');
  const triggerId = typeof payload.trigger_id === 'string' && payload.trigger_id.length <= 255 ? payload.trigger_id : '';
  if (!triggerId) return reply('This click carries no trigger id, so Slack cannot open the editor; nothing was opened.');
  try {
    await openEditModal(slackClient(deps.slack.token, deps.slack.apiUrl), triggerId, editEmailView(workflowId, draft));
  } catch (error) {
    return reply(`Slack did not open the editor (${escapeSlack(clip((error as Error).message, 200))}); please click Edit again.`);
  }
  return null;
};

/**
 * `view_submission` of the Edit modal: the CSM's subject and body become the run's `emailDecision` edit. Answers
 * null (Slack closes the modal) or errors shown inside it; the run's CSM or a lead only.
 */
export async function handleViewSubmission(deps: SlackActionDeps, payload: ViewSubmissionPayload): Promise<ViewErrors | null> {
  if (payload.view?.callback_id !== EDIT_EMAIL_CALLBACK) return viewErrors('subject', 'This dialog is not one of ours; nothing was done.');
  const workflowId = typeof payload.view.private_metadata === 'string' ? payload.view.private_metadata : '';
  if (!workflowId || workflowId.length > 1000 || workflowId.includes('\u0000')) {
    return viewErrors('subject', 'This dialog names no enablement run; nothing was done.');
  }
  const user = payload.user ?? {};
  const userId = typeof user.id === 'string' ? user.id : '';
  const refusal = await refusalFor(deps.db, workflowId, userId, deps.leadUserIds ?? []);
  if (refusal) return viewErrors('subject', refusal);
  const by = slackUserLabel({
    id: userId,
    username: typeof user.username === 'string' ? user.username : undefined,
    name: typeof user.name === 'string' ? user.name : undefined,
  });
  const decision = editDecisionFrom(payload, by);
  if ('response_action' in decision) return decision;
  const draft = await latestDraftOfRun(deps.db, workflowId);
  if (draft && !awaitsDecision(draft.status)) return viewErrors('subject', noDecision(draft));
  try {
    await signalRun(deps.temporalClient, workflowId, emailDecisionSignal, decision);
  } catch (error) {
    if (error instanceof HttpError) return viewErrors('subject', temporalTrouble(error).text);
    throw error;
  }
  return null;
}
