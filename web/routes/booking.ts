import type { FastifyInstance, FastifyReply } from 'fastify';
import { readLink } from '../../channels/signed-links';
import { book, bookingLink, openBooking, type BookingDeps, type OpenBooking } from '../../adoption/bookings';
import { customerExists } from '../../adoption/customers';
import { bookingPageView, renderBookedPage, renderBookingPage, renderLinkProblemPage, renderLinkUsedPage } from '../pages/booking-page';
import type { ApiContext } from '../context';
import { HttpError, notFound } from '../errors';

type BookingOpening = { ok: true; booking: OpenBooking } | { ok: false; reason: 'expired' | 'invalid' | 'unavailable' };

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
 * The champion's booking page: `GET /book/:token` shows the free sessions, `POST` books one. The signed, expiring
 * token is the credential (`auth: 'signed-link'`); an expired or forged one gets a page saying so and never a
 * booking. `POST /api/customers/:customerId/training-link` mints a self-serve link.
 */
export function registerBookingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps: BookingDeps = { db: ctx.db, now: ctx.now, email: ctx.email };
  /** The booking behind a token: the token checked first, then what it still offers. */
  const open = async (token: string): Promise<BookingOpening> => {
    if (!ctx.links) return { ok: false, reason: 'unavailable' };
    const now = ctx.now();
    const check = await readLink(ctx.links.secret, token, 'book-training', now);
    if (!check.ok) return check;
    const booking = await openBooking(ctx.db, check.claims, now);
    return booking ? { ok: true, booking } : { ok: false, reason: 'invalid' };
  };
  const html = (reply: { type: (value: string) => unknown }) => reply.type('text/html; charset=utf-8');

  app.get<{ Params: { token: string } }>(
    '/book/:token',
    { config: { auth: 'signed-link' }, schema: { params: TOKEN_PARAMS } },
    async (request, reply) => {
      const opening = await open(request.params.token);
      html(reply);
      if (!opening.ok) return refuseLink(reply, opening.reason);
      if (opening.booking.linkUsed) return reply.code(409).send(renderLinkUsedPage());
      return renderBookingPage(bookingPageView(opening.booking));
    },
  );

  app.post<{ Params: { token: string }; Body: { slot: string; name?: string; email: string; note?: string } }>(
    '/book/:token',
    { config: { auth: 'signed-link' }, schema: { params: TOKEN_PARAMS, body: BOOKING_FORM } },
    async (request, reply) => {
      const opening = await open(request.params.token);
      html(reply);
      if (!opening.ok) return refuseLink(reply, opening.reason);
      const { slot, name, email, note } = request.body;
      const outcome = await book(deps, opening.booking, { slot, name: name?.trim() || null, email: email.trim(), note: note?.trim() || null });
      if (!outcome.booked && outcome.reason === 'link_used') return reply.code(409).send(renderLinkUsedPage());
      if (!outcome.booked) {
        const problem =
          outcome.reason === 'slot_taken'
            ? 'That time was just booked by someone else. Please pick another.'
            : 'That time is not offered. Please pick one of these.';
        const again = await open(request.params.token);
        return reply.code(409).send(renderBookingPage(bookingPageView(again.ok ? again.booking : opening.booking), problem));
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
      if (!(await customerExists(ctx.db, request.params.customerId))) throw notFound(`customer ${request.params.customerId}`);
      const link = await bookingLink(ctx.links, { customerId: request.params.customerId, workflowId: null }, ctx.now());
      return reply.code(201).send(link);
    },
  );
}
