import { voteKey } from '../../domain/district';
import type { ReviewRec, StoreRecords, TalliedRec, VoteRec } from './documents';
import { plural, type Report, sample, showChoice } from './report';

/**
 * The checks of reviews, votes and round tallies: closed round results and round tally records against the
 * stored votes, what each vote references, interrupted closes, and duplicate votes.
 */

/** A row's position in the review's rubric (unknown rows last). */
const rowRank = (review: ReviewRec | undefined, rowId: string) => {
  const i = review ? review.polls.findIndex((p) => p.rowId === rowId) : -1;
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
};

/** Row ids in the review's rubric order, then any unknown ones by name. */
const inRubricOrder = (review: ReviewRec, rowIds: Iterable<string>) =>
  [...rowIds].sort((a, b) => rowRank(review, a) - rowRank(review, b) || a.localeCompare(b));

const groupKey = (reviewId: string, rowId: string, round: number) => JSON.stringify([reviewId, rowId, round]);

/** The stored votes by (review, row, round) (`byGroup`, keyed by groupKey) and the rows voted per (review, round). */
export interface VoteIndex {
  byGroup: Map<string, VoteRec[]>;
  rowsOfRound: Map<string, Set<string>>;
}

export function indexVotes(votes: readonly VoteRec[]): VoteIndex {
  const byGroup = new Map<string, VoteRec[]>();
  const rowsOfRound = new Map<string, Set<string>>();
  for (const v of votes) {
    const k = groupKey(v.reviewId, v.rowId, v.round);
    const list = byGroup.get(k);
    if (list) list.push(v);
    else byGroup.set(k, [v]);
    const rk = JSON.stringify([v.reviewId, v.round]);
    const rows = rowsOfRound.get(rk) ?? new Set<string>();
    rows.add(v.rowId);
    rowsOfRound.set(rk, rows);
  }
  return { byGroup, rowsOfRound };
}

const where = (reviewId: string, rowId: string, round: number) => ({
  subject: `review ${reviewId}, row ${rowId}, round ${round}`,
  reviewId,
  rowId,
  round,
});

/** 1. Every closed round result equals its stored votes. */
export function checkRoundResults({ reviews }: StoreRecords, { byGroup }: VoteIndex, report: Report): void {
  for (const review of reviews.values()) {
    for (const poll of review.polls) {
      for (const result of poll.rounds) {
        report.checked.roundResults++;
        const stored = byGroup.get(groupKey(review.id, poll.rowId, result.round)) ?? [];
        const levels = [0, 0, 0, 0];
        let unsure = 0;
        for (const v of stored) {
          if (v.choice === 'unsure') unsure++;
          else levels[v.choice - 1] = (levels[v.choice - 1] ?? 0) + 1;
        }
        const want = result.distribution;
        const diffs: string[] = [];
        for (let i = 0; i < 4; i++) {
          if (levels[i] !== want.levels[i]) {
            diffs.push(`level ${i + 1}: ${levels[i]} stored, ${want.levels[i]} counted`);
          }
        }
        if (unsure !== want.unsure) diffs.push(`not sure: ${unsure} stored, ${want.unsure} counted`);
        if (stored.length !== want.total || diffs.length) {
          report.add({
            check: 'round-result',
            severity: 'problem',
            ...where(review.id, poll.rowId, result.round),
            detail:
              `stored votes ≠ the closed round's tally: ${plural(stored.length, 'vote')} stored, ` +
              `${want.total} counted in the result` +
              (diffs.length ? ` (${diffs.join('; ')})` : ''),
          });
        }
      }
    }
  }
}

/** 2. Every round tally record equals its stored votes (members and seq per row). */
export function checkRoundTallies(
  { reviews, tallies }: StoreRecords,
  { byGroup, rowsOfRound }: VoteIndex,
  report: Report,
): void {
  const talliedRounds = new Set<string>();
  for (const t of tallies) {
    talliedRounds.add(JSON.stringify([t.reviewId, t.round]));
    const review = reviews.get(t.reviewId);
    const subject = `review ${t.reviewId}, round ${t.round}`;
    if (!review) {
      report.add({
        check: 'round-tally',
        severity: 'problem',
        subject,
        reviewId: t.reviewId,
        round: t.round,
        detail: `a round tally (kv ${t.kvId}) exists for a review that does not exist`,
      });
      continue;
    }
    const closed = t.round < review.round || (t.round === review.round && review.roundStatus === 'closed');
    if (!closed) {
      report.add({
        check: 'round-tally',
        severity: 'warning',
        subject,
        reviewId: t.reviewId,
        round: t.round,
        detail: `a round tally (kv ${t.kvId}) exists for a round that is not closed (the review is at round ${review.round}, ${review.roundStatus})`,
      });
      continue;
    }
    report.checked.roundTallies++;
    const rowIds = new Set([
      ...t.rows.keys(),
      ...(rowsOfRound.get(JSON.stringify([t.reviewId, t.round])) ?? []),
    ]);
    for (const rowId of inRubricOrder(review, rowIds)) {
      const counted = t.rows.get(rowId) ?? new Map<string, TalliedRec>();
      const stored = new Map<string, VoteRec>();
      for (const v of byGroup.get(groupKey(t.reviewId, rowId, t.round)) ?? []) stored.set(v.memberId, v);
      const diffs: string[] = [];
      for (const [memberId, c] of counted) {
        const s = stored.get(memberId);
        if (!s) diffs.push(`${memberId}: counted (seq ${c.seq}), no stored vote`);
        else if (s.seq !== c.seq) diffs.push(`${memberId}: counted seq ${c.seq}, stored seq ${s.seq}`);
        else if (s.choice !== c.choice) {
          diffs.push(`${memberId}: counted ${showChoice(c.choice)}, stored ${showChoice(s.choice)}`);
        }
      }
      for (const [memberId, s] of stored) {
        if (!counted.has(memberId)) diffs.push(`${memberId}: stored vote (seq ${s.seq}) not counted`);
      }
      if (diffs.length) {
        report.add({
          check: 'round-tally',
          severity: 'problem',
          ...where(t.reviewId, rowId, t.round),
          detail: `stored votes ≠ the round's tally record (${counted.size} counted, ${stored.size} stored): ${sample(diffs)}`,
        });
      }
    }
  }
  for (const review of reviews.values()) {
    const lastClosed = review.roundStatus === 'closed' ? review.round : review.round - 1;
    for (let round = 1; round <= lastClosed; round++) {
      if (!talliedRounds.has(JSON.stringify([review.id, round]))) report.checked.closedRoundsWithoutTally++;
    }
  }
}

