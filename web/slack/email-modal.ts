import type { WebClient } from '@slack/web-api';
import { shortenSlackText } from '../../channels/slack-text';
import { InvalidMessageError, MESSAGE_LIMITS, validateEmailDecision, type EmailDecision } from '../../workflows/messages';

/**
 * Edit before send from Slack: the draft's "Edit" button opens this modal (`views.open` with the click's
 * trigger_id) holding the draft's subject and body; submitting it (`view_submission`) becomes the run's
 * `emailDecision` edit. The run's workflow id rides in `private_metadata`; who may submit is checked again on submit.
 */
export const EDIT_EMAIL = 'edit_email';
export const EDIT_EMAIL_CALLBACK = 'edit_enablement_email';
const SUBJECT_BLOCK = 'subject';
const BODY_BLOCK = 'body';
const INPUT = 'value';
/** Slack's plain_text_input holds at most 3000 characters. */
export const SLACK_INPUT_MAX = 3000;

export function editEmailView(workflowId: string, draft: { subject: string; body: string }): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: EDIT_EMAIL_CALLBACK,
    private_metadata: workflowId,
    title: { type: 'plain_text', text: 'Edit enablement email' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: SUBJECT_BLOCK,
        label: { type: 'plain_text', text: 'Subject' },
        element: { type: 'plain_text_input', action_id: INPUT, initial_value: draft.subject, max_length: MESSAGE_LIMITS.subject },
      },
      {
        type: 'input',
        block_id: BODY_BLOCK,
        label: { type: 'plain_text', text: 'Body' },
        element: { type: 'plain_text_input', action_id: INPUT, multiline: true, initial_value: draft.body, max_length: SLACK_INPUT_MAX },
      },
    ],
  };
}

export async function openEditModal(client: WebClient, triggerId: string, view: Record<string, unknown>): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: view as never });
}

export interface ViewSubmissionPayload {
  type: 'view_submission';
  user?: { id?: unknown; username?: unknown; name?: unknown };
  view?: { callback_id?: unknown; private_metadata?: unknown; state?: { values?: unknown } };
}

/** The answer Slack shows inside the modal: errors next to the named blocks (the modal stays open). */
export interface ViewErrors {
  response_action: 'errors';
  errors: Record<string, string>;
}

export const viewErrors = (block: string, message: string): ViewErrors => ({
  response_action: 'errors',
  // Slack shows at most 150 characters here; cut between graphemes (a lone surrogate is not valid JSON).
  errors: { [block]: shortenSlackText(message, 150) },
});

function inputValue(values: unknown, block: string): unknown {
  if (typeof values !== 'object' || values === null) return undefined;
  const entry = (values as Record<string, unknown>)[block];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const input = (entry as Record<string, unknown>)[INPUT];
  if (typeof input !== 'object' || input === null) return undefined;
  return (input as { value?: unknown }).value;
}

/** The edit decision the submission asks for, or the errors to show in the modal (validated by the message contract). */
export function editDecisionFrom(payload: ViewSubmissionPayload, by: string): EmailDecision | ViewErrors {
  const values = payload.view?.state?.values;
  const subject = inputValue(values, SUBJECT_BLOCK);
  const body = inputValue(values, BODY_BLOCK);
  if (typeof subject !== 'string' || subject.trim() === '') return viewErrors(SUBJECT_BLOCK, 'Write a subject.');
  if (typeof body !== 'string' || body.trim() === '') return viewErrors(BODY_BLOCK, 'Write the email.');
  try {
    return validateEmailDecision({ decision: 'edit', by, subject, body });
  } catch (error) {
    if (!(error instanceof InvalidMessageError)) throw error;
    return viewErrors(error.field === 'body' ? BODY_BLOCK : SUBJECT_BLOCK, error.message);
  }
}
