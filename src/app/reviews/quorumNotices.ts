import type { Vote } from '../../domain/district';
import { rowQuorum } from '../../domain/participation';
import * as R from '../../domain/review';
import type { Clock, RubricCatalog, Store } from '../ports';
import type { RichText } from '../text';
import { rubricFor } from './lookups';
import { quorumNoticeText } from './reminderText';

/** store.kv namespace of the quorum notices' claims: `${reviewId}|${rowId}|${round}`. */
export const QUORUM_NOTICE_NS = 'quorum-notice';
/** Claims this process has seen (taken or already taken) and need not read again; bounded. */
const SEEN_MAX = 10_000;
/** The least time between two checks of one row (a notice may come this much after the vote that reached it). */
const RECHECK_MS = 2_000;

/** A notice this process claimed and must post in the review's channel (or `release`, when it could not). */
export interface QuorumNotice {
  tenantId: string;
  channelId: string;
  reviewId: string;
  rowId: string;
  round: number;
  text: RichText;
  /** Gives the claim back (the post failed): the next vote on the row tries again. */
  release(): Promise<void>;
}

/**
 * "Row 3 … has reached its quorum: 7 of 12 voted", once per row and round across every replica: the first check that
 * finds the quorum reached claims `${reviewId}|${rowId}|${round}` with an insert-if-absent in store.kv; only that
 * claim's owner gets a notice to post. Asked by the chat adapters after a vote was stored and acknowledged, never on
 * the vote's path. Checks of one row run one at a time in a process (a burst of votes on a row makes at most one
 * check running and one waiting), and a row whose notice is claimed is not read again.
 */
export class QuorumNotices {
  private readonly running = new Map<string, { again: boolean; done: Promise<QuorumNotice | null> }>();
  private readonly seen = new Set<string>();

  private readonly wait: (ms: number) => Promise<void>;

  constructor(
    private readonly d: {
      store: Store;
      clock: Clock;
      rubrics: RubricCatalog;
      /** How the re-check waits (tests pass an instant one). */
      wait?: (ms: number) => Promise<void>;
    },
  ) {
    this.wait = d.wait ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  }

  /** After `vote` was stored: the notice to post when this call claimed it, else null. Never throws. */
  afterVote(vote: Pick<Vote, 'reviewId' | 'rowId' | 'round'>): Promise<QuorumNotice | null> {
    const key = `${vote.reviewId}|${vote.rowId}|${vote.round}`;
    if (this.seen.has(key)) return Promise.resolve(null);
    const run = this.running.get(key);
    if (run) {
      run.again = true; // the running check reads again when it is done: this vote is counted there
      return Promise.resolve(null);
    }
    const entry = { again: false, done: Promise.resolve<QuorumNotice | null>(null) };
    entry.done = (async () => {
      try {
        for (let first = true; first || entry.again; first = false) {
          // Votes that came during a check are counted by one more, at most every RECHECK_MS: reading a row's
          // votes and the district's members after every vote of a storm would cost the votes themselves.
          if (!first) await this.wait(RECHECK_MS);
          entry.again = false;
          const n = await this.check(key, vote);
          if (n || this.seen.has(key)) return n;
        }
        return null;
      } catch {
        return null; // a notice is a courtesy: a failed read or claim costs the vote nothing
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, entry);
    return entry.done;
  }

  private async check(
    key: string,
    vote: Pick<Vote, 'reviewId' | 'rowId' | 'round'>,
  ): Promise<QuorumNotice | null> {
    const review = await this.d.store.reviews.get(vote.reviewId);
    if (!review || review.round !== vote.round) return null;
    const poll = review.polls.find((p) => p.rowId === vote.rowId);
    if (!poll || !R.isVoting(review, poll)) return null;
    const [members, votes] = await Promise.all([
      this.d.store.members.list(review.tenantId, review.districtId),
      this.d.store.votes.listRow(review.id, vote.rowId, vote.round),
    ]);
    const q = rowQuorum(review, members, votes);
    if (!q.reached) return null;
    const claimed = await this.d.store.kv.putIfAbsent(QUORUM_NOTICE_NS, key, {
      at: this.d.clock.now().toISOString(),
      voted: q.voted,
      eligible: q.eligible,
    });
    this.remember(key);
    if (!claimed) return null;
    const rubric = rubricFor(this.d.rubrics, review);
    const index = rubric.rows.findIndex((r) => r.id === vote.rowId);
    return {
      tenantId: review.tenantId,
      channelId: review.channelId,
      reviewId: review.id,
      rowId: vote.rowId,
      round: vote.round,
      text: quorumNoticeText({
        rowNumber: index + 1,
        title: rubric.rows[index]?.title ?? vote.rowId,
        round: vote.round,
        voted: q.voted,
        eligible: q.eligible,
      }),
      release: async () => {
        this.seen.delete(key);
        await this.d.store.kv.delete(QUORUM_NOTICE_NS, key);
      },
    };
  }

  private remember(key: string) {
    if (this.seen.size >= SEEN_MAX) this.seen.clear();
    this.seen.add(key);
  }
}
