import { stepKey } from '../../adoption/model/run-facts';
import { recordEmailInterventions } from '../../adoption/interventions';
import { UUID_PATTERN as UUID } from '../../adoption/model/identifiers';
import { EMAIL_DECISIONS, type EmailDecision } from '../signals';
import type { StepContext } from '../../adoption/model/run-facts';
import { MailFailure, mailDomainOf, type MailMessage, DEFAULT_SENDER } from '../../channels/mailer';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/database';
import {
  draftEmailInOutbox,
  earlierDraftEmail,
  expireDraft,
  lockDraft as lockStoredDraft,
  markDraftSent,
  rejectDraft,
  type LockedDraft,
} from '../../adoption/drafts';
import { currentTime, type ActivityDeps } from '../activity-deps';
import { deliver, DeliveryInProgress, prepareDelivery } from '../../channels/delivery';
import { deliveryInProgressFailure } from '../delivery-failure';

export interface SendEmailArgs {
  draftId: string;
  /** The CSM's decision; absent when the approval wait timed out (the draft then expires unsent). */
  decision?: EmailDecision | null;
  /** Overrides the draft's recipient. */
  to?: string;
}

export interface SendEmailResult {
  sent: boolean;
  status: 'sent' | 'rejected' | 'expired';
  delivered: 'smtp' | 'outbox' | null;
  messageId: string | null;
  subject: string;
}

/** The activities a `send_email` step calls (the worker registers them under these names). */
export interface SendEmailActivities {
  sendEmail(context: StepContext, args: SendEmailArgs): Promise<SendEmailResult>;
}

/**
 * `send_email`: acts on the CSM's decision about a stored draft.
 *
 * - approve: send the draft as stored; edit: store the CSM's subject/body, then send; reject: mark rejected (who,
 *   why), nothing sent; no decision: the approval wait timed out, the draft expires unsent. A draft that never needed
 *   approval (status `draft`) is sent without a decision.
 * - Sending: SMTP through nodemailer when configured, else the message waits in the outbox for the relay
 *   (`delivered: 'outbox'`); `delivered` says which.
 * - Exactly once (docs/delivery.md): under the draft's lock the message is written to the outbox (its Message-ID
 *   derived from the draft id); the shared delivery adapter then claims it in its own commit, sends it and marks it
 *   delivered; a last transaction marks the draft sent and records the interventions. A retry finds the draft sent,
 *   or the message delivered (nothing is sent again), or a claim left open by a worker that died between SMTP's 250
 *   and the mark: that message is resent as the same message (same Message-ID), which the mail store keeps once.
 * - A sent email is an intervention: one `interventions` row per feature of the draft, with the score at
 *   the time, and feature_adoption.intervention_sent_at / intervention_type; a queued one counts only from its
 *   delivery by the relay (`delivery` 'queued' until then).
 */
