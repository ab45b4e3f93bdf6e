import { ApplicationFailure } from '@temporalio/common';
import { currentTime, type ActivityDeps } from '../../adapters/deps';
import { deliveredResult, recordOutbox } from '../../adapters/outbox';
import { signWebhook } from '../../adapters/webhook-signature';
import type { StepContext, TrainingResource } from '../../core/run-facts';

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

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * `send_in_app_tips` (FR-3.5): the catalog `tips` of each feature of the run (one tip per line), posted as one signed
 * JSON message to `IN_APP_WEBHOOK_URL`, or written to the outbox when it is unset. Idempotent like every channel: the
 * delivery is recorded in `outbox` under workflow id + step id, and the message carries that key as its `id` and as
 * `Idempotency-Key`, so a retry after a lost answer lets the receiver drop the repeat.
 */
export function createActivities(deps: ActivityDeps): SendInAppTipsActivities {
  return {
    async sendInAppTips(context, args) {
      const key = `${context.workflowId}/${context.stepId}`;
      const earlier = await deliveredResult<SendInAppTipsResult>(deps.db, key);
      if (earlier) return earlier;

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
      const url = deps.inApp?.webhookUrl;
      if (!url) {
        const result: SendInAppTipsResult = { delivered: 'outbox', tips: tips.length };
        await recordOutbox(deps.db, { key, channel: 'in_app', recipient: null, payload: { message, result }, delivered: false });
        return result;
      }
      const secret = deps.inApp?.secret;
      if (!secret) {
        throw ApplicationFailure.create({
          message: 'send_in_app_tips: IN_APP_WEBHOOK_URL is set but IN_APP_WEBHOOK_SECRET is not; tips are only sent signed',
          type: 'InAppWebhookNotConfigured',
          nonRetryable: true,
        });
      }
      const body = JSON.stringify(message);
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, ...signWebhook(secret, body, currentTime(deps)) },
          body,
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
      } catch (error) {
        throw ApplicationFailure.create({
          message: `send_in_app_tips: ${url} unreachable: ${(error as Error).message}`,
          type: 'InAppWebhookUnreachable',
        });
      }
      if (!response.ok) throw webhookFailure(url, response);
      const result: SendInAppTipsResult = { delivered: 'webhook', tips: tips.length };
      await recordOutbox(deps.db, { key, channel: 'in_app', recipient: url, payload: { message, result }, delivered: true });
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

function webhookFailure(url: string, response: Response): ApplicationFailure {
  const status = response.status;
  // 429 and 5xx say "later"; any other refusal will be the same on every attempt.
  const retryable = status === 429 || status >= 500;
  const retryAfter = Number(response.headers.get('retry-after'));
  return ApplicationFailure.create({
    message: `send_in_app_tips: ${url} answered ${status}`,
    type: 'InAppWebhookRefused',
    nonRetryable: !retryable,
    ...(retryable && retryAfter > 0 ? { nextRetryDelay: retryAfter * 1000 } : {}),
  });
}
