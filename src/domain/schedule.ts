import { DomainError } from './errors';
import { addDays, localDateString, localParts, zonedTime } from './localTime';
import { parseTimeOfDay } from './scheduleExpression';

/**
 * Pure schedule math for building-team nudges. Every function takes `now` (or the instants it reasons about) as
 * an argument; wall-clock conversions use the runtime's Intl time-zone data. Cron evaluation itself comes in as a
 * function (`OccurrenceSource`) so that this file imports nothing outside the domain.
 *
 * This file holds the nudge policy (quiet hours, weekends, holidays), due and upcoming occurrences, snooze and
 * escalation; it also re-exports the parts it is built on, so callers import everything schedule-related from
 * here: wall-clock time (./localTime), schedule expressions (./scheduleExpression), periods (./period).
 */

/** Nominal occurrences of a cron expression in a time zone. */
export interface OccurrenceSource {
  /** Occurrences in [from, to], oldest first, at most `limit`. */
  between(from: Date, to: Date, limit: number): Date[];
  /** The latest occurrence strictly before `t`, or null. */
  before(t: Date): Date | null;
}

export {
  formatLocal,
  isValidTimeZone,
  type LocalParts,
  localDateString,
  localParts,
  pad2,
  zonedTime,
} from './localTime';
export {
  isPeriodOpen,
  type Period,
  type PeriodKind,
  periodAt,
  periodById,
} from './period';
export {
  EXAMPLE_SCHEDULES,
  looksLikeCron,
  type ParsedSchedule,
  parseCron,
  parsePhrase,
  parseScheduleExpression,
  parseTimeOfDay,
} from './scheduleExpression';

// ---------- quiet hours, weekends, holidays ----------

export interface NudgePolicy {
  /** Minutes after local midnight; quiet from `start` until `end` (may wrap midnight). null = no quiet hours. */
  quietHours: { start: number; end: number } | null;
  skipWeekends: boolean;
  /** Local dates (YYYY-MM-DD) on which no nudge goes out. */
  holidays: string[];
}

export const DEFAULT_POLICY: NudgePolicy = {
  quietHours: { start: 20 * 60, end: 7 * 60 },
  skipWeekends: true,
  holidays: [],
};

/** Parses "20:00-07:00" (or "off") into quiet hours. */
export function parseQuietHours(s: string): NudgePolicy['quietHours'] {
  if (/^(off|none)$/i.test(s.trim())) return null;
  const [a, b, ...rest] = s.split('-');
  const start = parseTimeOfDay(a ?? '');
  const end = parseTimeOfDay(b ?? '');
  if (!start || !end || rest.length)
    throw new DomainError('invalid-input', `Quiet hours look like 20:00-07:00 (got "${s.slice(0, 40)}").`, {
      quiet: 'use HH:MM-HH:MM',
    });
  const q = { start: start.hour * 60 + start.minute, end: end.hour * 60 + end.minute };
  if (q.start === q.end)
    throw new DomainError('invalid-input', 'Quiet hours must start and end at different times.', {
      quiet: 'start equals end',
    });
  return q;
}

function inQuiet(minutes: number, q: { start: number; end: number }): boolean {
  return q.start < q.end ? minutes >= q.start && minutes < q.end : minutes >= q.start || minutes < q.end;
}

/**
 * The first instant at or after `t` when a nudge may go out: outside quiet hours, not on a weekend (when
 * skipped) and not on a listed holiday. A nudge pushed to another day goes out when quiet hours end there.
 */
export function nextAllowedTime(t: Date, tz: string, policy: NudgePolicy): Date {
  let cur = t;
  for (let i = 0; i < 400; i++) {
    const p = localParts(cur, tz);
    const date = localDateString(p);
    const weekend = p.weekday === 0 || p.weekday === 6;
    const q = policy.quietHours;
    if ((policy.skipWeekends && weekend) || policy.holidays.includes(date)) {
      const next = addDays(p, 1);
      // The next day starts at the end of quiet hours when quiet hours wrap midnight; otherwise at midnight.
      const startMin = q && q.start > q.end ? q.end : 0;
      cur = zonedTime(tz, next.year, next.month, next.day, Math.floor(startMin / 60), startMin % 60);
      continue;
    }
    const minutes = p.hour * 60 + p.minute;
    if (q && inQuiet(minutes, q)) {
      const day = q.start > q.end && minutes >= q.start ? addDays(p, 1) : p;
      cur = zonedTime(tz, day.year, day.month, day.day, Math.floor(q.end / 60), q.end % 60);
      continue;
    }
    return cur;
  }
  throw new DomainError(
    'invalid-state',
    'No time in the next year is free of quiet hours, weekends and holidays: check the schedule settings.',
  );
}

