import type { Db } from '../db/database';
import type { OutboxMessage } from './delivery-channels';
import type { OutboxChannel } from './outbox';

/** A message the delivery protocol has just marked delivered, as its on-delivered hook sees it. */
export interface DeliveredMessage {
  key: string;
  channel: OutboxChannel;
  payload: OutboxMessage;
  deliveredAt: Date;
}

/**
 * What "delivered" means to the owner of one payload kind (an email becomes an intervention, a share is recorded):
 * run in the transaction that marks the message delivered, so the mark and its consequences commit together.
 */
export type OnDelivered = (tx: Db, message: DeliveredMessage) => Promise<void>;

/** One hook per payload kind (`payloadKindOf`); a kind without one needs nothing beyond the mark. */
export type DeliveryHooks = Readonly<Partial<Record<string, OnDelivered>>>;

/** The payload's `kind`; a step's message carries none and is of its channel's plain kind ('email', 'slack', ...). */
export function payloadKindOf(channel: OutboxChannel, payload: OutboxMessage): string {
  return typeof payload.kind === 'string' ? payload.kind : channel;
}
