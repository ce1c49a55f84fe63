import type { TallyVote } from '../../src/domain/consensus';
import {
  assertVotingOpen,
  closeRound,
  type NewReviewParams,
  type Review,
  recordDecision,
  startNextRound,
} from '../../src/domain/review';
import { rubrics } from '../support/fixtures';
import { expectCode, freshReview, later } from '../support/reviews';

const rubric = rubrics.get('culture-of-collaboration');
if (!rubric) throw new Error('rubric missing');
const fresh = (over: Partial<NewReviewParams> = {}): Review => freshReview(rubric, { maxRounds: 2, ...over });

const votes = (...levels: Array<1 | 2 | 3 | 4>): TallyVote[] =>
  levels.map((choice) => ({ choice, perspective: 'district' }));

describe('review rounds', () => {
  test('a new review has one voting poll per rubric row', () => {
    const r = fresh();
    expect(r.polls.map((p) => p.rowId)).toEqual(rubric.rows.map((row) => row.id));
    expect(r.polls.every((p) => p.status === 'voting')).toBe(true);
    expect(r.round).toBe(1);
  });

  test('a deadline in the past is refused; votes after the deadline are refused', () => {
    expectCode(() => fresh({ deadline: later(-1) }), 'invalid-input');
    const r = fresh({ deadline: later(60) });
    expect(() => assertVotingOpen(r, 'goal-setting', later(59))).not.toThrow();
    expectCode(() => assertVotingOpen(r, 'goal-setting', later(61)), 'deadline-passed');
    expectCode(() => assertVotingOpen(r, 'no-such-row', later(1)), 'unknown-row');
  });

  test('closing settles rows with consensus and keeps the others for another round', () => {
    const r = fresh();
    const byRow = new Map([
      ['vision-mission-beliefs', votes(3, 3, 3, 3)],
      ['policies-structures', votes(1, 2, 3, 4)],
    ]);
    const closed = closeRound(r, byRow, 4, later(10));
    expect(closed.roundStatus).toBe('closed');
    expect(closed.polls[0]).toMatchObject({
      status: 'settled',
      outcome: { rating: 3, how: 'consensus', round: 1 },
    });
    expect(closed.polls[1]?.status).toBe('unsettled');
    expect(closed.polls[2]?.rounds[0]?.reason).toBe('no-quorum'); // nobody voted
    expectCode(() => closeRound(closed, byRow, 4, later(11)), 'invalid-state');
    expectCode(() => assertVotingOpen(closed, 'policies-structures', later(11)), 'round-closed');

    const next = startNextRound(closed, later(20));
    expect(next.round).toBe(2);
    expect(next.polls[0]?.status).toBe('settled');
    expect(next.polls[1]?.status).toBe('voting');
    expectCode(() => startNextRound(next, later(21)), 'invalid-state'); // still open

    // Round 2 is the last (maxRounds 2): rows still without consensus need a decision.
    const closed2 = closeRound(next, new Map([['policies-structures', votes(2, 3, 2, 3)]]), 4, later(30));
    expect(closed2.polls[1]?.status).toBe('needs-decision');
    expect(closed2.polls[1]?.rounds.map((x) => x.round)).toEqual([1, 2]);
    expectCode(() => startNextRound(closed2, later(31)), 'invalid-state');
  });

  test('a coordinator records a decision with a note; the review completes when every row is rated', () => {
    let r = closeRound(fresh({ maxRounds: 1 }), new Map(), 3, later(5));
    expect(r.polls.every((p) => p.status === 'needs-decision')).toBe(true);
    expectCode(() => recordDecision(r, 'goal-setting', 2, '   ', 'U0', later(6)), 'invalid-input');
    for (const p of rubric.rows) r = recordDecision(r, p.id, 2, 'Agreed in the May meeting', 'U0', later(6));
    expect(r.status).toBe('complete');
    expect(r.polls[0]?.outcome).toMatchObject({
      rating: 2,
      how: 'decision',
      note: 'Agreed in the May meeting',
    });
    // A recorded decision can be corrected; the earlier one is kept, oldest first.
    const once = recordDecision(r, 'goal-setting', 3, 'Minutes found', 'U1', later(7));
    const twice = recordDecision(once, 'goal-setting', 4, 'Board report', 'U0', later(8));
    expect(twice.polls.find((p) => p.rowId === 'goal-setting')?.outcome).toMatchObject({
      rating: 4,
      note: 'Board report',
      decidedBy: 'U0',
      corrected: [
        { rating: 2, note: 'Agreed in the May meeting', decidedBy: 'U0', at: later(6) },
        { rating: 3, note: 'Minutes found', decidedBy: 'U1', at: later(7) },
      ],
    });
    expect(twice.status).toBe('complete');
  });

  test('a rating the team reached by consensus is not overwritten by a decision', () => {
    const r = closeRound(fresh(), new Map([['goal-setting', votes(3, 3, 3, 3)]]), 4, later(5));
    expect(r.polls.find((p) => p.rowId === 'goal-setting')?.status).toBe('settled');
    expectCode(() => recordDecision(r, 'goal-setting', 2, 'override', 'U0', later(6)), 'invalid-state');
  });

  test('a decision cannot be recorded while the row is still being voted on', () => {
    expectCode(() => recordDecision(fresh(), 'goal-setting', 2, 'note', 'U0', later(1)), 'invalid-state');
  });
});
