import { code, join, plain, type RichText, rich, strong } from '../text';
import { showTime } from '../when';
import type { ScheduleReading } from './remindSchedule';

/** The facilitator's replies to `network remind schedule|off` (times in the schedule's zone). */

function one(r: ScheduleReading): RichText {
  const s = r.schedule;
  if (!s) {
    return rich`Co-op network ${strong(r.networkName)}: no scheduled reminder. Set one with ${code('network remind schedule "every Monday 9:00"')}.`;
  }
  const cycle =
    s.cycle === null
      ? plain('the one cycle at least k districts have a review of')
      : rich`${strong(s.cycle)}`;
  const lines: RichText[] = [
    rich`Co-op network ${strong(r.networkName)}: ${plain(`network remind runs ${s.description} (${s.tz})`)}, about ${cycle}. Each district that has not finished is told in its own channel, at most once a day per cycle.`,
  ];
  if (r.next.length > 0)
    lines.push(
      rich`Next: ${join(
        r.next.map((t) => plain(showTime(t, s.tz))),
        ', ',
      )}.`,
    );
  if (r.last) {
    lines.push(
      r.last.error
        ? rich`Last round ${plain(showTime(r.last.at, s.tz))}: nothing sent — ${r.last.error}`
        : rich`Last round ${plain(showTime(r.last.at, s.tz))}: ${String(r.last.reminded)} reminded.`,
    );
  }
  lines.push(rich`Stop it with ${code('network remind off')}.`);
  return join(lines, '\n');
}

export const scheduleText = (rs: readonly ScheduleReading[]): RichText =>
  join(
    rs.map((r) => one(r)),
    '\n\n',
  );

export const scheduleOffText = (rs: ReadonlyArray<{ networkName: string; had: boolean }>): RichText =>
  join(
    rs.map((r) =>
      r.had
        ? rich`Co-op network ${strong(r.networkName)}: the scheduled reminder is off.`
        : rich`Co-op network ${strong(r.networkName)}: there was no scheduled reminder.`,
    ),
    '\n',
  );
