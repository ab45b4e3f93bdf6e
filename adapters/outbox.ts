import type { Db } from '../db/database';

/**
 * The one writer and reader of `outbox`: every channel's message under its idempotency key (workflow id + step id, or
 * the booking's). A message whose channel is not configured (or was down) waits undelivered; a delivered one is the
 * record of what went out, and a later attempt never overwrites it, so a retry finds the first delivery's result.
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

/** The `result` an earlier attempt stored with its delivery, when the message under `key` went out already. */
export async function deliveredResult<R>(db: Db, key: string): Promise<R | undefined> {
  const row = (
    await db.query<{ delivered: boolean; payload: { result?: R } | null }>(`SELECT delivered, payload FROM outbox WHERE idempotency_key = $1`, [key])
  ).rows[0];
  return row?.delivered ? row.payload?.result : undefined;
}
