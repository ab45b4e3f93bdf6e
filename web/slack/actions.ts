import { idWords } from '../../adoption/model/labels';
import { createTask } from '../../adoption/tasks';
import { escapeMrkdwn as escapeSlack, slackLink } from '../../channels/slack-text';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { ALERT_ACTIONS, NOT_NEEDED_ACTION_ID } from '../../steps/slack_dm/messages/adoption-stalled-alert';
import { emailDecisionSignal, validateEmailDecision } from '../../workflows/messages';
import type { TrainingResource } from '../../adoption/model/run-facts';
import { HttpError } from '../errors';
import { describeResource } from '../../adoption/model/recommendations';
import { catalogResources } from '../../adoption/model/resources';
import { signalRun } from '../temporal-access';
import { refusalFor } from './authorization';
import { markNotNeededFromSlack } from './not-needed-button';
import { shareResources as sendSharedResources, type ShareSettings } from '../resource-share';
import { trackedResourceUrl } from '../../channels/signed-links';
import { slackClient } from '../../channels/delivery-channels';
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
 * What the buttons of the adoption-stalled alert (and of the draft we reply with) do. Each button's `value` is the
 * enablement run's workflow id. Every action answers with a Slack message (ephemeral, next to the alert).
 */
export const APPROVE_EMAIL = 'approve_email';
export const REJECT_EMAIL = 'reject_email';
export const ALERT_ACTION_IDS = ALERT_ACTIONS.map((action) => action.actionId);
export const HANDLED_ACTION_IDS = [...ALERT_ACTION_IDS, APPROVE_EMAIL, REJECT_EMAIL, EDIT_EMAIL] as const;

/** Training-call tasks are due two days after the click. */
export const TRAINING_CALL_DUE_HOURS = 48;

export interface SlackUser {
  id: string;
  username?: string;
  name?: string;
}

export interface SlackAction {
  action_id: string;
  value?: string;
  action_ts?: string;
  block_id?: string;
}

export interface BlockActionsPayload {
  type: 'block_actions';
  user: SlackUser;
  actions: SlackAction[];
  response_url?: string;
  /** Lets us open a modal (`views.open`) for this click, within 3 seconds of it. */
  trigger_id?: string;
}

