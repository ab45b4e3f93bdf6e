import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';
import { verifySlackSignature } from './signature';
import { handleBlockAction } from './actions';
import type { SlackActionDeps } from './action-deps';
import { handleViewSubmission } from './email-decision';
import { parseInteractivityPayload, type BlockActionsPayload, type SlackReply } from './payloads';
import type { ViewSubmissionPayload } from './email-modal';
import { shareSettingsOf } from '../routes/share';
import { allowedResponseUrl } from './response-url';

const FORM = 'application/x-www-form-urlencoded';

/**
 * `POST /slack/interactivity`: the Slack app's Interactivity Request URL. Slack signs the raw form body; this scope
 * keeps the body as the bytes received (its own content-type parser) and checks the signature before parsing
 * anything. The answer is 200 with the reply message, which is also posted to the payload's response_url (that is
 * how Slack shows it for block actions).
 */
export function registerSlackRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const pendingPosts = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pendingPosts]);
  });

  const postToResponseUrl = (url: unknown, message: SlackReply, log: { warn: (obj: object, msg: string) => void }) => {
    if (!ctx.slackResponseUrls) return;
    // Only Slack's hooks host (docs/security.md): a payload cannot make the server post elsewhere, nor be redirected.
    const target = allowedResponseUrl(url, ctx.slackResponseUrlOrigins);
    if (!target) {
      if (url !== undefined) log.warn({}, 'Slack response_url is not on the allowed host; the reply was not posted there');
      return;
    }
    const post = fetch(target, {
      redirect: 'error',
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(5000),
    })
      .then((response) => {
        if (!response.ok) log.warn({ status: response.status }, 'Slack response_url refused the reply');
      })
      .catch((error: unknown) => log.warn({ error: (error as Error).message }, 'could not post the reply to the Slack response_url'))
      .finally(() => pendingPosts.delete(post));
    pendingPosts.add(post);
  };

  app.register(async (scope) => {
    scope.removeContentTypeParser(FORM);
    scope.addContentTypeParser(FORM, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post('/slack/interactivity', { config: { auth: 'slack-signature' } }, async (request, reply) => {
      if (!ctx.slackSigningSecret) {
        throw new HttpError(503, 'SLACK_SIGNING_SECRET is not set, so Slack requests cannot be verified and none are accepted');
      }
      if (!Buffer.isBuffer(request.body)) {
        throw new HttpError(415, `Slack interactivity requests are ${FORM} (payload=<json>)`);
      }
      const check = verifySlackSignature({
        signingSecret: ctx.slackSigningSecret,
        timestamp: request.headers['x-slack-request-timestamp'] as string | undefined,
        signature: request.headers['x-slack-signature'] as string | undefined,
        rawBody: request.body,
        nowSeconds: Math.floor(ctx.now().getTime() / 1000),
      });
      if (!check.ok) throw new HttpError(401, `invalid Slack request: ${check.reason}`);

      const { type, payload } = parseInteractivityPayload(request.body.toString('utf8'));
      const deps: SlackActionDeps = {
        db: ctx.db,
        now: ctx.now,
        temporalClient: ctx.temporalClient,
        leadUserIds: ctx.slackLeadUserIds,
        taskQueue: ctx.taskQueue,
        share: shareSettingsOf(ctx, (error) => request.log.warn({ err: error }, 'follow-up not started')),
        slack: ctx.slack,
      };
      if (type === 'view_submission') {
        // Slack closes the modal on an empty 200 and shows `response_action: errors` inside it.
        try {
          const errors = await handleViewSubmission(deps, payload as ViewSubmissionPayload);
          return errors ? reply.code(200).send(errors) : reply.code(200).send();
        } catch (error) {
          request.log.error({ err: error }, 'Slack view submission failed');
          return reply.code(200).send({ response_action: 'errors', errors: { subject: 'Sorry, that did not work; please try again.' } });
        }
      }
      if (type !== 'block_actions') return reply.code(200).send({ ok: true, ignored: type });
      let message: SlackReply | null;
      try {
        message = await handleBlockAction(deps, payload as BlockActionsPayload);
      } catch (error) {
        request.log.error({ err: error }, 'Slack action failed');
        message = {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'Sorry, that did not work; please try again or use the adoption page.',
        };
      }
      // A modal opened instead of a message: nothing to post, Slack only needs the 200.
      if (!message) return reply.code(200).send();
      postToResponseUrl((payload as BlockActionsPayload).response_url, message, request.log);
      return reply.code(200).send(message);
    });
  });
}
