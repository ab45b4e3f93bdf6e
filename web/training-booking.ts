import { trainingInviteIcs } from '../channels/calendar-invite';
import { mailDomainOf, DEFAULT_SENDER } from '../channels/mailer';
import { deliver, prepareDelivery } from '../channels/delivery';
import { readLink, type LinkClaims } from '../channels/signed-links';
import { recordIntervention } from '../adoption/interventions';
import { bookedStarts, bookTraining } from '../adoption/training-bookings';
import { csmTimeZone, findSlot, proposeSlots, SESSION_MINUTES, type TrainingSlot } from '../adoption/training-slots';
import type { Db } from '../db/database';
import type { BookingPageView } from './pages/booking-page';

/**
 * The booking link's whole journey (FR-3.3): the token says which customer (and run), the slots come from the CSM's
 * working day minus what is booked, a booking writes the booking, the task and the `training` interventions, and
 * sends the `.ics` invitation to the champion and the CSM (SMTP, or the outbox when SMTP is unset or down).
 */
export interface BookingSettings {
  db: Db;
  now: () => Date;
  linkSecret: string | null;
  email: { smtpUrl?: string; from: string } | null;
}

export interface OpenBooking {
  claims: LinkClaims;
  customer: {
    id: string;
    name: string;
    csmName: string | null;
    csmEmail: string;
    timeZone: string;
    championName: string | null;
    championEmail: string | null;
  };
  features: Array<{ featureId: string; featureName: string }>;
  slots: TrainingSlot[];
}

export type BookingOpening = { ok: true; booking: OpenBooking } | { ok: false; reason: 'expired' | 'invalid' | 'unavailable' };

export async function openBooking(settings: BookingSettings, token: string): Promise<BookingOpening> {
  if (!settings.linkSecret) return { ok: false, reason: 'unavailable' };
  const now = settings.now();
  const check = await readLink(settings.linkSecret, token, 'book-training', now);
  if (!check.ok) return check;
  const customer = (
    await settings.db.query<{
      id: string;
      name: string;
      csm_name: string | null;
      csm_email: string | null;
      csm_time_zone: string | null;
      champion_name: string | null;
      champion_email: string | null;
    }>(`SELECT id, name, csm_name, csm_email, csm_time_zone, champion_name, champion_email FROM customers WHERE id = $1::uuid`, [
      check.claims.customerId,
    ])
  ).rows[0];
  // A link for a customer since deleted, or whose CSM has no email, cannot book anything: said like a bad link.
  if (!customer?.csm_email) return { ok: false, reason: 'invalid' };
  const features = await featuresOf(settings.db, check.claims);
  const taken = await bookedStarts(settings.db, customer.csm_email, now);
  const slots = proposeSlots({ now, timeZone: csmTimeZone(customer.csm_time_zone) }).filter((slot) => !taken.has(slot.start));
  return {
    ok: true,
    booking: {
      claims: check.claims,
      customer: {
        id: customer.id,
        name: customer.name,
        csmName: customer.csm_name,
        csmEmail: customer.csm_email,
        timeZone: csmTimeZone(customer.csm_time_zone),
        championName: customer.champion_name,
        championEmail: customer.champion_email,
      },
      features,
      slots,
    },
  };
}

export function pageViewOf(booking: OpenBooking): BookingPageView {
  return {
    customerName: booking.customer.name,
    csmName: booking.customer.csmName,
    featureNames: booking.features.map((feature) => feature.featureName),
    slots: booking.slots,
    selfServe: booking.claims.workflowId === null,
  };
}

/** The run's features (from its signal), or for a self-serve link the customer's features with an open stall. */
async function featuresOf(db: Db, claims: LinkClaims): Promise<Array<{ featureId: string; featureName: string }>> {
  const { rows } = claims.workflowId
    ? await db.query<{ feature_id: string; feature_name: string }>(
        `SELECT f.feature_id, COALESCE(c.feature_name, f.feature_id) AS feature_name
           FROM risk_signal_features f JOIN risk_signals s ON s.id = f.signal_id
           LEFT JOIN feature_catalog c ON c.feature_id = f.feature_id
          WHERE s.workflow_id = $1 AND s.customer_id = $2::uuid
          ORDER BY f.feature_id`,
        [claims.workflowId, claims.customerId],
      )
    : await db.query<{ feature_id: string; feature_name: string }>(
        `SELECT st.feature_id, COALESCE(c.feature_name, st.feature_id) AS feature_name
           FROM feature_stalls st LEFT JOIN feature_catalog c ON c.feature_id = st.feature_id
          WHERE st.customer_id = $1::uuid AND st.closed_on IS NULL
          ORDER BY st.feature_id`,
        [claims.customerId],
      );
  return rows.map((row) => ({ featureId: row.feature_id, featureName: row.feature_name }));
}