export interface SlackReply {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface SlackActionDeps {
  db: Db;
  now: () => Date;
  temporalClient: () => Promise<Client>;
  /** Slack user ids of customer-success leads, who may act on any run besides the customer's CSM. */
  leadUserIds?: readonly string[];
  /** Task queue of the follow-ups of interventions recorded here (default: the package's). */
  taskQueue?: string | null;
  /** How "Share Resources" emails the champion (mail settings, tracked links). */
  share: ShareSettings;
  /** The Slack Web API for `views.open` (the Edit modal); null: Edit answers that Slack is not configured. */
  slack: { token: string; apiUrl?: string } | null;
}

const reply = (text: string, blocks?: Array<Record<string, unknown>>): SlackReply => ({
  response_type: 'ephemeral',
  replace_original: false,
  text,
  ...(blocks ? { blocks } : {}),
});

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function slackUserLabel(user: SlackUser): string {
  const name = user.username || user.name;
  return name ? `${name} (Slack ${user.id})` : `Slack user ${user.id}`;
}

interface RunFacts {
  signalId: string;
  customerId: string;
  customerName: string;
  csmName: string | null;
  csmEmail: string | null;
  features: Array<{ featureId: string; featureName: string; featureAdoptionId: string | null; resources: TrainingResource[] }>;
}

/** The run's customer and features, from its risk signal, found by the run's exact workflow id. */
async function loadRun(db: Db, workflowId: string): Promise<RunFacts | null> {
  const signal = await db.query<{ id: string; customer_id: string; name: string; csm_name: string | null; csm_email: string | null }>(
    `SELECT rs.id, rs.customer_id, c.name, c.csm_name, c.csm_email
       FROM risk_signals rs JOIN customers c ON c.id = rs.customer_id
      WHERE rs.workflow_id = $1
      ORDER BY rs.created_at DESC
      LIMIT 1`,
    [workflowId],
  );
  if (signal.rows.length === 0) return null;
  const run = signal.rows[0];
  const features = await db.query<{ feature_id: string; feature_name: string; feature_adoption_id: string | null; training_resources: unknown }>(
    `SELECT f.feature_id, COALESCE(cat.feature_name, fa.feature_name, f.feature_id) AS feature_name,
            fa.id AS feature_adoption_id, cat.training_resources
       FROM risk_signal_features f
       LEFT JOIN feature_catalog cat ON cat.feature_id = f.feature_id
       LEFT JOIN feature_adoption fa ON fa.customer_id = f.customer_id AND fa.feature_id = f.feature_id
      WHERE f.signal_id = $1::uuid
      ORDER BY COALESCE(cat.importance_score, 50) DESC, f.feature_id`,
    [run.id],
  );
  return {
    signalId: run.id,
    customerId: run.customer_id,
    customerName: run.name,
    csmName: run.csm_name,
    csmEmail: run.csm_email,
    features: features.rows.map((row) => ({
      featureId: row.feature_id,
      featureName: row.feature_name,
      featureAdoptionId: row.feature_adoption_id,
      resources: catalogResources(row.training_resources),
    })),
  };
}

interface DraftRow {
  id: string;
  to_name: string | null;
  to_email: string | null;
  subject: string;
  body: string;
  status: string;
  decided_by: string | null;
}

async function latestDraft(db: Db, workflowId: string): Promise<DraftRow | null> {
  const { rows } = await db.query<DraftRow>(
    `SELECT id, to_name, to_email, subject, body, status, decided_by FROM email_drafts
      WHERE workflow_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [workflowId],
  );
  return rows[0] ?? null;
}

const AWAITING = new Set(['pending_approval', 'draft']);

function alreadyDecided(draft: DraftRow): string {
  const by = draft.decided_by ? ` by ${escapeSlack(draft.decided_by)}` : '';
  return `This enablement email is already ${idWords(draft.status)}${by}; nothing to decide.`;
}

/** `draft_enablement_email`: the stored draft with Approve / Reject buttons. */
export function draftMessage(workflowId: string, draft: DraftRow): SlackReply {
  const to = [draft.to_name, draft.to_email ? `<${draft.to_email}>` : null].filter(Boolean).join(' ') || 'no recipient on file';
  const text = escapeSlack(`Enablement email draft to ${to}: ${draft.subject}`);
  const blocks: Array<Record<string, unknown>> = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Enablement email draft*\n*To:* ${escapeSlack(to)}\n*Subject:* ${escapeSlack(draft.subject)}`, 3000) },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(escapeSlack(draft.body), 3000) } },
  ];
  if (AWAITING.has(draft.status)) {
    blocks.push({
      type: 'actions',
      block_id: 'email_decision',
      elements: [
        { type: 'button', action_id: APPROVE_EMAIL, style: 'primary', text: { type: 'plain_text', text: 'Approve & Send' }, value: workflowId },
        { type: 'button', action_id: EDIT_EMAIL, text: { type: 'plain_text', text: 'Edit' }, value: workflowId },
        { type: 'button', action_id: REJECT_EMAIL, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: workflowId },
      ],
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: alreadyDecided(draft) }] });
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

