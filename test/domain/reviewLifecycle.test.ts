import {
  assertVotingOpen,
  closeRound,
  isVoting,
  type NewReviewParams,
  type Review,
  recordDecision,
  startNextRound,
} from '../../src/domain/review';
import { assertNoOpenReview, cancelReview, setRoundDeadline } from '../../src/domain/reviewLifecycle';
import { rubrics } from '../support/fixtures';
import { freshReview, later } from '../support/reviews';

const rubric = rubrics.get('culture-of-collaboration');
if (!rubric) throw new Error('rubric missing');
const fresh = (over: Partial<NewReviewParams> = {}): Review => freshReview(rubric, { maxRounds: 1, ...over });

const row = rubric.rows[0]?.id as string;
/** Every row settled at level 3 in one round with three votes each. */
const allSettled = (r: Review) =>
  closeRound(
    r,
    new Map(
      r.polls.map((p) => [
        p.rowId,
        [3, 3, 3].map((c) => ({ choice: c as 3, perspective: 'district' as const })),
      ]),
    ),
    3,
    later(5),
  );

describe('cancelling a review', () => {
  test('keeps who, when and why; voting, close, next, decide and deadline are refused afterwards', () => {
    const r = cancelReview(fresh(), 'U0', '  started by mistake ', later(1));
    expect(r.status).toBe('cancelled');
    expect(r.cancellation).toEqual({ by: 'U0', at: later(1), reason: 'started by mistake' });
    expect(isVoting(r, r.polls[0] as Review['polls'][number])).toBe(false);
    expect(() => assertVotingOpen(r, row, later(2))).toThrow(
      expect.objectContaining({ code: 'round-closed', message: expect.stringMatching(/was cancelled/) }),
    );
    const refused = expect.objectContaining({
      code: 'invalid-state',
      message: expect.stringMatching(/“2026-27 Fall” was cancelled \(started by mistake\)/),
    });
    expect(() => closeRound(r, new Map(), 3, later(2))).toThrow(refused);
    expect(() => startNextRound({ ...r, roundStatus: 'closed' }, later(2))).toThrow(refused);
    expect(() => recordDecision(r, row, 2, 'note', 'U0', later(2))).toThrow(refused);
    expect(() => setRoundDeadline(r, later(60), later(2))).toThrow(refused);
  });

  test('a cancelled or complete review cannot be cancelled; a reason is required', () => {
    const cancelled = cancelReview(fresh(), 'U0', 'why', later(1));
    expect(() => cancelReview(cancelled, 'U0', 'again', later(2))).toThrow(
      expect.objectContaining({ code: 'invalid-state' }),
    );
    const complete = allSettled(fresh());
    expect(complete.status).toBe('complete');
    expect(() => cancelReview(complete, 'U0', 'why', later(6))).toThrow(
      expect.objectContaining({ code: 'invalid-state', message: expect.stringMatching(/is complete/) }),
    );
    expect(() => cancelReview(fresh(), 'U0', '   ', later(1))).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    );
  });

  test('a review stored before cancelling existed (no cancellation field) is an ordinary one', () => {
    const { cancellation: _none, ...old } = { ...fresh(), cancellation: undefined };
    expect('cancellation' in old).toBe(false);
    expect(() => assertVotingOpen(old as Review, row, later(1))).not.toThrow();
    expect(cancelReview(old as Review, 'U0', 'why', later(1)).status).toBe('cancelled');
  });
});

describe('one open review per rubric', () => {
  test('an active review of the same rubric is refused with what is open and how to end it', () => {
    const open = { ...fresh(), round: 2 };
    expect(() => assertNoOpenReview([open], rubric.id)).toThrow(
      expect.objectContaining({
        code: 'conflict',
        message:
          '“2026-27 Fall” is still open (round 2, 0 of 6 rows rated). Close its rounds and record the last decisions, or cancel it: review cancel "2026-27 Fall" "why"',
      }),
    );
  });

  test('complete and cancelled reviews, and other rubrics, do not count', () => {
    expect(() => assertNoOpenReview([allSettled(fresh())], rubric.id)).not.toThrow();
    expect(() => assertNoOpenReview([cancelReview(fresh(), 'U0', 'x', later(1))], rubric.id)).not.toThrow();
    expect(() => assertNoOpenReview([{ ...fresh(), rubricId: 'other' }], rubric.id)).not.toThrow();
    expect(() => assertNoOpenReview([], rubric.id)).not.toThrow();
  });
});

describe("the round's deadline", () => {
  test('set, cleared; never in the past; only while the round is open', () => {
    const set = setRoundDeadline(fresh(), later(60), later(1));
    expect(set.deadline).toEqual(later(60));
    expect(setRoundDeadline(set, null, later(2)).deadline).toBeNull();
    expect(() => setRoundDeadline(fresh(), later(0), later(1))).toThrow(
      expect.objectContaining({ code: 'invalid-input' }),
    );
    const closed = closeRound(fresh({ maxRounds: 2 }), new Map(), 3, later(1));
    expect(() => setRoundDeadline(closed, later(60), later(2))).toThrow(
      expect.objectContaining({ code: 'invalid-state', message: expect.stringMatching(/Round 1 is closed/) }),
    );
    expect(() => setRoundDeadline(allSettled(fresh()), later(60), later(6))).toThrow(
      expect.objectContaining({ code: 'invalid-state' }),
    );
  });
});
