import type { FastifyInstance, FastifyReply } from 'fastify';
import { signLink } from '../../channels/signed-links';
import { renderBookedPage, renderBookingPage, renderLinkProblemPage } from '../pages/booking-page';
import type { ApiContext } from '../context';
import { HttpError, notFound } from '../errors';
import { book, openBooking, pageViewOf, type BookingSettings } from '../training-booking';

/** How long a booking link works: two weeks, the life of the approval and the first follow-up. */
export const BOOKING_LINK_SECONDS = 14 * 86_400;

const TOKEN_PARAMS = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;

const BOOKING_FORM = {
  type: 'object',
  required: ['slot', 'email'],
  additionalProperties: false,
  properties: {
    slot: { type: 'string', minLength: 1, maxLength: 64 },
    name: { type: 'string', maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 254 },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

/** The page for a link that cannot be used: 403 (expired or not ours), 503 when links are not configured. */
function refuseLink(reply: FastifyReply, reason: 'expired' | 'invalid' | 'unavailable') {
  return reply.code(reason === 'unavailable' ? 503 : 403).send(renderLinkProblemPage(reason === 'expired' ? 'expired' : 'invalid'));
}

/**
 * The champion's booking page (FR-3.3, open question 3): `GET /book/:token` shows the free sessions, `POST` books
 * one. The signed, expiring token is the credential (`auth: 'signed-link'`); an expired or forged one gets a page
 * saying so and never a booking. `POST /api/customers/:customerId/training-link` mints a self-serve link.
 */
export function registerBookingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const settings: BookingSettings = { db: ctx.db, now: ctx.now, linkSecret: ctx.links?.secret ?? null, email: ctx.email };
  const html = (reply: { type: (value: string) => unknown }) => reply.type('text/html; charset=utf-8');

  app.get<{ Params: { token: string } }>(
    '/book/:token',
    { config: { auth: 'signed-link' }, schema: { params: TOKEN_PARAMS } },
    async (request, reply) => {
      const opening = await openBooking(settings, request.params.token);
      html(reply);
      if (!opening.ok) return refuseLink(reply, opening.reason);
      return renderBookingPage(pageViewOf(opening.booking));
    },
  );

  app.post<{ Params: { token: string }; Body: { slot: string; name?: string; email: string; note?: string } }>(
    '/book/:token',
    { config: { auth: 'signed-link' }, schema: { params: TOKEN_PARAMS, body: BOOKING_FORM } },
    async (request, reply) => {
      const opening = await openBooking(settings, request.params.token);
      html(reply);
      if (!opening.ok) return refuseLink(reply, opening.reason);
      const { slot, name, email, note } = request.body;
      const outcome = await book(settings, opening.booking, { slot, name: name?.trim() || null, email: email.trim(), note: note?.trim() || null });
      if (!outcome.booked) {
        const problem =
          outcome.reason === 'slot_taken'
            ? 'That time was just booked by someone else. Please pick another.'
            : 'That time is not offered. Please pick one of these.';
        const again = await openBooking(settings, request.params.token);
        return reply.code(409).send(renderBookingPage(pageViewOf(again.ok ? again.booking : opening.booking), problem));
      }
      await ctx.onTrainingBooked?.(opening.booking.claims.workflowId, { bookingId: outcome.bookingId, slotStart: outcome.slot.start });
      return renderBookedPage({ customerName: opening.booking.customer.name, slot: outcome.slot, email: email.trim() });
    },
  );

  app.post<{ Params: { customerId: string } }>(
    '/api/customers/:customerId/training-link',
    {
      config: { scope: 'write' },
      schema: {
        params: {
          type: 'object',
          required: ['customerId'],
          additionalProperties: false,
          properties: { customerId: { type: 'string', format: 'uuid' } },
        },
      },
    },
    async (request, reply) => {
      if (!ctx.links) throw new HttpError(503, 'booking links need ADOPTION_LINK_SECRET and PUBLIC_BASE_URL');
      const found = await ctx.db.query(`SELECT 1 FROM customers WHERE id = $1::uuid`, [request.params.customerId]);
      if (found.rows.length === 0) throw notFound(`customer ${request.params.customerId}`);
      const now = ctx.now();
      const token = await signLink(
        ctx.links.secret,
        { purpose: 'book-training', customerId: request.params.customerId, workflowId: null },
        { now, validForSeconds: BOOKING_LINK_SECONDS },
      );
      return reply.code(201).send({
        url: `${ctx.links.baseUrl.replace(/\/$/, '')}/book/${token}`,
        expiresAt: new Date(now.getTime() + BOOKING_LINK_SECONDS * 1000).toISOString(),
      });
    },
  );
}
