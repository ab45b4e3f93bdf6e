import ical, { type VEvent } from 'node-ical';
import { trainingInviteIcs } from './calendar-invite';

describe('training invitation (.ics)', () => {
  it('parses back, with a library, to the same instant, organizer and attendees', () => {
    const text = trainingInviteIcs({
      uid: 'booking-1@adoption-enablement',
      start: new Date('2026-11-30T14:00:00Z'),
      durationMinutes: 30,
      title: 'Advanced Analytics Dashboard: a 30-minute walkthrough',
      description: 'Best practices, questions; "anything", really.',
      organizer: { name: 'Dana Reyes', email: 'dana@vendor.example' },
      attendees: [
        { name: 'Priya Shah', email: 'priya@techcorp.example' },
        { name: 'Dana Reyes', email: 'dana@vendor.example' },
      ],
    });
    expect(text).toContain('METHOD:REQUEST');
    const events = Object.values(ical.sync.parseICS(text)).filter((entry) => entry?.type === 'VEVENT') as VEvent[];
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.uid).toBe('booking-1@adoption-enablement');
    expect(new Date(event.start).toISOString()).toBe('2026-11-30T14:00:00.000Z');
    expect(new Date(String(event.end)).toISOString()).toBe('2026-11-30T14:30:00.000Z');
    expect(String(event.summary)).toBe('Advanced Analytics Dashboard: a 30-minute walkthrough');
    expect(String(event.description)).toBe('Best practices, questions; "anything", really.');
    expect(JSON.stringify(event.organizer).toLowerCase()).toContain('mailto:dana@vendor.example');
    const attendees = ([] as unknown[]).concat(event.attendee).map((attendee) => JSON.stringify(attendee).toLowerCase());
    expect(attendees.some((line) => line.includes('mailto:priya@techcorp.example'))).toBe(true);
    expect(attendees.some((line) => line.includes('mailto:dana@vendor.example'))).toBe(true);
  });
});
