import type { RunFacts } from '../../core/run-facts';
import type { StepContext } from '../../core/run-facts';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode, LogLevel, WebClient, type ChatPostMessageArguments } from '@slack/web-api';
import type { JsonValue } from '../../core/types';
import type { ActivityDeps } from '../../adapters/deps';
import { deliveredResult, recordOutbox } from '../../adapters/outbox';
import { renderSlackMessage, SlackTemplateError, type SlackMessage } from './messages/index';

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

export const SLACK_DEFAULT_API_URL = 'https://slack.com/api/';
const SLACK_HTTP_TIMEOUT_MS = 30_000;
// Platform errors that say "try later"; every other `ok: false` (user_not_found, invalid_auth, invalid_blocks, ...)
// will fail the same way on every attempt.
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/**
 * `slack_dm`: renders a message template and DMs it to the CSM (or `to`).
 *
 * Idempotency: the delivery is recorded in `outbox` under workflow id + step id; an attempt that finds the row
 * delivered returns the stored result instead of posting again. Slack has no idempotency key of its own, so the one
 * gap left is a crash between chat.postMessage returning and the outbox write (at most one duplicate DM).
 *
 * Rate limits: the client neither retries nor queues (a 429 would otherwise sleep inside the activity for up to
 * half an hour); the 429 becomes an ApplicationFailure whose nextRetryDelay is Slack's Retry-After, and Temporal's
 * retry does the waiting, visible in the Web UI.
 */
export function createActivities(deps: ActivityDeps): SlackDmActivities {
  const log = deps.log ?? ((message: string) => process.stdout.write(`${message}\n`));
  return {
    async slackDm(context: StepContext, args: SlackDmArgs): Promise<SlackDmResult> {
      const key = `${context.workflowId}/${context.stepId}`;
      const earlier = await deliveredResult<SlackDmResult>(deps.db, key);
      if (earlier) return earlier;

      const message = render(context, args);
      const recipient = args.to ?? args.input.customer.csm.slackUserId ?? null;
      const token = deps.slack?.token;
      if (!token || !recipient) {
        const reason = token ? `customer ${args.input.customer.id} has no CSM Slack user id` : 'no Slack token configured';
        const result: SlackDmResult = { delivered: 'outbox', channel: null, ts: null, text: message.text };
        await recordOutbox(deps.db, {
          key,
          channel: 'slack',
          recipient,
          payload: { template: args.template, reason, text: message.text, blocks: message.blocks, result },
          delivered: false,
        });
        log(`[slack_dm ${key}] ${reason}: message for ${recipient ?? '(no recipient)'} written to the outbox\n${message.text}`);
        return result;
      }

      const client = new WebClient(token, {
        slackApiUrl: withTrailingSlash(deps.slack?.apiUrl ?? SLACK_DEFAULT_API_URL),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: SLACK_HTTP_TIMEOUT_MS,
        logLevel: LogLevel.ERROR,
      });
      let result: SlackDmResult;
      try {
        // conversations.open returns the same DM channel every time, so repeating it on a retry is harmless.
        const opened = await client.conversations.open({ users: recipient });
        const channel = opened.channel?.id;
        if (!channel) throw new Error(`conversations.open for ${recipient} returned no channel id`);
        const posted = await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        } as unknown as ChatPostMessageArguments);
        result = { delivered: 'slack', channel: posted.channel ?? channel, ts: posted.ts ?? null, text: message.text };
      } catch (error) {
        throw slackFailure(error);
      }
      await recordOutbox(deps.db, {
        key,
        channel: 'slack',
        recipient,
        payload: { template: args.template, text: message.text, blocks: message.blocks, channel: result.channel, result },
        delivered: true,
        deliveryRef: result.ts,
      });
      return result;
    },
  };
}

function render(context: StepContext, args: SlackDmArgs): SlackMessage {
  try {
    return renderSlackMessage(args.template, {
      workflowId: context.workflowId,
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
export function slackFailure(error: unknown): Error {
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

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
