import ical, { type VEvent } from 'node-ical';
import ICAL from 'ical.js';
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

  it('folds at 75 octets between code points (RFC 5545 3.1), and ical.js reads the same names back', () => {
    const name = 'Zoë Müller-Øðegård';
    const text = trainingInviteIcs({
      uid: 'booking-2@adoption-enablement',
      start: new Date('2026-11-30T14:00:00Z'),
      durationMinutes: 30,
      title: 'Überblick: Ä Ö Ü ß — 30 Minuten für Zoë 🎉 mit Emoji 👩‍💻 und noch mehr Text über die Übersicht',
      description: 'Grüße aus Köln 🌍 '.repeat(12),
      organizer: { name: 'Dana Reyes', email: 'dana@vendor.example' },
      attendees: [{ name, email: 'zoe@techcorp.example' }],
    });
    const lines = text.split('\r\n');
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    for (const line of lines) {
      const bytes = Buffer.from(line, 'utf8');
      expect(bytes.length).toBeLessThanOrEqual(75);
      // No line starts or ends inside a UTF-8 sequence: each decodes alone, without replacement characters.
      expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(line);
    }
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);
    const attendee = event.attendees.find((property) => String(property.getFirstValue()).toLowerCase() === 'mailto:zoe@techcorp.example');
    expect(attendee?.getParameter('cn')).toBe(name);
    expect(event.summary).toBe('Überblick: Ä Ö Ü ß — 30 Minuten für Zoë 🎉 mit Emoji 👩‍💻 und noch mehr Text über die Übersicht');
    expect(event.description).toBe('Grüße aus Köln 🌍 '.repeat(12));
  });
});
