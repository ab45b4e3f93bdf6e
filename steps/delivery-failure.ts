import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryInProgress } from '../channels/delivery';

/** Another attempt (or the outbox relay) is sending this message right now: try again when its lease ends. */
export function deliveryInProgressFailure(error: DeliveryInProgress): ApplicationFailure {
  return ApplicationFailure.create({ message: error.message, type: 'DeliveryInProgress', nextRetryDelay: `${error.retryAfterSeconds}s` });
}