/** 3. Every vote references an existing review, one of its rows, and a round that row voted in. */
export function checkVoteReferences({ reviews }: StoreRecords, { byGroup }: VoteIndex, report: Report): void {
  const orphans = new Map<string, VoteRec[]>();
  const groups = [...byGroup.values()].map((g) => g[0] as VoteRec);
  groups.sort(
    (a, b) =>
      a.reviewId.localeCompare(b.reviewId) ||
      a.round - b.round ||
      rowRank(reviews.get(a.reviewId), a.rowId) - rowRank(reviews.get(b.reviewId), b.rowId) ||
      a.rowId.localeCompare(b.rowId),
  );
  for (const { reviewId, rowId, round } of groups) {
    const group = byGroup.get(groupKey(reviewId, rowId, round)) ?? [];
    const review = reviews.get(reviewId);
    if (!review) {
      orphans.set(reviewId, [...(orphans.get(reviewId) ?? []), ...group]);
      continue;
    }
    const poll = review.polls.find((p) => p.rowId === rowId);
    const n = plural(group.length, 'vote');
    let detail: string | null = null;
    if (!poll) detail = `${n} for a row this review does not have`;
    else if (round > review.round) {
      detail = `${n} for round ${round}, but the review is at round ${review.round}`;
    } else if (
      !poll.rounds.some((r) => r.round === round) &&
      !(round === review.round && poll.status === 'voting')
    ) {
      const had = poll.rounds.map((r) => r.round);
      detail =
        `${n} for a round this row did not vote in (results for ${had.length ? `round ${had.join(', ')}` : 'no round'}; ` +
        `row ${poll.status}, review at round ${review.round})`;
    }
    if (detail)
      report.add({ check: 'vote-reference', severity: 'problem', ...where(reviewId, rowId, round), detail });
  }
  for (const [reviewId, group] of orphans) {
    report.add({
      check: 'vote-reference',
      severity: 'problem',
      subject: `review ${reviewId}`,
      reviewId,
      detail: `${plural(group.length, 'vote')} reference this review, which does not exist (rows ${sample([...new Set(group.map((v) => v.rowId))].sort())})`,
    });
  }
}

/** 4. A close that marked the round closed but did not save the results. */
export function checkInterruptedCloses({ reviews }: StoreRecords, report: Report): void {
  for (const review of reviews.values()) {
    const voting = review.polls.filter((p) => p.status === 'voting').length;
    // A cancelled review is never closed again: its unfinished close is no longer work to do.
    if (review.roundStatus === 'closed' && voting > 0 && !review.cancelled) {
      report.add({
        check: 'interrupted-close',
        severity: 'warning',
        subject: `review ${review.id}, round ${review.round}`,
        reviewId: review.id,
        round: review.round,
        detail: `close interrupted: run close again (round marked closed, ${plural(voting, 'row')} still voting, no results saved for them)`,
      });
    }
  }
}

/** 6. One document per vote key. */
export function checkDuplicateVotes({ votes }: StoreRecords, report: Report): void {
  const byKey = new Map<string, VoteRec[]>();
  for (const v of votes) {
    const k = voteKey(v);
    const list = byKey.get(k);
    if (list) list.push(v);
    else byKey.set(k, [v]);
  }
  for (const same of byKey.values()) {
    const v = same[0];
    if (same.length < 2 || !v) continue;
    report.add({
      check: 'duplicate-vote',
      severity: 'problem',
      ...where(v.reviewId, v.rowId, v.round),
      subject: `review ${v.reviewId}, row ${v.rowId}, round ${v.round}, member ${v.memberId}`,
      memberId: v.memberId,
      detail: `${same.length} vote documents for one vote: ${sample(same.map((d) => `${JSON.stringify(d._id)} (seq ${d.seq}, ${showChoice(d.choice)})`))}`,
    });
  }
}
