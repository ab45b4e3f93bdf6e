import type { FastifyInstance } from 'fastify';

/** What every page's Content-Security-Policy gets when its route set none: no script, no framing, forms to us only. */
export const DEFAULT_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Headers on every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `Cache-Control: no-store`
 * (answers carry customers' data; a route may choose otherwise). HTML also gets `X-Frame-Options: DENY` and a
 * Content-Security-Policy with `frame-ancestors 'none'` (added to the route's own policy when it lacks one), so no
 * other site can frame a page and trick a click on its forms.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header('X-Frame-Options', 'DENY');
      const policy = reply.getHeader('Content-Security-Policy');
      if (typeof policy !== 'string' || policy === '') reply.header('Content-Security-Policy', DEFAULT_PAGE_CSP);
      else if (!/(^|;)\s*frame-ancestors\s/.test(policy)) reply.header('Content-Security-Policy', `${policy}; frame-ancestors 'none'`);
    }
    return payload;
  });
}