export interface BookingForm {
  slot: string;
  name: string | null;
  email: string;
  note: string | null;
}

export type BookingOutcome =
  { booked: true; bookingId: string; slot: TrainingSlot; invite: 'smtp' | 'outbox' } | { booked: false; reason: 'not_offered' | 'slot_taken' };

export async function book(settings: BookingSettings, booking: OpenBooking, form: BookingForm): Promise<BookingOutcome> {
  const slot = findSlot(booking.slots, form.slot);
  if (!slot) return { booked: false, reason: 'not_offered' };
  const { customer, claims, features } = booking;
  const result = await bookTraining(settings.db, {
    customerId: customer.id,
    customerName: customer.name,
    workflowId: claims.workflowId,
    featureIds: features.map((feature) => feature.featureId),
    csm: { name: customer.csmName, email: customer.csmEmail },
    slot,
    bookedBy: { name: form.name, email: form.email },
    note: form.note,
  });
  if (!result.booked) return result;
  await recordTrainingInterventions(settings, booking, result.bookingId, form);
  const invite = await sendInvite(settings, booking, result.bookingId, slot, form);
  return { booked: true, bookingId: result.bookingId, slot, invite };
}

/** FR-4.2: a booked session is a `training` intervention on each feature it is about. */
async function recordTrainingInterventions(settings: BookingSettings, booking: OpenBooking, bookingId: string, form: BookingForm): Promise<void> {
  const { rows } = await settings.db.query<{ id: string; feature_id: string }>(
    `SELECT id, feature_id FROM feature_adoption WHERE customer_id = $1::uuid AND feature_id = ANY($2::text[])`,
    [booking.customer.id, booking.features.map((feature) => feature.featureId)],
  );
  for (const row of rows) {
    await recordIntervention(settings.db, {
      featureAdoptionId: row.id,
      interventionType: 'training',
      details: `Training session booked by ${form.name ?? form.email}${booking.claims.workflowId ? '' : ' (self-serve)'}`,
      resourcesShared: [],
      at: settings.now(),
      workflowId: booking.claims.workflowId,
      idempotencyKey: `training-booking/${bookingId}/${row.feature_id}`,
      performedBy: booking.customer.csmEmail,
    });
  }
}

async function sendInvite(
  settings: BookingSettings,
  booking: OpenBooking,
  bookingId: string,
  slot: TrainingSlot,
  form: BookingForm,
): Promise<'smtp' | 'outbox'> {
  const { customer, features } = booking;
  const topic = features.map((feature) => feature.featureName).join(', ') || 'the product';
  const from = settings.email?.from ?? DEFAULT_SENDER;
  const attendees = [
    { name: form.name, email: form.email },
    { name: customer.csmName, email: customer.csmEmail },
  ];
  const ics = trainingInviteIcs({
    uid: `training-${bookingId}@${mailDomainOf(from)}`,
    start: new Date(slot.start),
    durationMinutes: SESSION_MINUTES,
    title: `${customer.name}: ${topic} walkthrough`,
    description: [`A ${SESSION_MINUTES}-minute walkthrough of ${topic}: best practices and your questions.`, form.note ? `Topics: ${form.note}` : '']
      .filter(Boolean)
      .join('\n'),
    organizer: { name: customer.csmName, email: customer.csmEmail },
    attendees,
  });
  const message = {
    from,
    to: attendees.map((attendee) => (attendee.name ? { name: attendee.name, address: attendee.email } : attendee.email)),
    replyTo: customer.csmEmail,
    subject: `Training session booked: ${slot.label}`,
    text: `Your ${SESSION_MINUTES}-minute session on ${topic} with ${customer.csmName ?? 'your CSM'} is booked for ${slot.label}. The invitation is attached.`,
    messageId: `<training-${bookingId}@${mailDomainOf(from)}>`,
    icalEvent: { method: 'REQUEST' as const, filename: 'invite.ics', content: ics },
  };
  const key = `training-booking/${bookingId}/invite`;
  await prepareDelivery(settings.db, { key, channel: 'email', recipient: form.email, payload: { kind: 'training_invite', bookingId, message } });
  let delivered = false;
  try {
    // The shared exactly-once delivery (docs/delivery.md): claimed, sent, marked; unset SMTP leaves it queued.
    delivered = (await deliver(settings.db, { email: settings.email ?? undefined }, key)).state === 'delivered';
  } catch {
    // The booking stands; the invitation waits in the outbox for the relay, like any message whose channel is down.
  }
  return delivered ? 'smtp' : 'outbox';
}
