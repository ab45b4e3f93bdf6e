import type { Db } from '../db/database';
import { trainingInviteIcs } from '../channels/calendar-invite';
import { deliver, prepareDelivery } from '../channels/delivery';
import { DEFAULT_SENDER, mailDomainOf, type MailMessage } from '../channels/mailer';
import { signLink, type LinkClaims } from '../channels/signed-links';
import { customerContacts } from './customers';
import { recordIntervention } from './interventions';
import { createTask } from './tasks';
import { findSlot, proposeSlots, SESSION_MINUTES, type TrainingSlot } from './training-slots';

/**
 * A champion books a training session with the CSM from a signed link: the link says which customer (and run), the
 * slots are the CSM's working day minus what is booked, and a booking stores the booking and the CSM's task, records a
 * `training` intervention per feature, and sends the `.ics` invitation to the champion and the CSM through the
 * delivery protocol (SMTP, or the outbox when SMTP is unset or down).
 */

/** How long a booking link works: two weeks, the life of the approval and the first follow-up. */
export const BOOKING_LINK_SECONDS = 14 * 86_400;

export interface BookingDeps {
  db: Db;
  now: () => Date;
  /** Where the invitation goes out (`SMTP_URL`, `EMAIL_FROM`); without SMTP it waits in the outbox. */
  email: { smtpUrl?: string; from: string } | null;
}

/** A booking link that is open: its customer with the CSM who gives the session, the features, the free slots. */
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
  /** This link already booked a session: one booking per link, so it offers nothing more. */
  linkUsed: boolean;
}

export interface BookingForm {
  slot: string;
  name: string | null;
  email: string;
  note: string | null;
}

export type BookingOutcome =
  | { booked: true; bookingId: string; slot: TrainingSlot; invite: 'smtp' | 'outbox' }
  | { booked: false; reason: 'not_offered' | 'slot_taken' | 'link_used' };

export interface TrainingBookingRequest {
  customerId: string;
  customerName: string;
  /** The enablement run whose email carried the link; null for a self-serve request. */
  workflowId: string | null;
  featureIds: string[];
  csm: { name: string | null; email: string };
  slot: TrainingSlot;
  bookedBy: { name: string | null; email: string | null };
  note: string | null;
  /** The booking link's identity (LinkClaims.linkId): a link books one session. */
  linkId?: string | null;
}

export type TrainingBookingResult = { booked: true; bookingId: string; taskId: string } | { booked: false; reason: 'slot_taken' | 'link_used' };

/**
 * Books a proposed slot once: the unique constraint on (CSM, start) decides between two champions racing for it (and
 * the one on link_id between two submissions of one link), and
 * the CSM's task (due at the session) is created in the same transaction, so a booking never exists without it.
 */
export async function bookTraining(db: Db, request: TrainingBookingRequest): Promise<TrainingBookingResult> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO training_bookings (customer_id, workflow_id, feature_ids, csm_email, slot_start, slot_end, booked_by_name, booked_by_email, note, link_id)
       VALUES ($1::uuid, $2, $3::text[], $4, $5::timestamptz, $6::timestamptz, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        request.customerId,
        request.workflowId,
        request.featureIds,
        request.csm.email,
        request.slot.start,
        request.slot.end,
        request.bookedBy.name,
        request.bookedBy.email,
        request.note,
        request.linkId ?? null,
      ],
    );
    const booking = inserted.rows[0];
    if (!booking) return { booked: false, reason: request.linkId && (await linkHasBooked(tx, request.linkId)) ? 'link_used' : 'slot_taken' };
    const who = request.bookedBy.name ?? request.bookedBy.email ?? 'the customer';
    const task = await createTask(tx, {
      idempotencyKey: `training-booking/${booking.id}`,
      customerId: request.customerId,
      featureIds: request.featureIds,
      title: `Training session with ${request.customerName}: ${request.slot.label}`,
      description: [`Booked by ${who}${request.workflowId ? ' from the enablement email' : ' (self-serve)'}.`, request.note ?? '']
        .filter(Boolean)
        .join('\n'),
      priority: 'high',
      dueAt: request.slot.start,
      owner: request.csm,
      workflowId: request.workflowId,
      stepId: 'training_booking',
    });
    return { booked: true, bookingId: booking.id, taskId: task.taskId };
  });
}

