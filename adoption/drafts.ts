import type { Db } from '../db/database';
import { DomainError } from './errors';
import { idWords } from './model/labels';

/**
 * Email drafts: the communicator stores one per run step, the CSM decides on it (Slack, the workspace, the API) and
 * the run's `send_email` step sends, rejects or expires it. The only module that reads or writes `email_drafts`.
 */
export type DraftStatus = 'draft' | 'pending_approval' | 'approved' | 'rejected' | 'expired' | 'sent';

/**
 * The statuses a CSM may decide on. A `draft` never asked for approval: the run sends it without waiting, so only a
 * `pending_approval` draft has a run waiting for the CSM's answer.
 */
export const DECIDABLE_STATUSES: readonly DraftStatus[] = ['pending_approval'];

/** Whether a CSM's approve, edit or reject may be taken on a draft in this status. */
export function awaitsDecision(status: string): boolean {
  return (DECIDABLE_STATUSES as readonly string[]).includes(status);
}

/** Why no decision can be taken on a draft in this status, worded to follow "the draft is". */
export function noDecisionReason(status: string): string {
  return status === 'draft' ? 'not waiting for approval (it needs none)' : `already ${idWords(status)}`;
}

export interface NewDraft {
  /** Workflow id + step id: a retried activity finds the draft its first attempt stored. */
  idempotencyKey: string;
  workflowId: string;
  stepId: string;
  customerId: string;
  featureIds: string[];
  toEmail: string | null;
  toName: string | null;
  fromEmail: string | null;
  subject: string;
  body: string;
  status: 'draft' | 'pending_approval';
}

export interface StoredDraft {
  id: string;
  toName: string | null;
  toEmail: string | null;
  subject: string;
  body: string;
  status: string;
}

