import { DomainError } from './errors';

/**
 * Pure schedule math for building-team nudges. Every function takes `now` (or the instants it reasons about) as
 * an argument; wall-clock conversions use the runtime's Intl time-zone data. Cron evaluation itself comes in as a
 * function (`OccurrenceSource`) so that this file imports nothing outside the domain.
 */

/** Nominal occurrences of a cron expression in a time zone. */
export interface OccurrenceSource {
  /** Occurrences in [from, to], oldest first, at most `limit`. */
  between(from: Date, to: Date, limit: number): Date[];
  /** The latest occurrence strictly before `t`, or null. */
  before(t: Date): Date | null;
}

export const EXAMPLE_SCHEDULES = '"every Monday 8:00", "every weekday at 7:30", or the cron "0 8 * * 1"';

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock reading of instant `t` in `tz`. */
export function localParts(t: Date, tz: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(t)) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? 'Sun'] ?? 0,
  };
}

function offsetMs(ms: number, tz: string): number {
  const p = localParts(new Date(ms), tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` reads the given local time. A time skipped by a spring-forward
 * transition resolves to the same wall time after the jump (02:30 → 03:30); a time that occurs twice in the fall
 * resolves to its first occurrence.
 */
export function zonedTime(tz: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const o1 = offsetMs(guess, tz);
  const t1 = guess - o1;
  const o2 = offsetMs(t1, tz);
  const t2 = guess - o2;
  const matches = [t1, t2].filter((t) => {
    const p = localParts(new Date(t), tz);
    return p.hour === hour && p.minute === minute && p.day === new Date(guess).getUTCDate();
  });
  if (matches.length) return new Date(Math.min(...matches));
  return new Date(Math.max(t1, t2));
}

export const pad2 = (n: number) => String(n).padStart(2, '0');
export const localDateString = (p: Pick<LocalParts, 'year' | 'month' | 'day'>) =>
  `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;

function addDays(p: Pick<LocalParts, 'year' | 'month' | 'day'>, n: number) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

// ---------- expressions: cron or plain phrase ----------

export interface ParsedSchedule {
  /** Five-field cron (minute hour day-of-month month day-of-week). */
  cron: string;
  /** How the schedule reads back to a person. */
  description: string;
}

const DAY_NAMES: Array<[RegExp, number, string]> = [
  [/^sun(day)?s?$/, 0, 'Sunday'],
  [/^mon(day)?s?$/, 1, 'Monday'],
  [/^tue(s|sday)?s?$/, 2, 'Tuesday'],
  [/^wed(nesday)?s?$/, 3, 'Wednesday'],
  [/^thu(r|rs|rsday)?s?$/, 4, 'Thursday'],
  [/^fri(day)?s?$/, 5, 'Friday'],
  [/^sat(urday)?s?$/, 6, 'Saturday'],
];

const invalidSchedule = (problem: string) =>
  new DomainError('invalid-input', `${problem} Try ${EXAMPLE_SCHEDULES}.`, { schedule: problem });

/** Parses "8:00", "8am", "7:30 pm", "17:45", "noon". */
export function parseTimeOfDay(s: string): { hour: number; minute: number } | null {
  const t = s.trim().toLowerCase();
  if (t === 'noon') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 0, minute: 0 };
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/.exec(t);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.[0];
  if (minute > 59) return null;
  if (ampm) {
    if (hour < 1 || hour > 12) return null;
    if (ampm === 'a' && hour === 12) hour = 0;
    else if (ampm === 'p' && hour !== 12) hour += 12;
  } else if (!m[2]) return null; // a bare number ("every Monday 8") is ambiguous
  if (hour > 23) return null;
  return { hour, minute };
}

const ordinal = (n: number) => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
};

function describeTime(hour: number, minute: number) {
  return `${pad2(hour)}:${pad2(minute)}`;
}

/** Plain phrases: "every Monday 8:00", "every Mon and Thu at 7:30am", "every weekday at 8", "every day 9:15",
 * "daily at 9:15", "every month on the 1st at 9:00". */
