import { formatLocal, localDateString, localParts } from '../domain/localTime';

/**
 * The one way the app shows a time to people: in the district's time zone with the zone's abbreviation,
 * "Tue 2026-12-15 12:00 EST" (never UTC, never a bare ISO string). Views carry the zone, or strings made here,
 * and the Slack, Teams and web renderers print them as they are. Machine fields (CSV/JSON exports, stored
 * documents, ids) keep ISO/UTC times.
 */

/** An instant (a Date, or an ISO string as stored), to the minute, in `tz`: "Tue 2026-12-15 12:00 EST". */
export function showTime(t: Date | string, tz: string): string {
  return formatLocal(typeof t === 'string' ? new Date(t) : t, tz);
}

/** The calendar day of an instant in `tz`: "2026-12-15" (where only the day matters, e.g. "done 2026-12-15"). */
export function showDay(t: Date | string, tz: string): string {
  return localDateString(localParts(typeof t === 'string' ? new Date(t) : t, tz));
}

/**
 * The zone to show a district's times in. A district always has one; UTC stands in only when the district
 * could not be read (it was deleted meanwhile), so that the time is still shown with its zone.
 */
export const zoneOf = (district: { timezone: string } | null | undefined): string =>
  district?.timezone ?? 'UTC';
