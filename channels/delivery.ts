import type { Db } from '../db/database';
import type { ChannelDeps } from './deps';
import type { OutboxChannel } from './outbox';
import { CHANNEL_SENDERS, type DeliveryReceipt, type OutboxMessage } from './delivery-channels';
import { payloadKindOf } from './delivery-hooks';

/**
 * Exactly-once delivery of outbox messages (docs/delivery.md), shared by every place that sends (the send_email and
 * slack_dm steps, the training invitation, the outbox relay):
 *
 * 1. `prepareDelivery` writes the message under its key BEFORE anything reaches a peer (a retry finds the same text);
 * 2. `deliver` claims it (committed: `claimed_at`, and a lease so two attempts never send at once), hands it to the
 *    peer, then marks it delivered with the peer's receipt, running the payload kind's on-delivered hook in the
 *    same transaction;
 * 3. an attempt that finds a claim still open (the previous attempt died or lost its answer between the peer's
 *    acceptance and the mark) is IN DOUBT: the channel resolves it at the peer when it can (Slack: the message is
 *    looked up by the delivery key in its metadata) and otherwise resends the same message (email: the same
 *    Message-ID, which mail stores keep once; in-app: the same id and Idempotency-Key).
 */

/** Longer than a send can take (Slack calls and SMTP phases are bounded well below it). */
export const DELIVERY_LEASE_SECONDS = 90;
const LEASE_WAIT_MS = 20_000;
const LEASE_POLL_MS = 200;

export type DeliveryChannels = Pick<ChannelDeps, 'slack' | 'email' | 'inApp' | 'now' | 'onDelivered'>;

export type DeliveryOutcome =
  | {
      state: 'delivered';
      receipt: DeliveryReceipt;
      /** True when this call recorded the delivery (sent it, or found it at the peer); false when it was on record. */
      deliveredNow: boolean;
      /** Set when this attempt found the message in doubt: found at the peer, or resent as the same message. */
      doubt: 'found_at_peer' | 'resent' | null;
    }
  | { state: 'queued'; reason: string };

/** Another attempt holds the lease on this message: try again after `retryAfterSeconds`. */
export class DeliveryInProgress extends Error {
  constructor(
    readonly key: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`delivery ${key} is being sent by another attempt; retry after ${retryAfterSeconds}s`);
    this.name = 'DeliveryInProgress';
  }
}

export interface PreparedDelivery {
  key: string;
  channel: OutboxChannel;
  /** Slack user id, email address(es) for the log, the webhook URL; null when there is none yet. */
  recipient: string | null;
  /** What the channel sends (`message`), plus what the caller wants kept with it (draft id, template, ...). */
  payload: OutboxMessage & Record<string, unknown>;
}

/**
 * Writes the message under `key` unless it is there already: the first prepared message is the one that goes out,
 * so a retry (or a resend in doubt) sends exactly what the first attempt may have sent.
 */
