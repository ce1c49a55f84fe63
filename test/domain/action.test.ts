import {
  type ActionItem,
  completeAction,
  createAction,
  daysBetween,
  inReminderHours,
  localDay,
  parseDueDate,
  reminderDue,
  reminderKey,
  sortActions,
  tallyActions,
} from '../../src/domain/action';

const TZ = 'America/Detroit';
const NOW = new Date('2026-11-23T15:00:00Z'); // 10:00 in Detroit

const input = (over: Record<string, unknown> = {}) => ({
  id: 'ac1',
  tenantId: 'T1',
  districtId: 'd1',
  reviewId: 'r1',
  cycle: '2026-27 Fall',
  rubricId: 'culture-of-collaboration',
  rowId: 'policies-structures',
  text: '  Draft a shared planning-time policy ',
  ownerId: 'U1',
  ownerName: 'Member 1',
  due: '2027-02-01',
  target: 3,
  source: { kind: 'direct' as const },
  createdBy: 'U_COORD',
  ...over,
});

describe('actions (domain)', () => {
  test('a new action is open, trimmed, with a real due date and a level target', () => {
    const a = createAction(input(), NOW, TZ);
    expect(a).toMatchObject({
      text: 'Draft a shared planning-time policy',
      status: 'open',
      doneBy: null,
      doneAt: null,
      target: 3,
      due: '2027-02-01',
      createdAt: NOW,
    });
  });

  test.each([
    [{ text: '   ' }, 'invalid-input', /Say what the action is/],
    [{ text: 'x'.repeat(1001) }, 'invalid-input', /at most 1000 characters \(this one has 1001\)/],
    [{ due: '2027-02-30' }, 'invalid-input', /calendar date such as 2027-02-01 \(got "2027-02-30"\)/],
    [{ due: 'tomorrow' }, 'invalid-input', /calendar date/],
    [{ due: '2026-11-22' }, 'invalid-input', /has already passed \(today is 2026-11-23\)/],
    [{ target: 5 }, 'bad-level', /from 1 \(Beginning\) to 4/],
    [{ target: 2.5 }, 'bad-level', /from 1/],
    [{ target: Number.NaN }, 'bad-level', /from 1/],
  ])('refused (case %#)', (over, code, message) => {
    expect(() => createAction(input(over), NOW, TZ)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });

  test('"today" is the district\'s day: late evening in Detroit is already tomorrow in UTC', () => {
    const evening = new Date('2026-11-24T03:30:00Z'); // 22:30 on the 23rd in Detroit
    expect(localDay(evening, TZ)).toBe('2026-11-23');
    expect(createAction(input({ due: '2026-11-23' }), evening, TZ).due).toBe('2026-11-23');
    expect(localDay(evening, 'UTC')).toBe('2026-11-24');
  });

  test('parseDueDate and daysBetween', () => {
    expect(parseDueDate('2028-02-29')).toBe('2028-02-29');
    expect(parseDueDate('2027-02-29')).toBeNull();
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(daysBetween('2027-01-02', '2026-12-30')).toBe(-3);
  });

  test('marking done records who and when, once', () => {
    const a = createAction(input(), NOW, TZ);
    const later = new Date('2026-12-01T10:00:00Z');
    const done = completeAction(a, 'U1', later);
    expect(done).toMatchObject({ status: 'done', doneBy: 'U1', doneAt: later });
    expect(a.status).toBe('open');
    expect(() => completeAction(done, 'U_COORD', later)).toThrow(/already marked done on 2026-12-01/);
  });

  test('reminders: open actions due within N days or overdue, once per action and day', () => {
    const a = createAction(input({ due: '2026-11-26' }), NOW, TZ);
    expect(reminderDue(a, '2026-11-22', 3)).toBeNull();
    expect(reminderDue(a, '2026-11-23', 3)).toBe(3);
    expect(reminderDue(a, '2026-11-26', 3)).toBe(0);
    expect(reminderDue(a, '2026-11-30', 3)).toBe(-4);
    expect(reminderDue(completeAction(a, 'U1', NOW), '2026-11-26', 3)).toBeNull();
    expect(reminderKey(a, '2026-11-23')).toBe('T1|d1|ac1|2026-11-23');
    expect(reminderKey({ ...a, tenantId: 'teams:a|b' }, '2026-11-23')).toBe(
      'teams%3Aa%7Cb|d1|ac1|2026-11-23',
    );
    expect(inReminderHours(new Date('2026-11-23T12:59:00Z'), TZ)).toBe(false); // 07:59
    expect(inReminderHours(new Date('2026-11-23T13:00:00Z'), TZ)).toBe(true); // 08:00
    expect(inReminderHours(new Date('2026-11-24T01:00:00Z'), TZ)).toBe(false); // 20:00
  });

  test('sorting and tallies: by row order, open (earliest due) before done (latest done)', () => {
    const mk = (id: string, rowId: string, due: string, doneAt?: string): ActionItem => {
      const a = createAction(input({ id, rowId, due }), NOW, TZ);
      return doneAt ? completeAction(a, 'U1', new Date(doneAt)) : a;
    };
    const list = [
      mk('a', 'r2', '2027-01-01'),
      mk('b', 'r1', '2027-03-01'),
      mk('c', 'r1', '2027-02-01'),
      mk('d', 'r1', '2027-01-01', '2026-12-01T00:00:00Z'),
      mk('e', 'r1', '2027-01-01', '2026-12-05T00:00:00Z'),
    ];
    expect(sortActions(list, ['r1', 'r2']).map((a) => a.id)).toEqual(['c', 'b', 'e', 'd', 'a']);
    expect(tallyActions(list)).toEqual({ done: 2, total: 5 });
  });
});
