import {
  CONSENSUS_DEFAULTS,
  type ConsensusRule,
  DEFAULT_RULE,
  type TallyVote,
} from '../../src/domain/consensus';
import type { Vote } from '../../src/domain/district';
import {
  beginCloseRound,
  closeRound,
  finishCloseRound,
  type NewReviewParams,
  nextRoundDeadline,
  type Review,
  startNextRound,
  votesByRow,
} from '../../src/domain/review';
import type { Choice, Rubric } from '../../src/domain/rubric';
import { expectCode, freshReview, later, T0 } from '../support/reviews';

// The round-close rule on its own: a vote distribution in, a row's outcome out (no store, `now` passed in).

const cells = ['b', 'd', 'e', 'a'] as const;
const rubric: Rubric = {
  id: 'mini',
  title: 'Mini rubric',
  source: 'test',
  levels: [
    { level: 1, name: 'Beginning' },
    { level: 2, name: 'Developing' },
    { level: 3, name: 'Evolving' },
    { level: 4, name: 'Accomplished' },
  ],
  rows: [
    { id: 'row-a', title: 'Row A', cells },
    { id: 'row-b', title: 'Row B', cells },
  ],
  reflectionQuestions: [],
};
const fresh = (over: Partial<NewReviewParams> = {}): Review => freshReview(rubric, over);

const tally = (choices: Choice[]): TallyVote[] =>
  choices.map((choice) => ({ choice, perspective: 'district' }));
const u = 'unsure' as const;
const adjacent: ConsensusRule = { ...DEFAULT_RULE, kind: 'adjacent-levels' };

describe('the consensus defaults', () => {
  test('one level at 75% of the votes, a quorum of 3 voters and half the members, at most 3 rounds', () => {
    expect(CONSENSUS_DEFAULTS).toEqual({
      rule: { kind: 'single-level', threshold: 0.75, minVoters: 3, minShareOfMembers: 0.5 },
      maxRounds: 3,
    });
    expect(DEFAULT_RULE).toBe(CONSENSUS_DEFAULTS.rule);
    expect(Object.isFrozen(CONSENSUS_DEFAULTS.rule)).toBe(true);
  });
});

describe('closing a round: vote distribution → row outcome', () => {
  // [votes, members, round of maxRounds, rule] → [status, rating, reason]
  test.each([
    ['4 of 4 at one level', [3, 3, 3, 3], 4, 1, DEFAULT_RULE, 'settled', 3, 'consensus'],
    ['3 of 4 (exactly 75%)', [2, 2, 2, 4], 4, 1, DEFAULT_RULE, 'settled', 2, 'consensus'],
    ['2 of 4 at each of two levels', [3, 3, 4, 4], 4, 1, DEFAULT_RULE, 'unsettled', null, 'no-agreement'],
    ['"not sure" counts in the share', [4, 4, 4, u], 4, 1, DEFAULT_RULE, 'settled', 4, 'consensus'],
    ['"not sure" can block agreement', [4, 4, u, u], 4, 1, DEFAULT_RULE, 'unsettled', null, 'no-agreement'],
    ['fewer votes than minVoters', [1, 1], 2, 1, DEFAULT_RULE, 'unsettled', null, 'no-quorum'],
    ['nobody voted', [], 4, 1, DEFAULT_RULE, 'unsettled', null, 'no-quorum'],
    ['fewer than half the members', [4, 4, 4, 4], 10, 1, DEFAULT_RULE, 'unsettled', null, 'no-quorum'],
    [
      'no agreement in the last round',
      [3, 3, 4, 4],
      4,
      3,
      DEFAULT_RULE,
      'needs-decision',
      null,
      'no-agreement',
    ],
    ['no quorum in the last round', [], 4, 3, DEFAULT_RULE, 'needs-decision', null, 'no-quorum'],
    ['consensus in the last round', [1, 1, 1], 3, 3, DEFAULT_RULE, 'settled', 1, 'consensus'],
    ['adjacent levels: lower median', [2, 3, 3, 2], 4, 1, adjacent, 'settled', 2, 'consensus'],
    ['adjacent levels: spread too wide', [1, 2, 3, 4], 4, 1, adjacent, 'unsettled', null, 'no-agreement'],
  ] as const)('%s', (_name, choices, members, round, rule, status, rating, reason) => {
    let review = fresh({ rule, maxRounds: 3 });
    // Earlier rounds closed without any votes (no quorum), so every row is voting again in `round`.
    for (let r = 1; r < round; r++)
      review = startNextRound(closeRound(review, new Map(), members, later(r)), later(r));
    const closed = closeRound(review, new Map([['row-a', tally([...choices])]]), members, later(10));
    const poll = closed.polls[0];
    expect(poll?.status).toBe(status);
    expect(poll?.outcome?.rating ?? null).toBe(rating);
    expect(poll?.rounds.at(-1)).toMatchObject({ round, settled: status === 'settled', rating, reason });
    if (status === 'settled') {
      expect(poll?.outcome).toEqual({
        rating,
        how: 'consensus',
        round,
        rule: rule.kind,
        note: null,
        decidedBy: null,
        at: later(10),
      });
    }
  });

  test('the review is complete once every row is settled', () => {
    const both = new Map([
      ['row-a', tally([2, 2, 2])],
      ['row-b', tally([4, 4, 4])],
    ]);
    expect(closeRound(fresh(), both, 3, later(1)).status).toBe('complete');
    expect(closeRound(fresh(), new Map([['row-a', tally([2, 2, 2])]]), 3, later(1)).status).toBe('active');
  });
});

