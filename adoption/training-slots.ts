import { DateTime, IANAZone } from 'luxon';
import { SESSION_MINUTES } from './model/rules';

/**
 * The training sessions a champion may book, proposed in the CSM's own working day. Times are computed in the
 * CSM's IANA time zone by luxon (daylight-saving shifts included) and handed on as UTC instants, so the booking page,
 * the stored booking and the calendar invitation all name the same moment.
 */
export interface WorkingHours {
  /** First hour a session may start, local time (0-23). */
  startHour: number;
  /** Sessions end by this hour, local time (1-24). */
  endHour: number;
}

export interface SlotRequest {
  now: Date;
  /** IANA name, e.g. `Europe/Berlin`; invalid or empty falls back to UTC (see `csmTimeZone`). */
  timeZone: string;
  workingHours?: WorkingHours;
  /** How many business days (Monday to Friday, in the CSM's zone) after today to offer. */
  businessDays?: number;
  durationMinutes?: number;
}

export interface TrainingSlot {
  /** UTC instants, ISO-8601 with milliseconds (`2026-12-02T14:00:00.000Z`). */
  start: string;
  end: string;
  /** How the CSM's calendar shows it, e.g. `Wed 2 Dec, 09:00 EST`. */
  label: string;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = { startHour: 9, endHour: 17 };
export const DEFAULT_BUSINESS_DAYS = 3;
export { SESSION_MINUTES };

/** The CSM's time zone as imported, or UTC when it is unset or not an IANA zone luxon knows. */
export function csmTimeZone(value: string | null | undefined): string {
  return value && IANAZone.isValidZone(value) ? value : 'UTC';
}

/** Hourly sessions inside the working hours of the next business days, none starting in the past. */
export function proposeSlots(request: SlotRequest): TrainingSlot[] {
  const zone = csmTimeZone(request.timeZone);
  const hours = request.workingHours ?? DEFAULT_WORKING_HOURS;
  const duration = request.durationMinutes ?? SESSION_MINUTES;
  const wanted = request.businessDays ?? DEFAULT_BUSINESS_DAYS;
  const now = DateTime.fromJSDate(request.now, { zone });
  const slots: TrainingSlot[] = [];
  let day = now.startOf('day');
  for (let found = 0; found < wanted;) {
    day = day.plus({ days: 1 });
    if (day.weekday > 5) continue;
    found += 1;
    // Wall-clock limits of the CSM's day (luxon keeps them on the local clock across a DST change).
    const closing = hours.endHour >= 24 ? day.plus({ days: 1 }) : day.set({ hour: hours.endHour });
    for (let hour = hours.startHour; hour < hours.endHour; hour += 1) {
      const start = day.set({ hour, minute: 0, second: 0, millisecond: 0 });
      const end = start.plus({ minutes: duration });
      // An hour that does not exist on a DST day moves forward: never offer it twice, nor past closing time.
      if (start.hour !== hour || end > closing) continue;
      if (start <= now) continue;
      slots.push({ start: start.toUTC().toISO()!, end: end.toUTC().toISO()!, label: start.toFormat('ccc d LLL, HH:mm ZZZZ') });
    }
  }
  return slots;
}

/** The slot of `proposeSlots` that starts at `start` (any ISO form of the instant), if it is one of them. */
export function findSlot(slots: readonly TrainingSlot[], start: string): TrainingSlot | undefined {
  const instant = DateTime.fromISO(start, { zone: 'utc' });
  if (!instant.isValid) return undefined;
  return slots.find((slot) => DateTime.fromISO(slot.start, { zone: 'utc' }).equals(instant));
}
