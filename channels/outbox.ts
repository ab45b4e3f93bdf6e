import type { Db } from '../db/database';

/**
 * `outbox`: every channel's message under its idempotency key (workflow id + step id, or the booking's). Sending goes
 * through channels/delivery.ts (`prepareDelivery` then `deliver`: the claim protocol of docs/delivery.md, exactly once
 * at the peer). A message whose channel is not configured (or was down) waits undelivered for the relay; a delivered
 * one is never overwritten. OUTBOX_CHANNELS is the one list of channels: the outbox's CHECK constraint
 * (db/migrations) is tested against it, and each has its sender in channels/delivery-channels.ts.
 */
export const OUTBOX_CHANNELS = ['slack', 'email', 'in_app'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** The peer's id of each delivered message among `keys` (a key not delivered, or not there, is absent). */
export async function deliveredRefs(db: Db, keys: readonly string[]): Promise<Map<string, string | null>> {
  const delivered = await db.query<{ idempotency_key: string; delivery_ref: string | null }>(
    `SELECT idempotency_key, delivery_ref FROM outbox WHERE delivered AND idempotency_key = ANY($1::text[])`,
    [[...keys]],
  );
  return new Map(delivered.rows.map((row) => [row.idempotency_key, row.delivery_ref]));
}