describe('the two steps of a close', () => {
  test('step 1 marks an open round closed; the rows still vote until step 2 counts them', () => {
    const marked = beginCloseRound(fresh());
    expect(marked?.roundStatus).toBe('closed');
    expect(marked?.polls.every((p) => p.status === 'voting')).toBe(true);
  });

  test('a close interrupted after step 1 is completed (nothing more to save first), a finished one refused', () => {
    const marked = beginCloseRound(fresh()) as Review;
    expect(beginCloseRound(marked)).toBeNull();
    const done = finishCloseRound(marked, new Map([['row-a', tally([3, 3, 3])]]), 3, later(1));
    expectCode(() => beginCloseRound(done), 'invalid-state');
  });

  test('step 2 needs the round marked closed, and equals closing in one go', () => {
    const byRow = new Map([['row-a', tally([3, 3, 3, 4])]]);
    expectCode(() => finishCloseRound(fresh(), byRow, 4, later(1)), 'invalid-state');
    const twoSteps = finishCloseRound(beginCloseRound(fresh()) as Review, byRow, 4, later(1));
    expect(twoSteps).toEqual(closeRound(fresh(), byRow, 4, later(1)));
  });

  test('votes are counted by row with their perspective', () => {
    const vote = (
      rowId: string,
      memberId: string,
      choice: Choice,
      perspective: 'district' | 'building',
    ): Vote => ({
      reviewId: 'r1',
      rowId,
      round: 1,
      memberId,
      perspective,
      choice,
      evidence: null,
      castAt: T0,
      seq: 1,
    });
    const byRow = votesByRow([
      vote('row-a', 'U1', 3, 'district'),
      vote('row-b', 'U1', u, 'district'),
      vote('row-a', 'U2', 2, 'building'),
    ]);
    expect(Object.fromEntries(byRow)).toEqual({
      'row-a': [
        { choice: 3, perspective: 'district' },
        { choice: 2, perspective: 'building' },
      ],
      'row-b': [{ choice: u, perspective: 'district' }],
    });
  });
});

describe("the next round's deadline", () => {
  const closedWith = (deadline: Date | null) => closeRound(fresh({ deadline }), new Map(), 4, later(1));

  test('a deadline still ahead carries over; one given (or none) replaces it', () => {
    const r = closedWith(later(60));
    expect(nextRoundDeadline(r, undefined, later(2))).toEqual(later(60));
    expect(nextRoundDeadline(r, later(120), later(2))).toEqual(later(120));
    expect(nextRoundDeadline(r, null, later(2))).toBeNull();
    expect(nextRoundDeadline(closedWith(null), undefined, later(2))).toBeNull();
  });

  test('a passed deadline does not carry over silently: the coordinator is asked for a new one or none', () => {
    const r = closedWith(later(60));
    expectCode(() => nextRoundDeadline(r, undefined, later(61)), 'invalid-input');
    expect(nextRoundDeadline(r, null, later(61))).toBeNull();
  });
});
