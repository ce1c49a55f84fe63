import { DomainError } from './errors';
import type { Review } from './review';
import type { NudgePolicy, ScheduleWindow } from './schedule';
import { parsePhrase } from './scheduleExpression';

/**
 * The optional reminder schedule of a district (issue 15): "remind every Monday 9:00". While a review is open, at
 * each occurrence (in the district's time zone) the roster's non-voters get the reminder `remind` sends. Stored
 * data; the occurrence math is the nudges' (./schedule.ts). Pure; `now` is passed in.
 */
export interface ReminderSchedule {
  tenantId: string;
  districtId: string;
  /** What the coordinator typed after `remind`: "every Monday 9:00". */
  expression: string;
  cron: string;
  /** How it reads back: "every Monday at 09:00". */
  description: string;
  setBy: string;
  /** ISO; occurrences before it never count. */
  setAt: string;
}

/** A reminder goes out at the time the coordinator chose: no quiet hours, weekends or holidays move it. */
export const REMINDER_POLICY: NudgePolicy = { quietHours: null, skipWeekends: false, holidays: [] };

/** A phrase of the nudge schedules' language ("every Monday 9:00", "every weekday at 8:30"); no cron. */
export function reminderSchedule(
  p: { tenantId: string; districtId: string; expression: string; setBy: string },
  now: Date,
): ReminderSchedule {
  const expression = p.expression.trim().replace(/\s+/g, ' ');
  if (!/^every\b|^daily\b/i.test(expression)) {
    throw new DomainError(
      'invalid-input',
      `Say when, e.g. remind every Monday 9:00 (got "${expression}"). Times are in the district's time zone.`,
      { schedule: 'phrase' },
    );
  }
  const parsed = parsePhrase(expression);
  return { ...p, expression, cron: parsed.cron, description: parsed.description, setAt: now.toISOString() };
}

/** The occurrences' window (occurrences from `occurrences`, a cron source in the district's zone). */
export const reminderWindow = (
  s: ReminderSchedule,
  tz: string,
  occurrences: ScheduleWindow['occurrences'],
): ScheduleWindow => ({
  occurrences,
  tz,
  policy: REMINDER_POLICY,
  startsAt: new Date(s.setAt),
  endsAt: null,
});

/** The claim of one occurrence for one review: the first replica to insert it sends (the key is the `_id`). */
export const occurrenceKey = (s: ReminderSchedule, reviewId: string, occurrence: Date) =>
  `${s.tenantId}|${s.districtId}|${reviewId}|${occurrence.toISOString()}`;

/** The district's reviews a scheduled reminder is for: open, with an open round and no passed deadline. */
export const remindable = (reviews: readonly Review[], now: Date): Review[] =>
  reviews.filter(
    (r) =>
      r.status === 'active' &&
      r.roundStatus === 'open' &&
      r.polls.some((p) => p.status === 'voting') &&
      !(r.deadline && r.deadline.getTime() < now.getTime()),
  );
