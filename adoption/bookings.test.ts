import { seedCustomer } from '../test/support/activity-fixtures';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database';
import { bookedStarts, bookTraining, type TrainingBookingRequest } from './bookings';
import { proposeSlots } from './training-slots';

describe('training bookings on real Postgres', () => {
  let test: TestDatabase;
  let customerId: string;
  beforeAll(async () => {
    test = await createTestDatabase();
    customerId = await seedCustomer(test.db);
  });
  afterAll(async () => test.dispose());

  const [slot, other] = proposeSlots({ now: new Date('2026-11-27T20:00:00Z'), timeZone: 'America/New_York' });
  const request = (overrides: Partial<TrainingBookingRequest> = {}): TrainingBookingRequest => ({
    customerId,
    customerName: 'TechCorp',
    workflowId: 'adoption-stalled/c/s',
    featureIds: ['advanced_analytics'],
    csm: { name: 'Casey CSM', email: 'casey@vendor.example' },
    slot,
    bookedBy: { name: 'Dana Champion', email: 'dana@techcorp.example' },
    note: null,
    ...overrides,
  });

  it('books a slot once with the CSM task due at the session; the same slot again, even all at once, is refused', async () => {
    const attempts = await Promise.all(
      [request(), request({ bookedBy: { name: 'Someone', email: 'x@techcorp.example' } }), request()].map((r) => bookTraining(test.db, r)),
    );
    expect(attempts.filter((attempt) => attempt.booked)).toHaveLength(1);
    expect(attempts.filter((attempt) => !attempt.booked)).toEqual([
      { booked: false, reason: 'slot_taken' },
      { booked: false, reason: 'slot_taken' },
    ]);
    const bookings = await test.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM training_bookings WHERE csm_email = 'casey@vendor.example'`);
    expect(bookings.rows).toEqual([{ n: 1 }]);
    const tasks = await test.db.query<{ title: string; due_at: Date; priority: string; owner_email: string; step_id: string }>(
      `SELECT title, due_at, priority, owner_email, step_id FROM tasks WHERE customer_id = $1`,
      [customerId],
    );
    expect(tasks.rows).toEqual([
      {
        title: 'Training session with TechCorp: Mon 30 Nov, 09:00 EST',
        due_at: new Date('2026-11-30T14:00:00.000Z'),
        priority: 'high',
        owner_email: 'casey@vendor.example',
        step_id: 'training_booking',
      },
    ]);
    expect([...(await bookedStarts(test.db, 'casey@vendor.example', new Date('2026-11-27T00:00:00Z')))]).toEqual([slot.start]);
  });

  it('another slot of the same CSM, or the same hour of another CSM, books fine', async () => {
    expect((await bookTraining(test.db, request({ slot: other }))).booked).toBe(true);
    expect((await bookTraining(test.db, request({ csm: { name: 'Lee', email: 'lee@vendor.example' } }))).booked).toBe(true);
  });
});
