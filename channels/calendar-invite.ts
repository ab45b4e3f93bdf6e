import { createEvent, type DateArray } from 'ics';

/**
 * The `.ics` invitation of a booked training session, made by the `ics` library (escaping and UIDs are its
 * business; its folding counts characters, so the lines are folded again here by octets): the start in UTC so every calendar shows it in its own zone, the CSM as organizer, the
 * champion and the CSM as attendees, METHOD:REQUEST so mail clients offer to accept it.
 */
export interface TrainingInvite {
  uid: string;
  start: Date;
  durationMinutes: number;
  title: string;
  description: string;
  organizer: { name: string | null; email: string };
  attendees: Array<{ name: string | null; email: string }>;
}

function utcParts(instant: Date): DateArray {
  return [instant.getUTCFullYear(), instant.getUTCMonth() + 1, instant.getUTCDate(), instant.getUTCHours(), instant.getUTCMinutes()];
}

export function trainingInviteIcs(invite: TrainingInvite): string {
  const { error, value } = createEvent({
    uid: invite.uid,
    method: 'REQUEST',
    start: utcParts(invite.start),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: invite.durationMinutes },
    title: invite.title,
    description: invite.description,
    status: 'CONFIRMED',
    organizer: { name: invite.organizer.name ?? invite.organizer.email, email: invite.organizer.email },
    attendees: invite.attendees.map((attendee) => ({
      name: attendee.name ?? attendee.email,
      email: attendee.email,
      rsvp: true,
      role: 'REQ-PARTICIPANT',
      partstat: 'NEEDS-ACTION',
    })),
  });
  if (error || !value) throw new Error(`could not build the invitation: ${error?.message ?? 'no output'}`);
  return foldByOctets(value);
}

/** RFC 5545 3.1: a content line is at most 75 octets without its CRLF; a continuation line starts with one space. */
const MAX_LINE_OCTETS = 75;
const utf8Length = (codePoint: string) => Buffer.byteLength(codePoint, 'utf8');

/** Unfolds the library's lines and folds them again at 75 octets, between code points (never inside a UTF-8 sequence). */
export function foldByOctets(ics: string): string {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  return lines.map(foldLine).join('\r\n');
}

function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const codePoint of line) {
    const size = utf8Length(codePoint);
    // The first part holds 75 octets; each continuation 74 after its leading space.
    const room = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > room) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += codePoint;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
