import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import {
  DEFAULT_POLICY,
  dueOccurrence,
  formatLocal,
  localParts,
  type NudgePolicy,
  nextAllowedTime,
  parseQuietHours,
  parseScheduleExpression,
  periodAt,
  periodById,
  type ScheduleWindow,
  shouldEscalate,
  snoozeUntil,
  upcomingRuns,
  zonedTime,
} from '../../src/domain/schedule';

const TZ = 'America/Detroit';
const NO_POLICY: NudgePolicy = { quietHours: null, skipWeekends: false, holidays: [] };
const window = (
  expr: string,
  policy = NO_POLICY,
  startsAt = '2026-01-01T00:00:00Z',
  endsAt: string | null = null,
) => {
  const { cron } = parseScheduleExpression(expr);
  return {
    occurrences: cronParserEngine.source(cron, TZ),
    tz: TZ,
    policy,
    startsAt: new Date(startsAt),
    endsAt: endsAt ? new Date(endsAt) : null,
  } satisfies ScheduleWindow;
};
const local = (d: Date) => {
  const p = localParts(d, TZ);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
};

describe('schedule expressions', () => {
  test.each([
    ['every Monday 8:00', '0 8 * * 1'],
    ['Every monday at 8am', '0 8 * * 1'],
    ['every Mon and Thu at 7:30am', '30 7 * * 1,4'],
    ['every Tuesday, Friday 3:15 pm', '15 15 * * 2,5'],
    ['every weekday at 8:00', '0 8 * * 1-5'],
    ['every day at 17:45', '45 17 * * *'],
    ['daily at noon', '0 12 * * *'],
    ['every month on the 1st at 9:00', '0 9 1 * *'],
    ['0 8 * * 1', '0 8 * * 1'],
    ['30 7 1,15 * MON-FRI', '30 7 1,15 * MON-FRI'],
  ])('%s → %s', (input, cron) => {
    expect(parseScheduleExpression(input).cron).toBe(cron);
  });

  test.each([
    'every Funday 8:00',
    'every Monday 8', // ambiguous hour
    'every Monday 25:00',
    'sometimes',
    '61 8 * * 1',
    '0 8 * *',
    '0 0 8 * * 1',
    '* 8 * * 1',
    '0 8 32 * *',
    'every month on the 31st at 9:00',
    '',
  ])('refuses %p with an example of a valid schedule', (input) => {
    expect(() => parseScheduleExpression(input)).toThrow(/every Monday 8:00/);
    try {
      parseScheduleExpression(input);
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid-input' });
    }
  });

  test('the cron engine refuses what it cannot evaluate', () => {
    expect(() => cronParserEngine.source('0 8 * * 1', 'Mars/Olympus')).toThrow(/not valid/);
  });
});