/** A reply, or null when the click's answer is a modal rather than a message. */
export async function handleBlockAction(deps: SlackActionDeps, payload: BlockActionsPayload): Promise<SlackReply | null> {
  const action = payload.actions?.[0];
  if (!action) return reply('Nothing to do: the request named no action.');
  const workflowId = typeof action.value === 'string' ? action.value : '';
  if (!HANDLED_ACTION_IDS.includes(action.action_id as (typeof HANDLED_ACTION_IDS)[number])) {
    return reply(`Unknown action ${escapeSlack(action.action_id)}; nothing was done.`);
  }
  if (!workflowId || workflowId.length > 1000) return reply('This button names no enablement run; nothing was done.');
  const by = slackUserLabel(payload.user ?? { id: 'unknown' });
  // Who may decide (docs/security.md): the customer's CSM or a lead; anyone else gets this answer and nothing moves.
  const refusal = await refusalFor(deps.db, workflowId, payload.user?.id, deps.leadUserIds ?? []);
  if (refusal) return reply(refusal);

  switch (action.action_id) {
    case 'draft_enablement_email': {
      const draft = await latestDraft(deps.db, workflowId);
      if (!draft) return reply('No enablement email has been drafted for this run yet; it is drafted right after the alert.');
      return draftMessage(workflowId, draft);
    }
    case APPROVE_EMAIL:
    case REJECT_EMAIL: {
      const draft = await latestDraft(deps.db, workflowId);
      if (draft && !AWAITING.has(draft.status)) return reply(alreadyDecided(draft));
      const decision = validateEmailDecision(
        action.action_id === APPROVE_EMAIL ? { decision: 'approve', by } : { decision: 'reject', by, reason: 'rejected in Slack' },
      );
      try {
        await signalRun(deps.temporalClient, workflowId, emailDecisionSignal, decision);
      } catch (error) {
        if (error instanceof HttpError) return temporalTrouble(error);
        throw error;
      }
      return action.action_id === APPROVE_EMAIL
        ? reply(`Approved by ${escapeSlack(by)}: the enablement email${draft?.to_name ? ` to ${escapeSlack(draft.to_name)}` : ''} will be sent.`)
        : reply(`Rejected by ${escapeSlack(by)}: the enablement email will not be sent.`);
    }
    case EDIT_EMAIL:
      return openEmailEditor(deps, workflowId, payload);
    case 'share_resources':
      return shareResources(deps, workflowId, action, by);
    case 'schedule_training_call':
      return scheduleTrainingCall(deps, workflowId, action, by);
    case NOT_NEEDED_ACTION_ID:
      return reply(await markNotNeededFromSlack(deps, workflowId, action.block_id, by, deps.now()));
    default:
      return reply(`Unknown action ${escapeSlack(action.action_id)}; nothing was done.`);
  }
}

/**
 * `share_resources` (US-3): emails the run's ranked resources to the champion, once per click: the click is Slack's
 * `action_ts` (a retried delivery of the same click carries the same one), the share's unique key in the database.
 * The `resource_share` interventions are recorded when the email is delivered (api/resource-share.ts).
 */
