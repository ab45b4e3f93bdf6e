import { stepKey } from '../../adoption/model/run-facts';
import type { RunFacts } from '../../adoption/model/run-facts';
import type { StepContext } from '../../adoption/model/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode } from '@slack/web-api';
import type { JsonValue } from '../../definitions/language/types';
import type { ActivityDeps } from '../activity-deps';
import { deliver, DeliveryInProgress, prepareDelivery } from '../../channels/delivery';
import { deliveredRefs } from '../../channels/outbox';
import { deliveryInProgressFailure } from '../delivery-failure';
import { renderSlackMessage, SlackTemplateError, type SlackMessage } from './messages/index';
import { resolveRules } from '../../adoption/config/load';

export interface SlackDmArgs {
  template: string;
  includeResources: boolean;
  /** Slack user id; when absent, the customer's CSM. */
  to?: string;
  params: Record<string, JsonValue>;
  scope: Record<string, JsonValue>;
  input: RunFacts;
}

export interface SlackDmResult {
  delivered: 'slack' | 'outbox';
  channel: string | null;
  ts: string | null;
  text: string;
}

/** The activities a `slack_dm` step calls (the worker registers them under these names). */
export interface SlackDmActivities {
  slackDm(context: StepContext, args: SlackDmArgs): Promise<SlackDmResult>;
}

// Platform errors that say "try later"; every other `ok: false` (user_not_found, invalid_auth, invalid_blocks, ...)
// will fail the same way on every attempt.
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * `slack_dm`: renders a message template and DMs it to the CSM (or `to`).
 *
 * Exactly once (docs/delivery.md): the message is written to `outbox` under workflow id + step id before it is
 * posted, and posted through the shared delivery adapter: a claim committed before chat.postMessage, the post
 * carrying the key in its Slack metadata, then the delivered mark. An attempt that finds a claim left open (the
 * worker died between Slack's `ok` and the mark) looks the message up with conversations.history before posting.
 * Without a token or a recipient the message waits in the outbox for the relay, and the result says `outbox`.
 *
 * Rate limits: the client neither retries nor queues; a 429 becomes an ApplicationFailure whose nextRetryDelay is
 * Slack's Retry-After, and Temporal's retry does the waiting, visible in the Web UI.
 */
export function createActivities(deps: ActivityDeps): SlackDmActivities {
  const log = deps.log ?? ((message: string) => process.stdout.write(`${message}\n`));
  return {
    async slackDm(context: StepContext, args: SlackDmArgs): Promise<SlackDmResult> {
      const key = stepKey(context.workflowId, context.stepId);
      const message = render(context, { ...args, scope: await withCurrentDelivery(deps, context, args.scope) }, deps.links?.baseUrl);
      const recipient = args.to ?? args.input.customer.csm.slackUserId ?? null;
      await prepareDelivery(deps.db, {
        key,
        channel: 'slack',
        recipient,
        payload: { template: args.template, text: message.text, blocks: message.blocks },
      });
      let outcome;
      try {
        outcome = await deliver(deps.db, deps, key);
      } catch (error) {
        if (error instanceof DeliveryInProgress) throw deliveryInProgressFailure(error);
        throw slackFailure(error);
      }
      if (outcome.state === 'queued') {
        const reason = recipient ? outcome.reason : `customer ${args.input.customer.id} has no CSM Slack user id`;
        log(`[slack_dm ${key}] ${reason}: message for ${recipient ?? '(no recipient)'} written to the outbox\n${message.text}`);
        return { delivered: 'outbox', channel: null, ts: null, text: message.text };
      }
      return { delivered: 'slack', channel: outcome.receipt.channel ?? null, ts: outcome.receipt.ref, text: message.text };
    },
  };
}

/**
 * An email step result that said `outbox` when its step ran may have been delivered by the relay since: the message
 * (the follow-up's outcome DM above all, days later) says what is true now, from the outbox row of that step.
 */
async function withCurrentDelivery(deps: ActivityDeps, context: StepContext, scope: Record<string, JsonValue>): Promise<Record<string, JsonValue>> {
  const steps = scope?.steps;
  if (!steps || typeof steps !== 'object' || Array.isArray(steps)) return scope;
  const queued = Object.entries(steps).filter(
    ([, value]) => value !== null && typeof value === 'object' && !Array.isArray(value) && value.status === 'sent' && value.delivered === 'outbox',
  );
  if (queued.length === 0) return scope;
  const refs = await deliveredRefs(
    deps.db,
    queued.map(([stepId]) => stepKey(context.workflowId, stepId)),
  );
  if (refs.size === 0) return scope;
  const refreshed: Record<string, JsonValue> = { ...(steps as Record<string, JsonValue>) };
  for (const [stepId, value] of queued) {
    const key = stepKey(context.workflowId, stepId);
    if (refs.has(key)) refreshed[stepId] = { ...(value as Record<string, JsonValue>), delivered: 'smtp', messageId: refs.get(key) ?? null };
  }
  return { ...scope, steps: refreshed };
}

function render(context: StepContext, args: SlackDmArgs, publicBaseUrl: string | undefined): SlackMessage {
  try {
    return renderSlackMessage(args.template, {
      adoptionPageUrl: publicBaseUrl ? `${publicBaseUrl.replace(/\/$/, '')}/customers/${encodeURIComponent(args.input.customer.id)}/adoption` : null,
      workflowId: context.workflowId,
      // The "Expected: N+" of the alert is the configured rules' adopted score, as detection judged by.
      adoptedFrom: resolveRules().rules.stages.adoptedFrom,
      input: args.input,
      scope: args.scope,
      params: (args.params ?? {}) as Record<string, JsonValue>,
      includeResources: args.includeResources,
    });
  } catch (error) {
    if (error instanceof SlackTemplateError) {
      throw ApplicationFailure.create({ message: error.message, type: 'SlackTemplateError', nonRetryable: true });
    }
    throw error;
  }
}

/** Maps @slack/web-api errors to what Temporal should do about them. */
function slackFailure(error: unknown): Error {
  const coded = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  const message = error instanceof Error ? error.message : String(error);
  switch (coded?.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = Math.max(1, Math.ceil(Number(coded.retryAfter) || 1));
      return ApplicationFailure.create({
        message: `Slack rate limit: retry after ${seconds}s`,
        type: 'SlackRateLimited',
        nextRetryDelay: `${seconds}s`,
        details: [{ retryAfterSeconds: seconds }],
      });
    }
    case ErrorCode.PlatformError: {
      const slackError = coded.data?.error ?? 'unknown_error';
      return ApplicationFailure.create({
        message: `Slack API error: ${slackError}`,
        type: 'SlackPlatformError',
        nonRetryable: !TRANSIENT_PLATFORM_ERRORS.has(slackError),
        details: [{ error: slackError }],
      });
    }
    case ErrorCode.HTTPError: {
      const status = Number(coded.statusCode);
      return ApplicationFailure.create({ message: `Slack HTTP ${status}: ${message}`, type: 'SlackHttpError', nonRetryable: status < 500 });
    }
    case ErrorCode.RequestError:
      return ApplicationFailure.create({ message: `Slack unreachable: ${message}`, type: 'SlackUnavailable' });
    default:
      return error instanceof Error ? error : new Error(message);
  }
}
