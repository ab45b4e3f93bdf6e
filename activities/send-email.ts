import { createTransport } from 'nodemailer';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/database';
import type { EmailDecision, SendEmailArgs, SendEmailResult, StepContext } from './contracts';
import { currentTime, type ActivityDeps } from './deps';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECISIONS: ReadonlyArray<EmailDecision['decision']> = ['approve', 'edit', 'reject'];
const DEFAULT_FROM = 'adoption-enablement@localhost';

interface DraftRow {
  id: string;
  customer_id: string | null;
  feature_ids: string[];
  to_email: string | null;
  to_name: string | null;
  from_email: string | null;
  subject: string;
  body: string;
  status: 'draft' | 'pending_approval' | 'approved' | 'rejected' | 'expired' | 'sent';
}

/**
 * `send_email`: acts on the CSM's decision about a stored draft.
 *
 * - approve: send the draft as stored; edit: store the CSM's subject/body, then send; reject: mark rejected (who,
 *   why), nothing sent; no decision: the approval wait timed out, the draft expires unsent. A draft that never needed
 *   approval (status `draft`) is sent without a decision.
 * - Sending: SMTP through nodemailer when configured, else the outbox. Both count as sent; `delivered` says where.
 * - Idempotency: the draft row is locked (SELECT ... FOR UPDATE) for the whole attempt and its status decides: a
 *   draft already `sent` returns the earlier result without sending again, so a retry, or two attempts racing after
 *   a timeout, send once. The Message-ID is derived from the draft id, so even the remaining gap (SMTP accepted, then
 *   the commit failed) resends the same message id, which receiving servers can deduplicate.
 * - A sent email is an intervention (FR-4.2): one `interventions` row per feature of the draft, with the score at
 *   the time, and feature_adoption.intervention_sent_at / intervention_type.
 */
export function createSendEmailActivity(deps: ActivityDeps) {
  return {
    async sendEmail(context: StepContext, args: SendEmailArgs): Promise<SendEmailResult> {
      if (typeof args.draftId !== 'string' || !UUID.test(args.draftId)) {
        throw ApplicationFailure.create({ message: `send_email: draft id ${JSON.stringify(args.draftId)} is not a UUID`, type: 'EmailDraftNotFound', nonRetryable: true });
      }
      const decision = args.decision ?? null;
      if (decision && !DECISIONS.includes(decision.decision)) {
        throw ApplicationFailure.create({ message: `send_email: unknown decision ${JSON.stringify(decision.decision)}`, type: 'InvalidDecision', nonRetryable: true });
      }
      const key = `${context.workflowId}/${context.stepId}`;
      return deps.db.transaction(async (tx) => {
        const draft = (
          await tx.query<DraftRow>(
            `SELECT id, customer_id, feature_ids, to_email, to_name, from_email, subject, body, status
               FROM email_drafts WHERE id = $1 FOR UPDATE`,
            [args.draftId],
          )
        ).rows[0];
        if (!draft) {
          throw ApplicationFailure.create({ message: `send_email: no email draft ${args.draftId}`, type: 'EmailDraftNotFound', nonRetryable: true });
        }
        const now = currentTime(deps);
        const unsent = (status: 'rejected' | 'expired', subject: string): SendEmailResult => ({ sent: false, status, delivered: null, messageId: null, subject });

        if (draft.status === 'sent') return earlierResult(tx, draft, key);
        if (draft.status === 'rejected' || draft.status === 'expired') return unsent(draft.status, draft.subject);

        if (!decision && draft.status === 'pending_approval') {
          await tx.query(
            `UPDATE email_drafts SET status = 'expired', decided_at = $2, decision_reason = $3 WHERE id = $1`,
            [draft.id, now, 'approval timed out'],
          );
          return unsent('expired', draft.subject);
        }
        if (decision?.decision === 'reject') {
          await tx.query(
            `UPDATE email_drafts SET status = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $1`,
            [draft.id, decision.by, now, decision.reason ?? null],
          );
          return unsent('rejected', draft.subject);
        }

        const subject = decision?.decision === 'edit' && decision.subject?.trim() ? decision.subject : draft.subject;
        const body = decision?.decision === 'edit' && decision.body?.trim() ? decision.body : draft.body;
        const to = args.to ?? draft.to_email;
        if (!to) {
          throw ApplicationFailure.create({
            message: `send_email: draft ${draft.id} has no recipient (the customer has no champion email) and no \`to\` was given`,
            type: 'EmailNoRecipient',
            nonRetryable: true,
          });
        }
        const from = deps.email?.from ?? DEFAULT_FROM;
        const messageHeaderId = `<draft-${draft.id}@${domainOf(from)}>`;
        let delivered: 'smtp' | 'outbox' = 'outbox';
        let messageId: string | null = null;
        if (deps.email?.smtpUrl) {
          messageId = await sendSmtp(deps.email.smtpUrl, {
            from,
            to: draft.to_name && to === draft.to_email ? { name: draft.to_name, address: to } : to,
            // The CSM wrote (or approved) the words: replies should reach them, not the sending service.
            replyTo: draft.from_email ?? undefined,
            subject,
            text: body,
            messageId: messageHeaderId,
          });
          delivered = 'smtp';
        }
        const result: SendEmailResult = { sent: true, status: 'sent', delivered, messageId, subject };

        await tx.query(
          `INSERT INTO outbox (idempotency_key, channel, recipient, payload, delivered, delivery_ref)
           VALUES ($1, 'email', $2, $3::jsonb, $4, $5)
           ON CONFLICT (idempotency_key) DO UPDATE
             SET recipient = EXCLUDED.recipient, payload = EXCLUDED.payload, delivered = EXCLUDED.delivered, delivery_ref = EXCLUDED.delivery_ref`,
          [key, to, JSON.stringify({ draftId: draft.id, from, to, replyTo: draft.from_email, subject, body, messageId: messageHeaderId, result }), delivered === 'smtp', messageId],
        );
        await tx.query(
          `UPDATE email_drafts
              SET status = 'sent', subject = $2, body = $3, to_email = $4, sent_at = $5,
                  decided_by = COALESCE($6, decided_by), decided_at = CASE WHEN $6::text IS NULL THEN decided_at ELSE $5 END
            WHERE id = $1`,
          [draft.id, subject, body, to, now, decision?.by ?? null],
        );
        await recordInterventions(tx, {
          customerId: draft.customer_id ?? context.customerId,
          featureIds: draft.feature_ids.length ? draft.feature_ids : context.featureIds,
          key,
          workflowId: context.workflowId,
          at: now,
          details: `Enablement email "${subject}" sent to ${to} (draft ${draft.id}, ${delivered})`,
          body,
        });
        return result;
      });
    },
  };
}