export function parsePhrase(phrase: string): ParsedSchedule {
  const raw = phrase.trim().toLowerCase().replace(/\s+/g, ' ').replace(/,/g, ' , ');
  let m = /^(?:every|each) month on (?:the )?(\d{1,2})(?:st|nd|rd|th)?(?: day)? (?:at )?(.+)$/.exec(raw);
  if (m) {
    const dom = Number(m[1]);
    const time = parseTimeOfDay(m[2] ?? '');
    if (dom < 1 || dom > 28)
      throw invalidSchedule(`Day ${dom} of the month does not exist in every month (use 1 to 28).`);
    if (!time) throw invalidSchedule(`I could not read the time "${m[2]}".`);
    return {
      cron: `${time.minute} ${time.hour} ${dom} * *`,
      description: `every month on the ${ordinal(dom)} at ${describeTime(time.hour, time.minute)}`,
    };
  }
  m = /^(?:every|each|on) (.+?) (?:at )?([0-9:]+ ?(?:am|pm|a\.m\.|p\.m\.)?|noon|midnight)$/.exec(raw);
  const daily = /^daily (?:at )?(.+)$/.exec(raw);
  if (!m && !daily) throw invalidSchedule(`I could not read "${phrase.trim().slice(0, 80)}" as a schedule.`);
  const dayPart = daily ? 'day' : (m?.[1] ?? '');
  const time = parseTimeOfDay(daily ? (daily[1] ?? '') : (m?.[2] ?? ''));
  if (!time) throw invalidSchedule('I could not read the time of day (write it like 8:00, 8am or 17:30).');
  const at = describeTime(time.hour, time.minute);
  if (dayPart === 'day')
    return { cron: `${time.minute} ${time.hour} * * *`, description: `every day at ${at}` };
  if (dayPart === 'weekday' || dayPart === 'weekdays' || dayPart === 'school day')
    return { cron: `${time.minute} ${time.hour} * * 1-5`, description: `every weekday at ${at}` };
  const days: number[] = [];
  const names: string[] = [];
  for (const word of dayPart.split(/ |,/).filter((w) => w && w !== 'and' && w !== ',' && w !== '&')) {
    const found = DAY_NAMES.find(([re]) => re.test(word));
    if (!found) throw invalidSchedule(`"${word}" is not a day of the week.`);
    if (!days.includes(found[1])) {
      days.push(found[1]);
      names.push(found[2]);
    }
  }
  if (!days.length) throw invalidSchedule('Name the day(s) of the week.');
  return {
    cron: `${time.minute} ${time.hour} * * ${[...days].sort((a, b) => a - b).join(',')}`,
    description: `every ${names.join(' and ')} at ${at}`,
  };
}

const CRON_FIELD = /^[0-9A-Za-z*/,-]+$/;
const CRON_RANGES: Array<[string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];
const CRON_NAMES = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$/i;

/** True when the text looks like a cron expression rather than a phrase. */
export const looksLikeCron = (s: string) => /^[0-9*]/.test(s.trim()) && s.trim().split(/\s+/).length >= 3;

/** Checks the shape of a five-field cron expression (the cron engine checks it again when it evaluates). */
export function parseCron(expr: string): ParsedSchedule {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5)
    throw invalidSchedule(
      `A cron expression has five fields (minute hour day-of-month month day-of-week); "${expr.trim().slice(0, 60)}" has ${fields.length}.`,
    );
  fields.forEach((f, i) => {
    const [name, lo, hi] = CRON_RANGES[i] as [string, number, number];
    if (!CRON_FIELD.test(f)) throw invalidSchedule(`The ${name} field "${f}" is not valid cron.`);
    for (const part of f.split(',')) {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step))
        throw invalidSchedule(`The ${name} field "${f}" has a bad step.`);
      if (range === '*') continue;
      for (const v of (range ?? '').split('-')) {
        if (CRON_NAMES.test(v) && (i === 3 || i === 4)) continue;
        if (!/^\d+$/.test(v) || Number(v) < lo || Number(v) > hi)
          throw invalidSchedule(`The ${name} field "${f}" must be within ${lo}-${hi}.`);
      }
    }
  });
  if (fields[0]?.includes('*') || fields[0]?.includes(',') || fields[0]?.includes('-'))
    throw invalidSchedule('Nudges go out at most once an hour: give one fixed minute (e.g. "0 8 * * 1").');
  return { cron: fields.join(' '), description: `cron "${fields.join(' ')}"` };
}

