import { stepKey } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import { currentTime, type ActivityDeps } from '../activity-deps';
import { deliver, DeliveryInProgress, prepareDelivery } from '../../channels/delivery';
import { WebhookRefused } from '../../channels/delivery-channels';
import { deliveryInProgressFailure } from '../delivery-failure';
import type { StepContext, TrainingResource } from '../../adoption/model/run-facts';

export interface SendInAppTipsArgs {
  customer: { id: string; name: string };
  features: Array<{ featureId: string; featureName: string; tips: string | null; resource: TrainingResource | null }>;
}

export interface SendInAppTipsResult {
  /** `none`: no feature of the run has tips in the catalog, so nothing was sent. */
  delivered: 'webhook' | 'outbox' | 'none';
  tips: number;
}

/** The activities a `send_in_app_tips` step calls (the worker registers them under these names). */
export interface SendInAppTipsActivities {
  sendInAppTips(context: StepContext, args: SendInAppTipsArgs): Promise<SendInAppTipsResult>;
}

/** What the in-app messaging tool receives (documented in definitions/README.md). */
export interface InAppTipsMessage {
  type: 'adoption.in_app_tips';
  /** Stable per run and step: a receiver that sees it twice shows the tips once. */
  id: string;
  customer: { id: string; name: string };
  tips: Array<{ featureId: string; featureName: string; tip: string; resource: { title: string; url: string } | null }>;
  sentAt: string;
}

/**
 * `send_in_app_tips`: the catalog `tips` of each feature of the run (one tip per line), posted as one signed
 * JSON message to `IN_APP_WEBHOOK_URL`, or left in the outbox for the relay when it is unset. Exactly once like every
 * channel (docs/delivery.md, the shared delivery adapter): written to `outbox` under workflow id + step id before it
 * is posted, and the message carries that key as its `id` and `Idempotency-Key`, so a resend in doubt (a worker died
 * after the receiver's 2xx) lets the receiver drop the repeat.
 */
export function createActivities(deps: ActivityDeps): SendInAppTipsActivities {
  return {
    async sendInAppTips(context, args) {
      const key = stepKey(context.workflowId, context.stepId);
      const tips = args.features.flatMap((feature) =>
        tipsOf(feature.tips).map((tip) => ({
          featureId: feature.featureId,
          featureName: feature.featureName,
          tip,
          resource: feature.resource ? { title: feature.resource.title, url: feature.resource.url } : null,
        })),
      );
      if (tips.length === 0) return { delivered: 'none', tips: 0 };
      const message: InAppTipsMessage = {
        type: 'adoption.in_app_tips',
        id: key,
        customer: args.customer,
        tips,
        sentAt: currentTime(deps).toISOString(),
      };
      if (deps.inApp?.webhookUrl && !deps.inApp.secret) {
        throw ApplicationFailure.create({
          message: 'send_in_app_tips: IN_APP_WEBHOOK_URL is set but IN_APP_WEBHOOK_SECRET is not; tips are only sent signed',
          type: 'InAppWebhookNotConfigured',
          nonRetryable: true,
        });
      }
      // The shared exactly-once delivery (docs/delivery.md); unset, the message waits in the outbox for the relay.
      await prepareDelivery(deps.db, { key, channel: 'in_app', recipient: deps.inApp?.webhookUrl ?? null, payload: { message } });
      let outcome;
      try {
        outcome = await deliver(deps.db, deps, key);
      } catch (error) {
        if (error instanceof DeliveryInProgress) throw deliveryInProgressFailure(error);
        if (error instanceof WebhookRefused) throw webhookFailure(error);
        throw ApplicationFailure.create({
          message: `send_in_app_tips: ${deps.inApp?.webhookUrl} unreachable: ${(error as Error).message}`,
          type: 'InAppWebhookUnreachable',
        });
      }
      const result: SendInAppTipsResult = { delivered: outcome.state === 'delivered' ? 'webhook' : 'outbox', tips: tips.length };
      return result;
    },
  };
}

/** Catalog tips are text, one tip per line; blank lines and list markers are not tips. */
export function tipsOf(text: string | null): string[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((line) => line !== '');
}

function webhookFailure(refused: WebhookRefused): ApplicationFailure {
  const { url, status } = refused;
  // 429 and 5xx say "later"; any other refusal will be the same on every attempt.
  const retryable = status === 429 || status >= 500;
  const retryAfter = refused.retryAfterSeconds ?? 0;
  return ApplicationFailure.create({
    message: `send_in_app_tips: ${url} answered ${status}`,
    type: 'InAppWebhookRefused',
    nonRetryable: !retryable,
    ...(retryable && retryAfter > 0 ? { nextRetryDelay: retryAfter * 1000 } : {}),
  });
}
