import { csmTimeZone, findSlot, proposeSlots } from './training-slots';

describe('training slots', () => {
  it('offers hourly sessions in the CSM working day of the next three business days, in UTC', () => {
    // Friday 2026-11-27 15:00 in New York (EST, UTC-5): Monday to Wednesday follow.
    const slots = proposeSlots({ now: new Date('2026-11-27T20:00:00Z'), timeZone: 'America/New_York' });
    expect(slots).toHaveLength(3 * 8);
    expect(slots[0]).toEqual({ start: '2026-11-30T14:00:00.000Z', end: '2026-11-30T14:20:00.000Z', label: 'Mon 30 Nov, 09:00 EST' });
    expect(slots[slots.length - 1]).toEqual({ start: '2026-12-02T21:00:00.000Z', end: '2026-12-02T21:20:00.000Z', label: 'Wed 2 Dec, 16:00 EST' });
  });

  it('follows daylight saving time: 09:00 in Berlin is 08:00 UTC before the change to summer time and 07:00 UTC after it', () => {
    // Saturday 2026-03-28; Europe/Berlin moves to CEST (UTC+2) on Sunday 2026-03-29.
    const slots = proposeSlots({ now: new Date('2026-03-27T12:00:00Z'), timeZone: 'Europe/Berlin', businessDays: 1 });
    expect(slots[0].start).toBe('2026-03-30T07:00:00.000Z');
    expect(slots[0].label).toBe('Mon 30 Mar, 09:00 GMT+2');
    const winter = proposeSlots({ now: new Date('2026-03-20T12:00:00Z'), timeZone: 'Europe/Berlin', businessDays: 1 });
    expect(winter[0].start).toBe('2026-03-23T08:00:00.000Z');
  });

  it('never offers a session that has started, and falls back to UTC for an unknown zone', () => {
    expect(csmTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(csmTimeZone(null)).toBe('UTC');
    const slots = proposeSlots({ now: new Date('2026-11-30T23:30:00Z'), timeZone: 'Not/A_Zone', businessDays: 1 });
    expect(slots[0].start).toBe('2026-12-01T09:00:00.000Z');
  });

  it('finds a proposed slot by its instant in any ISO form, and nothing else', () => {
    const slots = proposeSlots({ now: new Date('2026-11-27T20:00:00Z'), timeZone: 'America/New_York' });
    expect(findSlot(slots, '2026-11-30T09:00:00-05:00')).toBe(slots[0]);
    expect(findSlot(slots, '2026-11-30T09:30:00-05:00')).toBeUndefined();
    expect(findSlot(slots, '2026-02-30T09:00:00Z')).toBeUndefined();
  });
});