/** A schedule as a coordinator typed it: cron or plain phrase. Throws DomainError with an example. */
export function parseScheduleExpression(input: string): ParsedSchedule {
  const s = input.trim();
  if (!s) throw invalidSchedule('The schedule is empty.');
  if (s.length > 200) throw invalidSchedule('The schedule is too long.');
  return looksLikeCron(s) ? parseCron(s) : parsePhrase(s);
}

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

// ---------- periods ----------

export type PeriodKind = 'month' | 'week';

export interface Period {
  id: string;
  kind: PeriodKind;
  startsAt: Date;
  endsAt: Date;
  label: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function isoWeek(p: Pick<LocalParts, 'year' | 'month' | 'day'>) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return { year: d.getUTCFullYear(), week: Math.ceil(((d.getTime() - yearStart) / 86400000 + 1) / 7) };
}

/** The monitoring period (month or ISO week in the district's time zone) containing `t`. */
export function periodAt(t: Date, tz: string, kind: PeriodKind): Period {
  const p = localParts(t, tz);
  if (kind === 'month') {
    return periodById(`${p.year}-${pad2(p.month)}`, tz);
  }
  const w = isoWeek(p);
  return periodById(`${w.year}-W${pad2(w.week)}`, tz);
}

/** Parses a period id ("2026-11" or "2026-W48"); throws DomainError('invalid-input') otherwise. */
export function periodById(id: string, tz: string): Period {
  let m = /^(\d{4})-(\d{2})$/.exec(id);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) {
      const next = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
      return {
        id,
        kind: 'month',
        startsAt: zonedTime(tz, year, month, 1),
        endsAt: zonedTime(tz, next.y, next.m, 1),
        label: `${MONTHS[month - 1]} ${year}`,
      };
    }
  }
  m = /^(\d{4})-W(\d{2})$/.exec(id);
  if (m) {
    const year = Number(m[1]);
    const week = Number(m[2]);
    if (week >= 1 && week <= 53) {
      // Monday of ISO week 1 is the Monday on or before 4 January.
      const jan4 = new Date(Date.UTC(year, 0, 4));
      const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86400000);
      const start = new Date(monday.getTime() + (week - 1) * 7 * 86400000);
      const end = new Date(start.getTime() + 7 * 86400000);
      const s = { year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: start.getUTCDate() };
      const e = { year: end.getUTCFullYear(), month: end.getUTCMonth() + 1, day: end.getUTCDate() };
      if (isoWeek(s).year === year && isoWeek(s).week === week)
        return {
          id,
          kind: 'week',
          startsAt: zonedTime(tz, s.year, s.month, s.day),
          endsAt: zonedTime(tz, e.year, e.month, e.day),
          label: `week of ${localDateString(s)}`,
        };
    }
  }
  throw new DomainError('invalid-input', `"${id.slice(0, 20)}" is not a period: use 2026-11 or 2026-W48.`, {
    period: 'use YYYY-MM or YYYY-Www',
  });
}

export const isPeriodOpen = (period: Period, now: Date) => now < period.endsAt;

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

/** Formats an instant for people in the district's time zone, e.g. "Mon 2026-11-30 08:00 EST". */
export function formatLocal(t: Date, tz: string): string {
  const p = localParts(t, tz);
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' })
      .formatToParts(t)
      .find((x) => x.type === 'timeZoneName')?.value ?? tz;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][p.weekday];
  return `${day} ${localDateString(p)} ${pad2(p.hour)}:${pad2(p.minute)} ${zone}`;
}