export function createActivities(deps: ActivityDeps): SendEmailActivities {
  return {
    async sendEmail(context: StepContext, args: SendEmailArgs): Promise<SendEmailResult> {
      if (typeof args.draftId !== 'string' || !UUID.test(args.draftId)) {
        throw ApplicationFailure.create({
          message: `send_email: draft id ${JSON.stringify(args.draftId)} is not a UUID`,
          type: 'EmailDraftNotFound',
          nonRetryable: true,
        });
      }
      const decision = args.decision ?? null;
      if (decision && !EMAIL_DECISIONS.includes(decision.decision)) {
        throw ApplicationFailure.create({
          message: `send_email: unknown decision ${JSON.stringify(decision.decision)}`,
          type: 'InvalidDecision',
          nonRetryable: true,
        });
      }
      const key = stepKey(context.workflowId, context.stepId);
      const now = currentTime(deps);
      // 1. Under the draft's lock: the decision, and the message written to the outbox before anything is sent.
      const prepared = await deps.db.transaction(async (tx) => {
        const draft = await lockDraft(tx, args.draftId);
        const unsent = (status: 'rejected' | 'expired', subject: string): SendEmailResult => ({
          sent: false,
          status,
          delivered: null,
          messageId: null,
          subject,
        });

        if (draft.status === 'sent') return earlierResult(tx, draft, key);
        if (draft.status === 'rejected' || draft.status === 'expired') return unsent(draft.status, draft.subject);

        if (!decision && draft.status === 'pending_approval') {
          await expireDraft(tx, draft.id, now, 'approval timed out');
          return unsent('expired', draft.subject);
        }
        if (decision?.decision === 'reject') {
          await rejectDraft(tx, draft.id, decision.by, now, decision.reason ?? null);
          return unsent('rejected', draft.subject);
        }

        const subject = decision?.decision === 'edit' && decision.subject?.trim() ? decision.subject : draft.subject;
        const body = decision?.decision === 'edit' && decision.body?.trim() ? decision.body : draft.body;
        const to = args.to ?? draft.toEmail;
        if (!to) {
          throw ApplicationFailure.create({
            message: `send_email: draft ${draft.id} has no recipient (the customer has no champion email) and no \`to\` was given`,
            type: 'EmailNoRecipient',
            nonRetryable: true,
          });
        }
        const from = deps.email?.from ?? DEFAULT_SENDER;
        // Derived from the draft: every attempt, and a resend in doubt, is the same message to the receiving store.
        const messageId = `<draft-${draft.id}@${mailDomainOf(from)}>`;
        const message: MailMessage = {
          from,
          to: draft.toName && to === draft.toEmail ? { name: draft.toName, address: to } : to,
          // The CSM wrote (or approved) the words: replies should reach them, not the sending service.
          ...(draft.fromEmail ? { replyTo: draft.fromEmail } : {}),
          subject,
          text: body,
          messageId,
        };
        await prepareDelivery(tx, {
          key,
          channel: 'email',
          recipient: to,
          payload: { draftId: draft.id, from, to, replyTo: draft.fromEmail, subject, body, messageId, message },
        });
        return null;
      });
      if (prepared) return prepared;

      // 2. The send: claimed and marked in their own commits (channels/delivery.ts), no lock held across it.
      let outcome;
      try {
        outcome = await deliver(deps.db, deps, key);
      } catch (error) {
        if (error instanceof DeliveryInProgress) throw deliveryInProgressFailure(error);
        throw smtpFailure(error);
      }

      // 3. The draft is sent (or queued) and the email is an intervention, once, whichever attempt gets here.
      return deps.db.transaction(async (tx) => {
        const draft = await lockDraft(tx, args.draftId);
        if (draft.status === 'sent') return earlierResult(tx, draft, key);
        // The row as it is now (locked against the relay's mark): a message the relay delivered meanwhile counts.
        const row = (await draftEmailInOutbox<{ subject: string; body: string; to: string }>(tx, key))!;
        const stored = row.payload;
        const delivered: 'smtp' | 'outbox' = row.delivered ? 'smtp' : 'outbox';
        const result: SendEmailResult = {
          sent: true,
          status: 'sent',
          delivered,
          messageId: row.delivered ? (outcome.state === 'delivered' ? outcome.receipt.ref : row.deliveryRef) : null,
          subject: stored.subject,
        };
        await markDraftSent(tx, { draftId: draft.id, subject: stored.subject, body: stored.body, to: stored.to, at: now, by: decision?.by ?? null });
        await recordEmailInterventions(tx, {
          customerId: draft.customerId ?? context.customerId,
          featureIds: draft.featureIds.length ? draft.featureIds : context.featureIds,
          key,
          workflowId: context.workflowId,
          at: now,
          details: `Enablement email "${stored.subject}" sent to ${stored.to} (draft ${draft.id}, ${delivered})`,
          body: stored.body,
          delivery: delivered === 'smtp' ? 'delivered' : 'queued',
          performedBy: decision?.by ?? draft.decidedBy,
        });
        return result;
      });
    },
  };
}

async function lockDraft(tx: Db, draftId: string): Promise<LockedDraft> {
  const draft = await lockStoredDraft(tx, draftId);
  if (!draft) {
    throw ApplicationFailure.create({ message: `send_email: no email draft ${draftId}`, type: 'EmailDraftNotFound', nonRetryable: true });
  }
  return draft;
}

function smtpFailure(error: unknown): Error {
  if (!(error instanceof MailFailure)) return error instanceof Error ? error : new Error(String(error));
  return ApplicationFailure.create({
    message: error.message,
    type: error.permanent ? 'EmailRejected' : 'EmailUnavailable',
    nonRetryable: error.permanent,
    details: [{ responseCode: error.responseCode, code: error.code }],
  });
}

/** The result the attempt that sent the draft returned, from its outbox record. */
async function earlierResult(tx: Db, draft: LockedDraft, key: string): Promise<SendEmailResult> {
  const row = await earlierDraftEmail<{ result?: SendEmailResult }>(tx, key, draft.id);
  if (row?.payload?.result) return row.payload.result;
  return {
    sent: true,
    status: 'sent',
    delivered: row ? (row.delivered ? 'smtp' : 'outbox') : null,
    messageId: row?.deliveryRef ?? null,
    subject: draft.subject,
  };
}
