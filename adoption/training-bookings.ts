import type { Db } from '../db/database';
import { createTask } from './tasks';
import type { TrainingSlot } from './training-slots';

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
}

export type TrainingBookingResult = { booked: true; bookingId: string; taskId: string } | { booked: false; reason: 'slot_taken' };

/**
 * Books a proposed slot once: the unique constraint on (CSM, start) decides between two champions racing for it, and
 * the CSM's task (due at the session) is created in the same transaction, so a booking never exists without it.
 */
export async function bookTraining(db: Db, request: TrainingBookingRequest): Promise<TrainingBookingResult> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO training_bookings (customer_id, workflow_id, feature_ids, csm_email, slot_start, slot_end, booked_by_name, booked_by_email, note)
       VALUES ($1::uuid, $2, $3::text[], $4, $5::timestamptz, $6::timestamptz, $7, $8, $9)
       ON CONFLICT ON CONSTRAINT training_bookings_one_per_slot DO NOTHING
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
      ],
    );
    const booking = inserted.rows[0];
    if (!booking) return { booked: false, reason: 'slot_taken' };
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

/** Starts (UTC ISO) of the CSM's sessions already booked from `from` on, to leave them out of the page. */
export async function bookedStarts(db: Db, csmEmail: string, from: Date): Promise<Set<string>> {
  const { rows } = await db.query<{ slot_start: Date }>(
    `SELECT slot_start FROM training_bookings WHERE csm_email = $1 AND slot_start >= $2::timestamptz`,
    [csmEmail, from.toISOString()],
  );
  return new Set(rows.map((row) => new Date(row.slot_start).toISOString()));
}
