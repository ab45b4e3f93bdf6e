import type { Db } from '../db/database';

/**
 * `outbox`: every channel's message under its idempotency key (workflow id + step id, or the booking's). Sending goes
 * through adapters/delivery.ts (`prepareDelivery` then `deliver`: the claim protocol of docs/delivery.md, exactly once
 * at the peer); `recordOutbox` only records a message some caller delivered itself. A message whose channel is not
 * configured (or was down) waits undelivered for the relay; a delivered one is never overwritten.
 */
export type OutboxChannel = 'slack' | 'email' | 'in_app';

export interface OutboxEntry {
  key: string;
  channel: OutboxChannel;
  recipient: string | null;
  payload: object;
  delivered: boolean;
  /** The peer's id of the delivery (Slack ts, SMTP Message-ID). */
  deliveryRef?: string | null;
}

export async function recordOutbox(db: Db, entry: OutboxEntry): Promise<void> {
  await db.query(
    `INSERT INTO outbox (idempotency_key, channel, recipient, payload, delivered, delivery_ref)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6)
     ON CONFLICT (idempotency_key) DO UPDATE
       SET recipient = EXCLUDED.recipient, payload = EXCLUDED.payload, delivered = EXCLUDED.delivered, delivery_ref = EXCLUDED.delivery_ref
     WHERE NOT outbox.delivered`,
    [entry.key, entry.channel, entry.recipient, JSON.stringify(entry.payload), entry.delivered, entry.deliveryRef ?? null],
  );
}
