import {
  type Activity1Pick,
  checkPick,
  REASON_MAX,
  spreadOf,
  startsNew,
  withPick,
} from '../../src/domain/activity1';
import { DomainError } from '../../src/domain/errors';

const T0 = new Date('2026-11-02T13:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const pick = (
  memberId: string,
  outcome: number,
  min: number,
  reason = `because ${memberId}`,
): Activity1Pick => ({
  memberId,
  displayName: `Name ${memberId}`,
  outcome,
  reason,
  at: at(min),
});

describe('Activity 1 picks', () => {
  test('a pick names one of the outcomes and says why; the reason is trimmed', () => {
    expect(checkPick(3, 2, '  it names our gap \n')).toEqual({ outcome: 2, reason: 'it names our gap' });
    for (const bad of [0, 4, 1.5, Number.NaN]) {
      expect(() => checkPick(3, bad, 'why')).toThrow(DomainError);
      expect(() => checkPick(3, bad, 'why')).toThrow(/1 to 3/);
    }
  });

  test('an empty or too-long reason is refused with what to do', () => {
    expect(() => checkPick(3, 1, '   ')).toThrow(/Say why/);
    expect(checkPick(3, 1, 'x'.repeat(REASON_MAX)).reason).toHaveLength(REASON_MAX);
    let caught: unknown;
    try {
      checkPick(3, 1, 'x'.repeat(REASON_MAX + 1));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('invalid-input');
    expect((caught as DomainError).message).toContain(`${REASON_MAX + 1}`);
  });

  test('re-picking replaces the same person’s earlier pick and keeps the others', () => {
    const picks = withPick([pick('U1', 1, 0), pick('U2', 3, 1)], pick('U1', 2, 5, 'changed'));
    expect(picks.map((p) => [p.memberId, p.outcome, p.reason])).toEqual([
      ['U2', 3, 'because U2'],
      ['U1', 2, 'changed'],
    ]);
  });

  test('the spread counts each outcome (zeros included) and lists reasons earliest first', () => {
    const spread = spreadOf(3, [pick('U3', 1, 9), pick('U1', 1, 2), pick('U2', 3, 4)]);
    expect(spread.map((s) => s.count)).toEqual([2, 0, 1]);
    expect(spread[0]?.reasons.map((r) => r.memberId)).toEqual(['U1', 'U3']);
    expect(spread[1]?.reasons).toEqual([]);
    expect(spreadOf(3, []).map((s) => s.count)).toEqual([0, 0, 0]);
  });

  test('a new Activity 1 starts when there is none or the latest was shown before a review', () => {
    const a = {
      id: 'a1',
      tenantId: 'T1',
      districtId: 'd1',
      channelId: 'C1',
      rubricId: 'r',
      startedAt: T0,
      startedBy: 'U',
      reviewId: null,
    };
    expect(startsNew(null)).toBe(true);
    expect(startsNew(a)).toBe(false);
    expect(startsNew({ ...a, reviewId: 'rev1' })).toBe(true);
  });
});