/** Stores a drafted email once per key and answers the stored one (the first attempt's text on a retry). */
export async function storeDraft(db: Db, draft: NewDraft): Promise<StoredDraft> {
  await db.query(
    `INSERT INTO email_drafts (idempotency_key, workflow_id, step_id, customer_id, feature_ids, to_email, to_name, from_email, subject, body, status)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10, $11)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      draft.idempotencyKey,
      draft.workflowId,
      draft.stepId,
      draft.customerId,
      draft.featureIds,
      draft.toEmail,
      draft.toName,
      draft.fromEmail,
      draft.subject,
      draft.body,
      draft.status,
    ],
  );
  const { rows } = await db.query<{ id: string; to_name: string | null; to_email: string | null; subject: string; body: string; status: string }>(
    `SELECT id, to_name, to_email, subject, body, status FROM email_drafts WHERE idempotency_key = $1`,
    [draft.idempotencyKey],
  );
  const row = rows[0];
  if (!row) throw new Error(`email draft ${draft.idempotencyKey} vanished between insert and select`);
  return { id: row.id, toName: row.to_name, toEmail: row.to_email, subject: row.subject, body: row.body, status: row.status };
}

export interface RunDraft extends StoredDraft {
  decidedBy: string | null;
}

/** The newest draft of a run, by its exact workflow id; null before the communicator drafted one. */
export async function latestDraftOfRun(db: Db, workflowId: string): Promise<RunDraft | null> {
  const { rows } = await db.query<{
    id: string;
    to_name: string | null;
    to_email: string | null;
    subject: string;
    body: string;
    status: string;
    decided_by: string | null;
  }>(
    `SELECT id, to_name, to_email, subject, body, status, decided_by FROM email_drafts
      WHERE workflow_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [workflowId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    toName: row.to_name,
    toEmail: row.to_email,
    subject: row.subject,
    body: row.body,
    status: row.status,
    decidedBy: row.decided_by,
  };
}

/** The customer a run drafted for, for a run whose risk signal is gone; null when it drafted nothing. */
export async function customerOfDraftedRun(db: Db, workflowId: string): Promise<string | null> {
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT customer_id FROM email_drafts WHERE workflow_id = $1 AND customer_id IS NOT NULL LIMIT 1`,
    [workflowId],
  );
  return rows[0]?.customer_id ?? null;
}

export interface DraftFilter {
  /** The CSM's e-mail (customers.csm_email). */
  csm?: string;
  segment?: string;
}

export interface PendingDraft {
  id: string;
  customerId: string | null;
  customerName: string | null;
  workflowId: string | null;
  toName: string | null;
  toEmail: string | null;
  subject: string;
  body: string;
  createdAt: string;
}

/** Drafts a run waits on for a decision, oldest first: a CSM's, a segment's, a customer's, or all. */
export async function pendingDrafts(db: Db, filter: DraftFilter, customerId?: string): Promise<PendingDraft[]> {
  const { rows } = await db.query<{
    id: string;
    customer_id: string | null;
    customer_name: string | null;
    workflow_id: string | null;
    to_name: string | null;
    to_email: string | null;
    subject: string;
    body: string;
    created_at: Date;
  }>(
    `SELECT d.id, d.customer_id, c.name AS customer_name, d.workflow_id, d.to_name, d.to_email, d.subject, d.body, d.created_at
       FROM email_drafts d LEFT JOIN customers c ON c.id = d.customer_id
      WHERE d.status = ANY($4::text[]) AND d.workflow_id IS NOT NULL
        AND ($1::text IS NULL OR c.csm_email = $1)
        AND ($2::text IS NULL OR c.segment = $2)
        AND ($3::uuid IS NULL OR d.customer_id = $3::uuid)
      ORDER BY d.created_at, d.id
      LIMIT 100`,
    [filter.csm ?? null, filter.segment ?? null, customerId ?? null, [...DECIDABLE_STATUSES]],
  );
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    workflowId: row.workflow_id,
    toName: row.to_name,
    toEmail: row.to_email,
    subject: row.subject,
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}

/** A draft a CSM is deciding on: its run and customer. Refuses (not found, conflict) what cannot be decided. */
export async function draftAwaitingDecision(db: Db, draftId: string): Promise<{ workflowId: string; customerId: string | null }> {
  const { rows } = await db.query<{ workflow_id: string | null; status: string; customer_id: string | null }>(
    `SELECT workflow_id, status, customer_id FROM email_drafts WHERE id = $1::uuid`,
    [draftId],
  );
  const row = rows[0];
  if (!row || !row.workflow_id) throw new DomainError('not_found', `email draft ${draftId} not found`);
  if (!awaitsDecision(row.status)) {
    throw new DomainError('conflict', `email draft ${draftId} is ${noDecisionReason(row.status)}; nothing to decide`);
  }
  return { workflowId: row.workflow_id, customerId: row.customer_id };
}

export interface LockedDraft {
  id: string;
  customerId: string | null;
  featureIds: string[];
  toEmail: string | null;
  toName: string | null;
  fromEmail: string | null;
  subject: string;
  body: string;
  status: DraftStatus;
  decidedBy: string | null;
}

/** The draft under a row lock for the rest of the transaction, so one send step acts on it at a time; null if unknown. */
export async function lockDraft(tx: Db, draftId: string): Promise<LockedDraft | null> {
  const { rows } = await tx.query<{
    id: string;
    customer_id: string | null;
    feature_ids: string[];
    to_email: string | null;
    to_name: string | null;
    from_email: string | null;
    subject: string;
    body: string;
    status: DraftStatus;
    decided_by: string | null;
  }>(
    `SELECT id, customer_id, feature_ids, to_email, to_name, from_email, subject, body, status, decided_by
       FROM email_drafts WHERE id = $1 FOR UPDATE`,
    [draftId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    customerId: row.customer_id,
    featureIds: row.feature_ids,
    toEmail: row.to_email,
    toName: row.to_name,
    fromEmail: row.from_email,
    subject: row.subject,
    body: row.body,
    status: row.status,
    decidedBy: row.decided_by,
  };
}

/** The approval wait ran out: the draft is never sent. */
export async function expireDraft(tx: Db, draftId: string, at: Date, reason: string): Promise<void> {
  await tx.query(`UPDATE email_drafts SET status = 'expired', decided_at = $2, decision_reason = $3 WHERE id = $1`, [draftId, at, reason]);
}

/** The CSM rejected the draft: who and why, and it is never sent. */
export async function rejectDraft(tx: Db, draftId: string, by: string, at: Date, reason: string | null): Promise<void> {
  await tx.query(`UPDATE email_drafts SET status = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $1`, [
    draftId,
    by,
    at,
    reason,
  ]);
}

/** The draft went out with these words to this address; `by` is who approved it (null: it needed no approval). */
export async function markDraftSent(
  tx: Db,
  sent: { draftId: string; subject: string; body: string; to: string; at: Date; by: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE email_drafts
        SET status = 'sent', subject = $2, body = $3, to_email = $4, sent_at = $5,
            decided_by = COALESCE($6, decided_by), decided_at = CASE WHEN $6::text IS NULL THEN decided_at ELSE $5 END
      WHERE id = $1`,
    [sent.draftId, sent.subject, sent.body, sent.to, sent.at, sent.by],
  );
}

/** A draft's email in the outbox: what was sent and whether the mail server took it. */
export interface DraftEmailRecord<Payload> {
  payload: Payload;
  delivered: boolean;
  deliveryRef: string | null;
}

/** The outbox message a send step wrote for its draft, share-locked against the relay marking it meanwhile. */
export async function draftEmailInOutbox<Payload>(tx: Db, key: string): Promise<DraftEmailRecord<Payload> | null> {
  const { rows } = await tx.query<{ payload: Payload; delivered: boolean; delivery_ref: string | null }>(
    `SELECT payload, delivered, delivery_ref FROM outbox WHERE idempotency_key = $1 FOR SHARE`,
    [key],
  );
  const row = rows[0];
  return row ? { payload: row.payload, delivered: row.delivered, deliveryRef: row.delivery_ref } : null;
}

/** The email that sent a draft earlier: this step's message, else any email message naming the draft. */
export async function earlierDraftEmail<Payload>(tx: Db, key: string, draftId: string): Promise<DraftEmailRecord<Payload | null> | null> {
  const { rows } = await tx.query<{ delivered: boolean; delivery_ref: string | null; payload: Payload | null }>(
    `SELECT delivered, delivery_ref, payload FROM outbox
      WHERE channel = 'email' AND (idempotency_key = $1 OR payload->>'draftId' = $2)
      ORDER BY (idempotency_key = $1) DESC, id DESC LIMIT 1`,
    [key, draftId],
  );
  const row = rows[0];
  return row ? { payload: row.payload, delivered: row.delivered, deliveryRef: row.delivery_ref } : null;
}
