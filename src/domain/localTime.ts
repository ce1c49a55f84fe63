/**
 * Wall-clock time in a time zone, from the runtime's Intl time-zone data: the local reading of an instant, the
 * instant of a local time, and how an instant reads to people. Pure; used by the schedule, period and policy math.
 */

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

export function addDays(p: Pick<LocalParts, 'year' | 'month' | 'day'>, n: number) {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

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
