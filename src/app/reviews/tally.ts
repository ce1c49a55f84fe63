import type { Vote } from '../../domain/district';
import type { Review } from '../../domain/review';
import type { Clock, RoundTally } from '../ports';

/** Sequence numbers that increase across calls within this process and with wall time across processes. */
export function sequencer(clock: Clock) {
  let last = 0;
  return () => {
    const candidate = clock.now().getTime() * 1000;
    last = candidate > last ? candidate : last + 1;
    return last;
  };
}

/** What the close counted: each row's voters with the `seq` of the vote counted (the close barrier's record). */
export function tallyOf(review: Review, votes: readonly Vote[]): RoundTally {
  const tally: RoundTally = { reviewId: review.id, round: review.round, rows: {} };
  for (const v of votes) {
    const row = tally.rows[v.rowId] ?? {};
    row[v.memberId] = { seq: v.seq, choice: v.choice, perspective: v.perspective, castAt: v.castAt };
    tally.rows[v.rowId] = row;
  }
  return tally;
}