// ---------- due occurrences ----------

export interface ScheduleWindow {
  occurrences: OccurrenceSource;
  tz: string;
  policy: NudgePolicy;
  /** Occurrences before this instant never count (the schedule's creation). */
  startsAt: Date;
  /** Occurrences after this instant never count (end date), null = no end. */
  endsAt: Date | null;
}

export interface DueOccurrence {
  /** The nominal cron instant: the identity of this round of nudges. */
  occurrence: Date;
  /** When it may go out (after quiet hours, weekends, holidays). */
  sendAt: Date;
}

/** How far back a nominal occurrence may lie and still be pushed into the present by weekends and holidays. */
export const POLICY_LOOKBACK_MS = 16 * 24 * 3600_000;

/**
 * The one round that is due at `now`: of the occurrences whose allowed send time lies in [now - grace, now],
 * the latest. Occurrences that fell due while no instance was running collapse into that one round (sent once,
 * not once per missed tick); anything older than the grace period is dropped.
 */
export function dueOccurrence(now: Date, graceMs: number, w: ScheduleWindow): DueOccurrence | null {
  const windowStart = now.getTime() - graceMs;
  const oldest = Math.max(w.startsAt.getTime(), windowStart - POLICY_LOOKBACK_MS);
  let cursor = new Date(now.getTime() + 1);
  if (w.endsAt && w.endsAt < now) cursor = new Date(w.endsAt.getTime() + 1);
  // Walk back from now. Send times never decrease as occurrences advance, so the first occurrence whose send
  // time is not in the future is the latest one that can be due: due if inside the grace window, else nothing is.
  for (let i = 0; i < 5000; i++) {
    const occurrence = w.occurrences.before(cursor);
    if (!occurrence || occurrence.getTime() < oldest) return null;
    const sendAt = nextAllowedTime(occurrence, w.tz, w.policy);
    if (sendAt.getTime() <= now.getTime())
      return sendAt.getTime() >= windowStart ? { occurrence, sendAt } : null;
    cursor = occurrence;
  }
  return null;
}

/** The next `count` distinct send times after `now` (what a coordinator sees when they set a schedule). */
export function upcomingRuns(now: Date, count: number, w: ScheduleWindow): DueOccurrence[] {
  const out: DueOccurrence[] = [];
  let from = new Date(Math.max(now.getTime() + 1, w.startsAt.getTime()));
  for (let guard = 0; guard < 20 && out.length < count; guard++) {
    const horizon = new Date(from.getTime() + 400 * 24 * 3600_000);
    const to = w.endsAt && w.endsAt < horizon ? w.endsAt : horizon;
    if (from > to) break;
    const list = w.occurrences.between(from, to, 50);
    if (!list.length) break;
    for (const occurrence of list) {
      const sendAt = nextAllowedTime(occurrence, w.tz, w.policy);
      if (sendAt <= now) continue;
      const last = out[out.length - 1];
      if (last && last.sendAt.getTime() === sendAt.getTime()) continue;
      out.push({ occurrence, sendAt });
      if (out.length >= count) break;
    }
    from = new Date((list[list.length - 1] as Date).getTime() + 1);
  }
  return out;
}
// ---------- snooze and escalation ----------

export type SnoozeLength = '1d' | '1w';

/** When a snoozed nudge comes back: one day or one week later, at the next allowed time. */
export function snoozeUntil(now: Date, length: SnoozeLength, tz: string, policy: NudgePolicy): Date {
  const ms = length === '1d' ? 24 * 3600_000 : 7 * 24 * 3600_000;
  return nextAllowedTime(new Date(now.getTime() + ms), tz, policy);
}

/** A building is escalated when it has already been nudged `escalateAfter` times this period without submitting. */
export const shouldEscalate = (nudgesSoFar: number, escalateAfter: number) =>
  escalateAfter > 0 && nudgesSoFar >= escalateAfter;
