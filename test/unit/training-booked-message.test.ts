import { InvalidMessageError, validateTrainingBooked } from '../../workflows/messages';

describe('trainingBooked message', () => {
  const good = { bookingId: '0b7c9a1e-4c1d-4f8e-9c55-2f1d7a3e9b10', slotStart: '2026-11-30T14:00:00.000Z' };

  it('takes a booking id and an existing instant', () => {
    expect(validateTrainingBooked(good)).toEqual(good);
  });

  it.each([
    ['not an object', [good], 'trainingBooked'],
    ['an unknown field', { ...good, extra: 'x'.repeat(1_000_000) }, 'extra'],
    ['a booking id that is not a UUID', { ...good, bookingId: 'booking-1\u0000' }, 'bookingId'],
    ['an impossible date', { ...good, slotStart: '2026-02-30T10:00:00Z' }, 'slotStart'],
    ['a slot that is not a string', { ...good, slotStart: 1764511200000 }, 'slotStart'],
  ])('refuses %s, naming the field', (_what, payload, field) => {
    let error: unknown;
    try {
      validateTrainingBooked(payload);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).field).toBe(field);
    expect((error as Error).message.length).toBeLessThan(300);
  });
});
