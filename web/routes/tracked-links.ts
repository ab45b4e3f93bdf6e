import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { readResourceLink } from '../../channels/signed-links';
import { recordEngagement } from '../../adoption/engagement';
import { renderResourceLinkProblemPage } from '../pages/problem-pages';

const TOKEN_PARAMS = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } },
} as const;

/**
 * Tracked resource links: `GET /r/:token` records a `click` in `resource_engagement` and redirects (302) to the
 * resource. The token (channels/signed-links.ts) carries the destination under the server's signature, so this is
 * not an open redirect: a forged, altered or expired token gets a page saying so, records nothing and redirects
 * nowhere. No API key: the link is opened by the customer's people from their email (`auth: 'signed-link'`).
 */
export function registerTrackedLinkRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { token: string } }>(
    '/r/:token',
    { config: { auth: 'signed-link' }, schema: { summary: 'Tracked resource link: records the click and redirects', params: TOKEN_PARAMS } },
    async (request, reply) => {
      // Nobody else's page should be able to frame or cache a redirect that counts clicks.
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (!ctx.links) return reply.code(503).type('text/html; charset=utf-8').send(renderResourceLinkProblemPage('unavailable'));
      const now = ctx.now();
      const check = await readResourceLink(ctx.links.secret, request.params.token, now);
      if (!check.ok) {
        return reply
          .code(check.reason === 'expired' ? 410 : 403)
          .type('text/html; charset=utf-8')
          .send(renderResourceLinkProblemPage(check.reason));
      }
      const { customerId, featureId, url } = check.claims;
      await recordEngagement(ctx.db, { customerId, featureId, url, event: 'click', at: now });
      return reply.redirect(url, 302);
    },
  );
}
