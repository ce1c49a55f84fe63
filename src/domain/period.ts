import { DomainError } from './errors';
import { type LocalParts, localDateString, localParts, pad2, zonedTime } from './localTime';

/** Monitoring periods: calendar months and ISO weeks in the district's time zone. */

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