/** True when a session was booked from this link. */
async function linkHasBooked(db: Db, linkId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM training_bookings WHERE link_id = $1`, [linkId]);
  return rows.length > 0;
}

/** Starts (UTC ISO) of the CSM's sessions already booked from `from` on, to leave them out of the page. */
export async function bookedStarts(db: Db, csmEmail: string, from: Date): Promise<Set<string>> {
  const { rows } = await db.query<{ slot_start: Date }>(
    `SELECT slot_start FROM training_bookings WHERE csm_email = $1 AND slot_start >= $2::timestamptz`,
    [csmEmail, from.toISOString()],
  );
  return new Set(rows.map((row) => new Date(row.slot_start).toISOString()));
}

/** A signed link a champion books training with, for the customer and (when a run sent it) that run. */
export async function bookingLink(
  links: { secret: string; baseUrl: string },
  booking: { customerId: string; workflowId: string | null },
  now: Date,
): Promise<{ url: string; expiresAt: string }> {
  const claims: LinkClaims = { purpose: 'book-training', customerId: booking.customerId, workflowId: booking.workflowId };
  const token = await signLink(links.secret, claims, { now, validForSeconds: BOOKING_LINK_SECONDS });
  return {
    url: `${links.baseUrl.replace(/\/$/, '')}/book/${token}`,
    expiresAt: new Date(now.getTime() + BOOKING_LINK_SECONDS * 1000).toISOString(),
  };
}

/**
 * What a verified booking link offers now; null when it cannot book anything (its customer is gone, or the CSM has no
 * email), which a caller shows like a bad link.
 */
export async function openBooking(db: Db, claims: LinkClaims, now: Date): Promise<OpenBooking | null> {
  const customer = await customerContacts(db, claims.customerId);
  const csmEmail = customer?.csm.email;
  if (!customer || !csmEmail) return null;
  const features = await featuresOf(db, claims);
  const taken = await bookedStarts(db, csmEmail, now);
  const slots = proposeSlots({ now, timeZone: customer.csm.timeZone }).filter((slot) => !taken.has(slot.start));
  return {
    claims,
    customer: {
      id: customer.id,
      name: customer.name,
      csmName: customer.csm.name,
      csmEmail,
      timeZone: customer.csm.timeZone,
      championName: customer.champion.name,
      championEmail: customer.champion.email,
    },
    features,
    slots,
    linkUsed: claims.linkId ? await linkHasBooked(db, claims.linkId) : false,
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

/**
 * Books one of the offered slots, records the training and sends the invitation; refused when the slot is not free or
 * the link already booked one (a leaked link cannot fill the CSM's calendar).
 */
export async function book(deps: BookingDeps, booking: OpenBooking, form: BookingForm): Promise<BookingOutcome> {
  if (booking.linkUsed) return { booked: false, reason: 'link_used' };
  const slot = findSlot(booking.slots, form.slot);
  if (!slot) return { booked: false, reason: 'not_offered' };
  const { customer, claims, features } = booking;
  const result = await bookTraining(deps.db, {
    customerId: customer.id,
    customerName: customer.name,
    workflowId: claims.workflowId,
    featureIds: features.map((feature) => feature.featureId),
    csm: { name: customer.csmName, email: customer.csmEmail },
    slot,
    bookedBy: { name: form.name, email: form.email },
    note: form.note,
    linkId: claims.linkId ?? null,
  });
  if (!result.booked) return result;
  await recordTrainingInterventions(deps, booking, result.bookingId, form);
  const invite = await sendInvite(deps, booking, result.bookingId, slot, form);
  return { booked: true, bookingId: result.bookingId, slot, invite };
}

/** A booked session is a `training` intervention on each feature it is about. */
async function recordTrainingInterventions(deps: BookingDeps, booking: OpenBooking, bookingId: string, form: BookingForm): Promise<void> {
  const { rows } = await deps.db.query<{ id: string; feature_id: string }>(
    `SELECT id, feature_id FROM feature_adoption WHERE customer_id = $1::uuid AND feature_id = ANY($2::text[])`,
    [booking.customer.id, booking.features.map((feature) => feature.featureId)],
  );
  for (const row of rows) {
    await recordIntervention(deps.db, {
      featureAdoptionId: row.id,
      interventionType: 'training',
      details: `Training session booked by ${form.name ?? form.email}${booking.claims.workflowId ? '' : ' (self-serve)'}`,
      resourcesShared: [],
      at: deps.now(),
      workflowId: booking.claims.workflowId,
      idempotencyKey: `training-booking/${bookingId}/${row.feature_id}`,
      performedBy: booking.customer.csmEmail,
    });
  }
}

/** The invitation to the champion and the CSM: a calendar request from the CSM, replies going to the CSM. */
function inviteMessage(deps: BookingDeps, booking: OpenBooking, bookingId: string, slot: TrainingSlot, form: BookingForm): MailMessage {
  const { customer, features } = booking;
  const topic = features.map((feature) => feature.featureName).join(', ') || 'the product';
  const from = deps.email?.from ?? DEFAULT_SENDER;
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
  return {
    from,
    to: attendees.map((attendee) => (attendee.name ? { name: attendee.name, address: attendee.email } : attendee.email)),
    replyTo: customer.csmEmail,
    subject: `Training session booked: ${slot.label}`,
    text: `Your ${SESSION_MINUTES}-minute session on ${topic} with ${customer.csmName ?? 'your CSM'} is booked for ${slot.label}. The invitation is attached.`,
    messageId: `<training-${bookingId}@${mailDomainOf(from)}>`,
    icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: ics },
  };
}

async function sendInvite(
  deps: BookingDeps,
  booking: OpenBooking,
  bookingId: string,
  slot: TrainingSlot,
  form: BookingForm,
): Promise<'smtp' | 'outbox'> {
  const message = inviteMessage(deps, booking, bookingId, slot, form);
  const key = `training-booking/${bookingId}/invite`;
  await prepareDelivery(deps.db, { key, channel: 'email', recipient: form.email, payload: { kind: 'training_invite', bookingId, message } });
  try {
    // Claimed, sent, marked once (docs/delivery.md); unset SMTP leaves it queued.
    return (await deliver(deps.db, { email: deps.email ?? undefined }, key)).state === 'delivered' ? 'smtp' : 'outbox';
  } catch {
    // The booking stands; the invitation waits in the outbox for the relay, like any message whose channel is down.
    return 'outbox';
  }
}