describe('time zones and daylight saving', () => {
  test('a skipped local time resolves after the jump; a repeated one resolves to its first occurrence', () => {
    expect(zonedTime(TZ, 2026, 3, 8, 2, 30).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(zonedTime(TZ, 2026, 11, 1, 1, 30).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // first 01:30 (EDT)
    expect(zonedTime(TZ, 2026, 7, 1, 8, 0).toISOString()).toBe('2026-07-01T12:00:00.000Z');
    expect(zonedTime(TZ, 2026, 1, 1, 8, 0).toISOString()).toBe('2026-01-01T13:00:00.000Z');
  });

  test.each([
    ['spring forward', '2026-03-05T00:00:00Z', '2026-03-12T00:00:00Z'],
    ['fall back', '2026-10-29T00:00:00Z', '2026-11-05T00:00:00Z'],
  ])(
    'daily 8:00 fires at 8:00 local exactly once a day around %s (ticking every 15 minutes)',
    (_, from, to) => {
      const w = window('every day at 8:00');
      const fired = new Map<string, Date>();
      for (let t = new Date(from).getTime(); t <= new Date(to).getTime(); t += 15 * 60_000) {
        const due = dueOccurrence(new Date(t), 30 * 60_000, w);
        if (due) fired.set(due.occurrence.toISOString(), due.sendAt);
      }
      const times = [...fired.values()].map(local);
      expect(times).toHaveLength(7);
      for (const s of times) expect(s.endsWith(' 08:00')).toBe(true);
      expect(new Set(times.map((s) => s.slice(0, 10))).size).toBe(7);
    },
  );

  test('weekly Monday 8:00 echoes the right UTC instants across the March transition', () => {
    const runs = upcomingRuns(new Date('2026-03-01T00:00:00Z'), 3, window('every Monday 8:00'));
    expect(runs.map((r) => r.sendAt.toISOString())).toEqual([
      '2026-03-02T13:00:00.000Z', // EST
      '2026-03-09T12:00:00.000Z', // EDT
      '2026-03-16T12:00:00.000Z',
    ]);
    expect(formatLocal(runs[0]?.sendAt as Date, TZ)).toBe('Mon 2026-03-02 08:00 EST');
    expect(formatLocal(runs[1]?.sendAt as Date, TZ)).toBe('Mon 2026-03-09 08:00 EDT');
  });

  test('02:30 on the spring-forward night fires once (at 03:30); 01:30 on the fall-back night fires once', () => {
    const spring = upcomingRuns(new Date('2026-03-07T12:00:00Z'), 2, window('30 2 * * *'));
    expect(spring.map((r) => local(r.sendAt))).toEqual(['2026-03-08 03:30', '2026-03-09 02:30']);
    const fall = upcomingRuns(new Date('2026-10-31T12:00:00Z'), 2, window('30 1 * * *'));
    expect(fall.map((r) => r.sendAt.toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });
});

describe('quiet hours, weekends and holidays', () => {
  const policy: NudgePolicy = {
    quietHours: { start: 20 * 60, end: 7 * 60 },
    skipWeekends: true,
    holidays: ['2026-11-26'],
  };
  const at = (y: number, m: number, d: number, h: number, min = 0) => zonedTime(TZ, y, m, d, h, min);

  test('inside quiet hours a nudge waits for them to end', () => {
    expect(local(nextAllowedTime(at(2026, 11, 23, 21), TZ, policy))).toBe('2026-11-24 07:00'); // Mon 21:00 → Tue
    expect(local(nextAllowedTime(at(2026, 11, 24, 6, 30), TZ, policy))).toBe('2026-11-24 07:00');
    expect(local(nextAllowedTime(at(2026, 11, 24, 7), TZ, policy))).toBe('2026-11-24 07:00');
    expect(local(nextAllowedTime(at(2026, 11, 24, 19, 59), TZ, policy))).toBe('2026-11-24 19:59');
  });

  test('weekends and holidays move a nudge to the next allowed day', () => {
    expect(local(nextAllowedTime(at(2026, 11, 27, 21), TZ, policy))).toBe('2026-11-30 07:00'); // Fri night → Mon
    expect(local(nextAllowedTime(at(2026, 11, 28, 10), TZ, policy))).toBe('2026-11-30 07:00'); // Sat → Mon
    expect(local(nextAllowedTime(at(2026, 11, 26, 9), TZ, policy))).toBe('2026-11-27 07:00'); // Thanksgiving
    expect(local(nextAllowedTime(at(2026, 11, 25, 22), TZ, policy))).toBe('2026-11-27 07:00'); // eve → skip holiday
    const noQuiet = { ...policy, quietHours: null };
    expect(local(nextAllowedTime(at(2026, 11, 28, 10), TZ, noQuiet))).toBe('2026-11-30 00:00');
    // Daytime quiet hours (12:00-13:00) that do not wrap midnight.
    const lunch = { quietHours: parseQuietHours('12:00-13:00'), skipWeekends: false, holidays: [] };
    expect(local(nextAllowedTime(at(2026, 11, 28, 12, 15), TZ, lunch))).toBe('2026-11-28 13:00');
  });

  test('the echoed next runs follow the policy and collapse runs that land on the same time', () => {
    // Saturday and Sunday 9:00 both move to Monday 07:00 → one run; then Monday's own 9:00.
    const w = window('every day at 9:00', policy, '2026-11-01T00:00:00Z');
    const runs = upcomingRuns(new Date('2026-11-27T20:00:00Z'), 3, w);
    expect(runs.map((r) => local(r.sendAt))).toEqual([
      '2026-11-30 07:00',
      '2026-11-30 09:00',
      '2026-12-01 09:00',
    ]);
  });

  test('quiet hours are validated', () => {
    expect(parseQuietHours('21:00-06:30')).toEqual({ start: 21 * 60, end: 6 * 60 + 30 });
    expect(parseQuietHours('off')).toBeNull();
    expect(() => parseQuietHours('late')).toThrow(/20:00-07:00/);
    expect(() => parseQuietHours('08:00-08:00')).toThrow(/different/);
  });

  test('a schedule that can never send is reported, not looped on forever', () => {
    const never = { quietHours: { start: 0, end: 23 * 60 + 59 }, skipWeekends: true, holidays: [] };
    const allHolidays = {
      ...never,
      holidays: Array.from({ length: 400 }, (_, i) =>
        new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      ),
    };
    expect(() => nextAllowedTime(at(2026, 1, 1, 8), TZ, allHolidays)).toThrow(/No time/);
  });
});

describe('due occurrences and the grace period after downtime', () => {
  const w = window('every Monday 8:00', DEFAULT_POLICY, '2026-11-01T00:00:00Z');

  test('due from its send time until the grace period ends', () => {
    const monday8 = zonedTime(TZ, 2026, 11, 23, 8);
    expect(dueOccurrence(new Date(monday8.getTime() - 60_000), 6 * 3600_000, w)).toBeNull();
    expect(dueOccurrence(monday8, 6 * 3600_000, w)?.occurrence).toEqual(monday8);
    expect(dueOccurrence(new Date(monday8.getTime() + 5 * 3600_000), 6 * 3600_000, w)?.occurrence).toEqual(
      monday8,
    );
    expect(dueOccurrence(new Date(monday8.getTime() + 7 * 3600_000), 6 * 3600_000, w)).toBeNull();
  });

  test('occurrences missed while every instance was down collapse into one round (the latest)', () => {
    const daily = window('every day at 8:00', NO_POLICY, '2026-11-01T00:00:00Z');
    const backAt = zonedTime(TZ, 2026, 11, 23, 11); // down from Friday to Monday 11:00
    const due = dueOccurrence(backAt, 7 * 24 * 3600_000, daily);
    expect(local(due?.occurrence as Date)).toBe('2026-11-23 08:00');
    // Ticks later in the grace window keep pointing at the same round (the store's claim stops a resend).
    expect(
      dueOccurrence(new Date(backAt.getTime() + 3600_000), 7 * 24 * 3600_000, daily)?.occurrence,
    ).toEqual(due?.occurrence);
  });

  test('a Saturday occurrence pushed to Monday by the weekend rule is due on Monday', () => {
    const sat = window('every Saturday 9:00', DEFAULT_POLICY, '2026-11-01T00:00:00Z');
    const monday7 = zonedTime(TZ, 2026, 11, 30, 7);
    const due = dueOccurrence(monday7, 3600_000, sat);
    expect(local(due?.occurrence as Date)).toBe('2026-11-28 09:00');
    expect(due?.sendAt).toEqual(monday7);
    expect(dueOccurrence(zonedTime(TZ, 2026, 11, 28, 9), 3600_000, sat)).toBeNull();
  });

  test('nothing before the schedule was created and nothing after its end date', () => {
    const created = zonedTime(TZ, 2026, 11, 23, 9);
    const late = window('every Monday 8:00', NO_POLICY, created.toISOString(), '2026-12-01T00:00:00Z');
    expect(dueOccurrence(zonedTime(TZ, 2026, 11, 23, 10), 7 * 24 * 3600_000, late)).toBeNull();
    expect(upcomingRuns(created, 3, late).map((r) => local(r.sendAt))).toEqual(['2026-11-30 08:00']);
  });
});

describe('snooze, periods, escalation', () => {
  test('snooze for a day or a week lands on the next allowed time', () => {
    const friday10 = zonedTime(TZ, 2026, 11, 20, 10);
    expect(local(snoozeUntil(friday10, '1d', TZ, DEFAULT_POLICY))).toBe('2026-11-23 07:00');
    expect(local(snoozeUntil(friday10, '1w', TZ, DEFAULT_POLICY))).toBe('2026-11-27 10:00');
    expect(local(snoozeUntil(friday10, '1d', TZ, NO_POLICY))).toBe('2026-11-21 10:00');
  });

  test('periods follow the district time zone', () => {
    const lateNov30 = zonedTime(TZ, 2026, 11, 30, 23, 30); // already December in UTC
    expect(periodAt(lateNov30, TZ, 'month')).toMatchObject({ id: '2026-11', label: 'November 2026' });
    expect(periodAt(lateNov30, TZ, 'week').id).toBe('2026-W49');
    const w1 = periodById('2027-W01', TZ);
    expect(local(w1.startsAt)).toBe('2027-01-04 00:00');
    expect(local(w1.endsAt)).toBe('2027-01-11 00:00');
    expect(local(periodById('2026-12', TZ).endsAt)).toBe('2027-01-01 00:00');
    expect(() => periodById('2026-13', TZ)).toThrow(/not a period/);
    expect(() => periodById('next month', TZ)).toThrow(/not a period/);
  });

  test('escalation after the configured number of missed nudges; 0 turns it off', () => {
    expect(shouldEscalate(2, 3)).toBe(false);
    expect(shouldEscalate(3, 3)).toBe(true);
    expect(shouldEscalate(9, 0)).toBe(false);
  });
});

describe('a whole year of weekly nudges in several time zones', () => {
  test.each([
    ['America/Detroit', 52],
    ['Europe/London', 52],
    ['Australia/Sydney', 52],
    ['America/Phoenix', 52],
  ])('every Monday 8:00 in %s fires at 08:00 local every Monday of 2026, once', (tz, count) => {
    const { cron } = parseScheduleExpression('every Monday 8:00');
    const w: ScheduleWindow = {
      occurrences: cronParserEngine.source(cron, tz),
      tz,
      policy: DEFAULT_POLICY,
      startsAt: new Date('2025-12-31T00:00:00Z'),
      endsAt: new Date('2026-12-31T00:00:00Z'),
    };
    const runs = upcomingRuns(new Date('2025-12-31T00:00:00Z'), 60, w);
    expect(runs).toHaveLength(count);
    for (const r of runs) {
      const p = localParts(r.sendAt, tz);
      expect([p.weekday, p.hour, p.minute]).toEqual([1, 8, 0]);
    }
    expect(new Set(runs.map((r) => r.sendAt.toISOString())).size).toBe(count);
  });
});

test('ticking through both transition nights: 02:30 and 01:30 daily fire once a night', () => {
  for (const [expr, from, to] of [
    ['30 2 * * *', '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z'],
    ['30 1 * * *', '2026-10-30T12:00:00Z', '2026-11-03T12:00:00Z'],
  ] as const) {
    const w = window(expr);
    const fired = new Map<string, Date>();
    for (let t = new Date(from).getTime(); t <= new Date(to).getTime(); t += 10 * 60_000) {
      const due = dueOccurrence(new Date(t), 20 * 60_000, w);
      if (due) fired.set(due.occurrence.toISOString(), due.sendAt);
    }
    const days = [...fired.values()].map((d) => local(d).slice(0, 10));
    expect(days).toHaveLength(4);
    expect(new Set(days).size).toBe(4);
  }
});

test('looking back and looking forward agree on every occurrence of 2026 (DST nights included)', () => {
  // London springs forward and falls back at 01:00 on Sundays: 01:30 Sunday sits in the gap and in the overlap.
  for (const [tz, crons] of [
    ['America/Detroit', ['30 2 * * *', '0 8 * * 1-5']],
    ['Europe/London', ['30 1 * * 0']],
  ] as const) {
    for (const cron of crons) {
      const src = cronParserEngine.source(cron, tz);
      const year = src.between(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 1000);
      expect(year.length).toBeGreaterThan(50);
      for (let i = 1; i < year.length; i++) {
        const o = year[i] as Date;
        expect(src.before(new Date(o.getTime() + 1))).toEqual(o);
        expect(src.before(o)).toEqual(year[i - 1]);
      }
    }
  }
});
