import type { DeliveryHooks } from '../channels/delivery-hooks';
import { markEmailInterventionsDelivered } from './interventions';
import { recordShareDelivered } from './resource-share';

/**
 * What "delivered" means to the domain, per outbox payload kind; the worker hands these to the channels, which run
 * each in the transaction that marks its message delivered, whoever delivers it (the step, the relay, a share).
 */
export const deliveryHooks: DeliveryHooks = {
  /** The enablement email: its queued interventions count from its delivery on. */
  email: async (tx, message) => {
    await markEmailInterventionsDelivered(tx, message.key, message.deliveredAt);
  },
  /** A resource share: its interventions and engagements are recorded, dated from the delivery. */
  resource_share: async (tx, message) => {
    if (typeof message.payload.shareId === 'string') await recordShareDelivered(tx, message.payload.shareId, message.deliveredAt);
  },
};
