import { DomainError } from './errors';
import { pad2 } from './localTime';

/** Schedule expressions as a coordinator types them: a five-field cron expression or a plain phrase. */

export const EXAMPLE_SCHEDULES = '"every Monday 8:00", "every weekday at 7:30", or the cron "0 8 * * 1"';

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