export async function prepareDelivery(db: Db, delivery: PreparedDelivery): Promise<void> {
  await db.query(
    `INSERT INTO outbox (idempotency_key, channel, recipient, payload, delivered)
     VALUES ($1, $2, $3, $4::jsonb, FALSE)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [delivery.key, delivery.channel, delivery.recipient, JSON.stringify(delivery.payload)],
  );
}

interface OutboxRow {
  id: number;
  idempotency_key: string;
  channel: OutboxChannel;
  recipient: string | null;
  payload: OutboxMessage & Record<string, unknown>;
  delivered: boolean;
  receipt: DeliveryReceipt | null;
  delivery_ref: string | null;
  lease_seconds_left: number | null;
}

const ROW = `id, idempotency_key, channel, recipient, payload, delivered, receipt, delivery_ref,
  CEIL(EXTRACT(EPOCH FROM (lease_until - NOW())))::int AS lease_seconds_left`;

/** Claims the message for this attempt; null when it is delivered or another attempt holds the lease. */
async function claim(db: Db, key: string): Promise<(OutboxRow & { prior_claim: Date | null; claimed_at: Date }) | undefined> {
  const claimed = await db.query<OutboxRow & { prior_claim: Date | null; claimed_at: Date }>(
    `WITH prior AS (SELECT id, claimed_at FROM outbox WHERE idempotency_key = $1 FOR UPDATE)
     UPDATE outbox o
        SET attempts = o.attempts + 1,
            lease_until = NOW() + make_interval(secs => $2),
            claimed_at = COALESCE(o.claimed_at, NOW()),
            in_doubt_count = o.in_doubt_count + CASE WHEN prior.claimed_at IS NULL THEN 0 ELSE 1 END
       FROM prior
      WHERE o.id = prior.id AND NOT o.delivered AND (o.lease_until IS NULL OR o.lease_until <= NOW())
     RETURNING prior.claimed_at AS prior_claim, o.claimed_at, o.id, o.idempotency_key, o.channel, o.recipient, o.payload,
               o.delivered, o.receipt, o.delivery_ref, NULL::int AS lease_seconds_left`,
    [key, DELIVERY_LEASE_SECONDS],
  );
  return claimed.rows[0];
}

/** The receipt of a delivered message (older rows, written before receipts, have only delivery_ref). */
function receiptOf(row: { receipt: DeliveryReceipt | null; delivery_ref: string | null }): DeliveryReceipt {
  return row.receipt ?? { ref: row.delivery_ref };
}

/**
 * Sends the prepared message under `key` once: the claim protocol above. Answers `queued` (nothing sent, the row
 * stays for the relay) when its channel is not configured here or it has no recipient. A peer's refusal is thrown
 * as the channel client threw it (callers map it to a retry decision); DeliveryInProgress when another attempt is
 * sending it right now.
 */
export async function deliver(db: Db, channels: DeliveryChannels, key: string): Promise<DeliveryOutcome> {
  const current = (await db.query<OutboxRow>(`SELECT ${ROW} FROM outbox WHERE idempotency_key = $1`, [key])).rows[0];
  if (!current) throw new Error(`deliver: no outbox message ${key} (prepareDelivery first)`);
  if (current.delivered) return { state: 'delivered', receipt: receiptOf(current), deliveredNow: false, doubt: null };
  const sender = CHANNEL_SENDERS[current.channel];
  const notReady = sender.notReady(channels, current);
  if (notReady) return { state: 'queued', reason: notReady };

  let claimed = await claim(db, key);
  // Another attempt holds the lease (a timed-out attempt still running while its retry starts, or the relay): wait a
  // little for it to finish, so both answer with the one delivery, before handing the wait to Temporal's retry.
  for (const waitUntil = Date.now() + LEASE_WAIT_MS; !claimed; claimed = await claim(db, key)) {
    const now = (await db.query<OutboxRow>(`SELECT ${ROW} FROM outbox WHERE idempotency_key = $1`, [key])).rows[0];
    if (now?.delivered) return { state: 'delivered', receipt: receiptOf(now), deliveredNow: false, doubt: null };
    if (Date.now() >= waitUntil) throw new DeliveryInProgress(key, Math.max(1, now?.lease_seconds_left ?? 1));
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }

  const inDoubt = claimed.prior_claim !== null;
  let doubt: 'found_at_peer' | 'resent' | null = null;
  let receipt: DeliveryReceipt | null = null;
  try {
    if (inDoubt && sender.findAtPeer) {
      receipt = await sender.findAtPeer(channels, claimed, new Date(claimed.claimed_at));
      if (receipt) doubt = 'found_at_peer';
    }
    if (!receipt) {
      receipt = await sender.send(channels, claimed);
      if (inDoubt) doubt = 'resent';
    }
  } catch (error) {
    // A refusal the peer answered means it holds nothing from THIS attempt; whether an earlier attempt in doubt got
    // through is only known when the peer could be asked (then it was, and said no).
    const settled = sender.refused(error) && (!inDoubt || Boolean(sender.findAtPeer));
    await db
      .query(
        `UPDATE outbox SET lease_until = NULL, last_error = $2, claimed_at = CASE WHEN $3 THEN NULL ELSE claimed_at END
          WHERE id = $1 AND NOT delivered`,
        [claimed.id, String((error as Error)?.message ?? error).slice(0, 1000), settled],
      )
      .catch(() => undefined);
    throw error;
  }
  const accepted = receipt;
  try {
    await db.transaction(async (tx) => {
      const marked = await tx.query<{ delivered_at: Date }>(
        `UPDATE outbox SET delivered = TRUE, delivered_at = NOW(), receipt = $2::jsonb, delivery_ref = $3, lease_until = NULL,
                doubt_resolution = COALESCE($4, doubt_resolution), last_error = NULL
          WHERE id = $1
        RETURNING delivered_at`,
        [claimed.id, JSON.stringify(accepted), accepted.ref, doubt],
      );
      const onDelivered = channels.onDelivered?.[payloadKindOf(claimed.channel, claimed.payload)];
      await onDelivered?.(tx, {
        key: claimed.idempotency_key,
        channel: claimed.channel,
        payload: claimed.payload,
        deliveredAt: new Date(marked.rows[0].delivered_at),
      });
    });
  } catch (error) {
    // The peer has it, our record (or what it means) does not: the claim stays open (the next attempt is in doubt),
    // the lease ends now.
    await db
      .query(`UPDATE outbox SET lease_until = NULL, last_error = $2 WHERE id = $1 AND NOT delivered`, [
        claimed.id,
        `accepted by the peer (${receipt.ref}), not recorded: ${String((error as Error)?.message ?? error).slice(0, 900)}`,
      ])
      .catch(() => undefined);
    throw error;
  }
  return { state: 'delivered', receipt, deliveredNow: true, doubt };
}