async function shareResources(deps: SlackActionDeps, workflowId: string, action: SlackAction, by: string): Promise<SlackReply> {
  const actionTs = typeof action.action_ts === 'string' ? action.action_ts : '';
  if (!/^\d{1,20}\.\d{1,10}$/.test(actionTs))
    return reply('This click carries no Slack action timestamp, so it cannot be sent exactly once; nothing was sent.');
  const run = await loadRun(deps.db, workflowId);
  if (!run) return reply('This enablement run is not in the database; nothing was sent.');
  const outcome = await sendSharedResources(deps.share, {
    clickKey: `slack/${workflowId}/${actionTs}`,
    source: 'slack',
    customerId: run.customerId,
    workflowId,
    requestedBy: by,
  });
  switch (outcome.kind) {
    case 'unknown_customer':
    case 'key_conflict':
      return reply('This enablement run is not in the database; nothing was sent.');
    case 'no_champion':
      return reply(`${escapeSlack(run.customerName)} has no champion email on file, so the resources were not sent. Add one to the customers file.`);
    case 'nothing_to_share':
      return reply(`Nothing new to share with ${escapeSlack(run.customerName)}: they already received every recommended resource.`);
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
}

/** `edit_email`: opens the Edit modal on the run's draft (the submission is `handleViewSubmission`). */
async function openEmailEditor(deps: SlackActionDeps, workflowId: string, payload: BlockActionsPayload): Promise<SlackReply | null> {
  const draft = await latestDraft(deps.db, workflowId);
  if (!draft) return reply('No enablement email has been drafted for this run yet; it is drafted right after the alert.');
  if (!AWAITING.has(draft.status)) return reply(alreadyDecided(draft));
  if (draft.body.length > SLACK_INPUT_MAX) {
    return reply(
      `This draft is longer than Slack's editor holds (${SLACK_INPUT_MAX} characters); edit it through the API (POST /api/workflows/.../decision).`,
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
}

/**
 * `view_submission` of the Edit modal: the CSM's subject and body become the run's `emailDecision` edit. Answers
 * null (Slack closes the modal) or errors shown inside it; the run's CSM or a lead only (api/slack-authorization.ts).
 */
export async function handleViewSubmission(deps: SlackActionDeps, payload: ViewSubmissionPayload): Promise<ViewErrors | null> {
  if (payload.view?.callback_id !== EDIT_EMAIL_CALLBACK) return viewErrors('subject', 'This dialog is not one of ours; nothing was done.');
  const workflowId = typeof payload.view.private_metadata === 'string' ? payload.view.private_metadata : '';
  if (!workflowId || workflowId.length > 1000) return viewErrors('subject', 'This dialog names no enablement run; nothing was done.');
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
  const draft = await latestDraft(deps.db, workflowId);
  if (draft && !AWAITING.has(draft.status)) return viewErrors('subject', alreadyDecided(draft));
  try {
    await signalRun(deps.temporalClient, workflowId, emailDecisionSignal, decision);
  } catch (error) {
    if (error instanceof HttpError) return viewErrors('subject', temporalTrouble(error).text);
    throw error;
  }
  return null;
}

/** `schedule_training_call`: a task for the CSM, once per click (idempotency key `slack/<action ts>`). */
async function scheduleTrainingCall(deps: SlackActionDeps, workflowId: string, action: SlackAction, by: string): Promise<SlackReply> {
  const run = await loadRun(deps.db, workflowId);
  if (!run) return reply('This enablement run is not in the database; no task was created.');
  const now = deps.now();
  const due = new Date(now.getTime() + TRAINING_CALL_DUE_HOURS * 3_600_000);
  const title = `Schedule a training call with ${run.customerName}`;
  const sessions = run.features.flatMap((feature) =>
    feature.resources.filter((resource) => resource.next_session).map((resource) => `${feature.featureName}: ${describeResource(resource)}`),
  );
  const description = [
    `Requested from the Slack alert by ${by}.`,
    `Features: ${run.features.map((feature) => feature.featureName).join(', ') || 'none recorded'}.`,
    ...(sessions.length ? ['Upcoming live trainings:', ...sessions.map((line) => `- ${line}`)] : []),
  ].join('\n');
  const key = `slack/${action.action_ts ?? now.toISOString()}`;
  await createTask(deps.db, {
    idempotencyKey: key,
    customerId: run.customerId,
    featureIds: run.features.map((feature) => feature.featureId),
    title,
    description,
    priority: 'medium',
    dueAt: due.toISOString(),
    owner: { name: run.csmName, email: run.csmEmail },
    workflowId,
    stepId: 'slack:schedule_training_call',
  });
  const dueText = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(due);
  return reply(`Task created: ${escapeSlack(title)} (due ${dueText}${run.csmName ? `, owner ${escapeSlack(run.csmName)}` : ''}).`);
}

/** Payloads we act on; anything else is acknowledged and ignored. */
export function parseInteractivityPayload(form: string): { type: string; payload: unknown } {
  const params = new URLSearchParams(form);
  const raw = params.get('payload');
  if (raw === null) throw new HttpError(400, 'body/payload is required (Slack sends payload=<json>)', 'body/payload');
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'body/payload is not valid JSON', 'body/payload');
  }
  if (typeof payload !== 'object' || payload === null) throw new HttpError(400, 'body/payload must be a JSON object', 'body/payload');
  const type = (payload as { type?: unknown }).type;
  return { type: typeof type === 'string' ? type : 'unknown', payload };
}
