import { createEvent, type DateArray } from 'ics';

/**
 * The `.ics` invitation of a booked training session, made by the `ics` library (RFC 5545 folding, escaping and
 * UIDs are its business): the start in UTC so every calendar shows it in its own zone, the CSM as organizer, the
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
  return value;
}