interface MailMessage {
  from: string;
  to: string | { name: string; address: string };
  replyTo?: string;
  subject: string;
  text: string;
  messageId: string;
}

async function sendSmtp(smtpUrl: string, message: MailMessage): Promise<string> {
  const transport = createTransport(smtpUrl);
  try {
    const info = await transport.sendMail(message);
    return String(info.messageId ?? message.messageId);
  } catch (error) {
    const failure = error as { responseCode?: number; code?: string; message?: string };
    // 5xx replies (mailbox unknown, message refused) and bad credentials fail the same way every time.
    const permanent = (failure.responseCode ?? 0) >= 500 || failure.code === 'EAUTH' || failure.code === 'EENVELOPE';
    throw ApplicationFailure.create({
      message: `SMTP send failed: ${failure.message ?? String(error)}`,
      type: permanent ? 'EmailRejected' : 'EmailUnavailable',
      nonRetryable: permanent,
      details: [{ responseCode: failure.responseCode ?? null, code: failure.code ?? null }],
    });
  } finally {
    transport.close();
  }
}

/** The result the attempt that sent the draft returned, from its outbox record. */
async function earlierResult(tx: Db, draft: DraftRow, key: string): Promise<SendEmailResult> {
  const row = (
    await tx.query<{ delivered: boolean; delivery_ref: string | null; payload: { result?: SendEmailResult } | null }>(
      `SELECT delivered, delivery_ref, payload FROM outbox
        WHERE channel = 'email' AND (idempotency_key = $1 OR payload->>'draftId' = $2)
        ORDER BY (idempotency_key = $1) DESC, id DESC LIMIT 1`,
      [key, draft.id],
    )
  ).rows[0];
  if (row?.payload?.result) return row.payload.result;
  return {
    sent: true,
    status: 'sent',
    delivered: row ? (row.delivered ? 'smtp' : 'outbox') : null,
    messageId: row?.delivery_ref ?? null,
    subject: draft.subject,
  };
}

async function recordInterventions(
  tx: Db,
  run: { customerId: string; featureIds: string[]; key: string; workflowId: string; at: Date; details: string; body: string },
): Promise<void> {
  const bodyUrls = urlsIn(run.body);
  const catalogUrls = new Map<string, string[]>();
  if (!bodyUrls.length) {
    const catalog = await tx.query<{ feature_id: string; training_resources: Array<{ url?: unknown }> | null }>(
      `SELECT feature_id, training_resources FROM feature_catalog WHERE feature_id = ANY($1::text[])`,
      [run.featureIds],
    );
    for (const row of catalog.rows) {
      catalogUrls.set(row.feature_id, (row.training_resources ?? []).map((r) => r.url).filter((url): url is string => typeof url === 'string'));
    }
  }
  for (const featureId of run.featureIds) {
    const resources = bodyUrls.length ? bodyUrls : (catalogUrls.get(featureId) ?? []);
    await tx.query(
      `INSERT INTO interventions (idempotency_key, feature_adoption_id, customer_id, feature_id, intervention_type, details,
                                  resources_shared, workflow_id, occurred_at, adoption_before)
       SELECT $1, fa.id, $2::uuid, $3::text, 'email', $4, $5::jsonb, $6, $7, fa.usage_score
         FROM (SELECT 1) AS one
         LEFT JOIN feature_adoption fa ON fa.customer_id = $2::uuid AND fa.feature_id = $3::text
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [`${run.key}/${featureId}`, run.customerId, featureId, run.details, JSON.stringify(resources), run.workflowId, run.at],
    );
  }
  await tx.query(
    `UPDATE feature_adoption SET intervention_sent_at = $3, intervention_type = 'email', updated_at = $3
      WHERE customer_id = $1 AND feature_id = ANY($2::text[])`,
    [run.customerId, run.featureIds, run.at],
  );
}

/** The links in a plain-text body, in order, without trailing punctuation. */
export function urlsIn(text: string): string[] {
  const found = (text.match(/https?:\/\/[^\s<>"'()\[\]]+/g) ?? []).map((url) => url.replace(/[.,;:!?]+$/, ''));
  return [...new Set(found)];
}

function domainOf(address: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(address)?.[1] ?? 'adoption-enablement.local';
}
