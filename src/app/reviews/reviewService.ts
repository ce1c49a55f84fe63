import { z } from 'zod';
import { CONSENSUS_DEFAULTS } from '../../domain/consensus';
import { type District, isActiveMember, type Member, type Vote } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { assertGroupVote, voteGroup } from '../../domain/groups';
import { withMemberPerspectives } from '../../domain/perspective';
import type { Review } from '../../domain/review';
import * as R from '../../domain/review';
import { countedVotes, electorate } from '../../domain/roster';
import { Access, placeOf } from '../policy';
import type { Clock, IdGenerator, RubricCatalog, Store, VoteWrite } from '../ports';
import {
  type Actor,
  actorSchema,
  choiceSchema,
  idString,
  levelSchema,
  parseInput,
  ruleSchema,
  text,
} from '../schemas';
import { FreshReads } from './freshReads';
import { GroupService } from './groupService';
import { ReviewLifecycle } from './lifecycle';
import { ownReview } from './lookups';
import { PerspectiveAsk } from './perspectiveAsk';
import { QuorumNotices } from './quorumNotices';
import { forgettingOnSave, RecentReviews, type ReviewRead } from './recentReviews';
import { ReminderService } from './reminders';
import { loadPollView, loadPollViews, loadReviewView } from './reviewViews';
import { Roster } from './roster';
import { RosterService } from './rosterService';
import { sequencer, tallyOf } from './tally';
import type { PollView, ReviewView } from './views';
import { Voters } from './voters';

export interface ReviewServiceDeps {
  store: Store;
  clock: Clock;
  rubrics: RubricCatalog;
  ids: IdGenerator;
  /** Time zone given to new districts unless one is named. */
  defaultTimezone: string;
  /**
   * The close's grace, in ms (0: none). A close waits this long between marking the round closed and reading its
   * votes, so a vote whose round check was sent less than this long before its write was acknowledged is sure to
   * be counted without reading the review again (see `assertCounted`). Production: CLOSE_GRACE_MS.
   */
  closeGraceMs?: number;
  /** Elapsed time in ms from any fixed origin (monotonic; performance.now): for the grace, never for dates. */
  elapsed?: () => number;
}

const startReviewInput = z.object({
  channelId: idString,
  rubricId: idString.default('culture-of-collaboration'),
  cycle: text(60),
  blind: z.boolean().default(false),
  anonymous: z.boolean().default(false),
  rule: ruleSchema.default(() => ({ ...CONSENSUS_DEFAULTS.rule })),
  maxRounds: z.number().int().min(1).max(10).default(CONSENSUS_DEFAULTS.maxRounds),
  deadline: z.coerce.date().nullable().default(null),
});

const castVoteInput = z.object({
  reviewId: idString,
  rowId: idString,
  choice: z.unknown(),
  evidence: z
    .string()
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .nullish()
    .transform((s) => (s ? s : null)),
  /**
   * When the member clicked, in microseconds since the epoch, as the chat platform stamped it (Slack's
   * `action_ts`). Orders re-votes by click, not by when each was processed: a delivery retried on another replica,
   * or held back during a burst, cannot replace a later click. Without it the server's clock orders them.
   */
  clickedAtUs: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  group: z.string().min(1).max(200).optional(), // cast on a small group's own poll: only its people (groups.ts)
});

const reviewRef = z.object({ reviewId: idString });
const nextRoundInput = z.object({ reviewId: idString, deadline: z.coerce.date().nullable().optional() });
const decisionInput = z.object({ reviewId: idString, rowId: idString, level: levelSchema, note: text(2000) });
/** How long a vote whose write raced a close waits for that close's results before it is refused. */
const CLOSE_WAIT_MS = 5_000;

export interface CastVoteResult {
  vote: Vote;
  write: VoteWrite;
  poll: PollView;
}

/** A stored vote, with the review and member as the vote's path saw them (the adapters' follow-ups read no more). */
export type RecordedVote = { vote: Vote; write: VoteWrite; review: Review; member: Member };

/**
 * The review use cases. Every input is validated with zod; every refusal is a DomainError with a message a
 * person can act on. No framework or I/O here: storage comes through the Store port.
 */
export class ReviewService {
  private readonly d: ReviewServiceDeps;
  private readonly nextSeq: () => number;
  private readonly graceMs: number;
  private readonly elapsed: () => number;
  /** Reads of open reviews that votes reuse for a quarter of the grace (./recentReviews.ts; none without one). */
  private readonly recent: RecentReviews;
  /** Who may do what (src/app/policy.ts): every use case below asks it before it reads or changes anything. */
  readonly access: Access;
  /** The district team use cases (src/app/reviews/roster.ts), offered below as this service's own. */
  private readonly roster: Roster;
  /** Who a click is from: the member, looked up once per voter, or enrolled (src/app/reviews/voters.ts). */
  private readonly voters: Voters;
  /** One open review per rubric, cancelling, the round's deadline, archiving (src/app/reviews/lifecycle.ts). */
  readonly lifecycle: ReviewLifecycle;
  /** The roster: who is on the district team and who each review's quorum counts (./rosterService.ts). */
  readonly rosters: RosterService;
  /** Small groups: split the roster, compare the groups' ratings (./groupService.ts). */
  readonly groups: GroupService;
  /** `remind`: the open round's non-voters, reminded through the chat (./reminders.ts). */
  readonly reminders: ReminderService;
  /** "Row 3 has reached its quorum", once per row and round: asked by the adapters after a vote (./quorumNotices.ts). */
  readonly quorum: QuorumNotices;
  /** "Are you rating as the district team or for a building?" on a first vote (./perspectiveAsk.ts). */
  readonly perspectives: PerspectiveAsk;

  constructor(deps: ReviewServiceDeps) {
    this.graceMs = deps.closeGraceMs ?? 0;
    this.elapsed = deps.elapsed ?? (() => performance.now());
    this.recent = new RecentReviews(this.graceMs / 4, this.elapsed);
    // Every review saved through this service (or the ones below) forgets its recent read (RecentReviews).
    const d: ReviewServiceDeps =
      this.graceMs > 0 ? { ...deps, store: forgettingOnSave(deps.store, this.recent) } : deps;
    this.d = d;
    this.nextSeq = sequencer(d.clock);
    this.access = new Access({ store: d.store });
    this.roster = new Roster({
      ...d,
      access: this.access,
      onMemberChanged: (m) => this.voters.forget(m),
    });
    this.voters = new Voters({ store: d.store, clock: d.clock, roster: this.roster });
    this.lifecycle = new ReviewLifecycle({ ...d, access: this.access, view: (r, v) => this.view(r, v) });
    this.rosters = new RosterService({
      ...d,
      access: this.access,
      roster: this.roster,
      onMemberChanged: (m) => this.voters.forget(m),
    });
    this.reminders = new ReminderService({ ...d, access: this.access });
    this.groups = new GroupService({ ...d, access: this.access });
    this.quorum = new QuorumNotices(d);
    this.perspectives = new PerspectiveAsk({
      ...d,
      setMember: (a, i) => this.roster.setMember(a, i),
      enrolledByVote: (t, r, m) => this.voters.takeEnrolled(t, r, m),
    });
  }

  get rubrics(): RubricCatalog {
    return this.d.rubrics;
  }

  // ---------- districts and members ----------

  /** Registers the district team for a channel; the caller becomes its first coordinator. */
  setupDistrict(actor: Actor, input: unknown): Promise<District> {
    return this.roster.setupDistrict(actor, input);
  }

  /** The district team of the channel a request comes from (the asker's own channel only). */
  districtForChannel(actor: Actor, channelId: string): Promise<District> {
    return this.roster.districtForChannel(actor, channelId);
  }

  getMember(actor: Actor, districtId: string): Promise<Member | null> {
    return this.roster.getMember(actor, districtId);
  }

  setCoordinator(actor: Actor, input: unknown, grant: boolean): Promise<Member> {
    return this.roster.setCoordinator(actor, input, grant);
  }

  /** Adds a member or changes their perspective. Coordinators may set anyone; a member may set their own. */
  setMember(actor: Actor, input: unknown): Promise<Member> {
    return this.roster.setMember(actor, input);
  }

  // ---------- reviews ----------

  async startReview(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(startReviewInput, input);
    const district = await this.districtForChannel(actor, i.channelId);
    await this.access.enforce(actor, 'review.manage', district);
    const rubric = this.d.rubrics.get(i.rubricId);
    if (!rubric) {
      const known = this.d.rubrics
        .list()
        .map((r) => r.id)
        .join(', ');
      throw new DomainError('invalid-input', `There is no rubric "${i.rubricId}". Known rubrics: ${known}.`, {
        rubricId: 'unknown',
      });
    }
    // The roster is frozen here: the district's members now (late joiners are added as they come).
    const members = await this.d.store.members.list(actor.tenantId, district.id);
    const review = R.createReview(
      {
        id: this.d.ids.next('r'),
        tenantId: actor.tenantId,
        districtId: district.id,
        channelId: district.channelId,
        rubric,
        cycle: i.cycle,
        blind: i.blind,
        anonymous: i.anonymous,
        rule: i.rule,
        maxRounds: i.maxRounds,
        deadline: i.deadline,
        createdBy: actor.userId,
        roster: members.filter(isActiveMember).map((m) => m.memberId),
      },
      this.d.clock.now(),
    );
    await this.lifecycle.open(review);
    return this.view(review, actor.userId);
  }

  /** Casts a vote and returns the poll as the voter sees it (a Teams invoke's card); Slack: `recordVote`. */
  async castVote(actorIn: Actor, input: unknown): Promise<CastVoteResult> {
    const { vote, write, review } = await this.writeVote(actorIn, input);
    const poll = await this.pollView(review, vote.rowId, vote.memberId);
    return { vote, write, poll };
  }

  /** The hot path of a vote: validate, check the round is open and the voter a member, write. */
  recordVote(actorIn: Actor, input: unknown): Promise<RecordedVote> {
    return this.writeVote(actorIn, input);
  }

  private async writeVote(actorIn: Actor, input: unknown): Promise<RecordedVote> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(castVoteInput, input);
    const choice = choiceSchema.safeParse(i.choice);
    if (!choice.success) {
      throw new DomainError(
        'bad-level',
        'That is not a level of this rubric: choose 1 (Beginning) to 4 (Accomplished), or "not sure".',
        { choice: 'invalid' },
      );
    }
    // Concurrent votes on one review share reads; with a grace, a read of the open round sent less than a quarter
    // of it ago serves too (RecentReviews: the barrier below counts from when the read was sent).
    const read = this.recent.get(i.reviewId) ?? (await this.readReviewForVote(i.reviewId));
    const review = ownReview(actor.tenantId, read.review);
    // Votes only on the poll in its own channel (no store read: the rule needs only where the click came from).
    await this.access.enforce(actor, 'review.vote', placeOf(review), { member: null });
    const now = this.d.clock.now();
    R.assertVotingOpen(review, i.rowId, now);
    if (i.group !== undefined) assertGroupVote(review, actor.userId, i.group); // before any enrolment
    const member = await this.voters.forVote(actor, review);
    const vote: Vote = {
      reviewId: review.id,
      rowId: i.rowId,
      round: review.round,
      memberId: member.memberId,
      perspective: member.perspective,
      choice: choice.data,
      evidence: i.evidence,
      castAt: now,
      seq: i.clickedAtUs ?? this.nextSeq(),
      ...voteGroup(review, member.memberId),
    };
    const write = await this.d.store.votes.put(vote);
    if (write === 'written') await this.assertCounted(vote, read.sentAt);
    return { vote, write, review, member };
  }

  private async readReviewForVote(reviewId: string): Promise<ReviewRead> {
    const read = await this.readReview(reviewId);
    this.recent.keep(reviewId, read);
    return read;
  }

  /** The review, read after the call (shared by concurrent callers), with when its read was sent (`elapsed`). */
  private readReview(reviewId: string): Promise<ReviewRead> {
    return this.reviewReads.read(reviewId, () => {
      const sentAt = this.elapsed();
      return this.d.store.reviews.get(reviewId).then((review) => ({ review, sentAt }));
    });
  }

  /**
   * The close barrier, vote side. A vote is confirmed only if it is sure to be counted: the round was still open
   * when this vote was already stored (so the close, which marks the round closed before reading the votes, will
   * read it), or the close's tally holds this very vote. Otherwise the round closed while the vote was being
   * written: it is put back to what the tally counted and refused with a message. So every stored vote of a closed
   * round is in its tally, and no member is told a vote counted that did not.
   *
   * With a grace (`closeGraceMs`), most votes need no second read: the round was open when the read that checked
   * it was served, so any close was marked after that; the close reads its votes a grace after its mark, so a vote
   * acknowledged less than a grace after that read was sent is already stored when the close reads, and counted.
   */
  private async assertCounted(vote: Vote, checkSentAt: number): Promise<void> {
    if (this.graceMs > 0 && this.elapsed() - checkSentAt < this.graceMs) return;
    let review = (await this.readReviewForVote(vote.reviewId)).review;
    if (review && review.round === vote.round && review.roundStatus === 'open') return;
    // Wait for the close to finish (it writes its tally, then the results): at most CLOSE_WAIT_MS.
    const until = Date.now() + CLOSE_WAIT_MS;
    while (review && review.round === vote.round && !R.roundResultsSaved(review, vote.rowId, vote.round)) {
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 25));
      review = (await this.readReviewForVote(vote.reviewId)).review;
    }
    const tally = await this.d.store.tallies.get(vote.reviewId, vote.round);
    const counted = tally?.rows[vote.rowId]?.[vote.memberId] ?? null;
    if (counted && counted.seq === vote.seq) return;
    await this.d.store.votes.reset(vote, counted);
    throw new DomainError(
      'round-closed',
      `Round ${vote.round} closed while your vote was being saved, so it was not counted.` +
        (counted ? ' Your earlier vote on this row stands.' : ''),
    );
  }

  /** Adds or replaces evidence on the caller's current vote without changing the choice. */
  async addEvidence(actorIn: Actor, input: unknown): Promise<CastVoteResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(z.object({ reviewId: idString, rowId: idString, evidence: text(2000) }), input);
    const review = await this.access.review(actor, i.reviewId, 'review.vote');
    R.assertVotingOpen(review, i.rowId, this.d.clock.now());
    const current = await this.d.store.votes.get(review.id, i.rowId, review.round, actor.userId);
    if (!current) {
      throw new DomainError('invalid-state', 'Vote on this row first, then add your evidence.');
    }
    return this.castVote(actor, {
      reviewId: i.reviewId,
      rowId: i.rowId,
      choice: current.choice,
      evidence: i.evidence,
      // After the vote it annotates, even if that vote's click time (from the chat platform) is ahead of our clock.
      clickedAtUs: Math.max(this.nextSeq(), current.seq + 1),
    });
  }

  private readonly reviewReads = new FreshReads<ReviewRead>();

  async closeRound(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(reviewRef, input);
    const review = await this.access.review(actor, reviewId, 'review.manage');
    // Mark the round closed first so that no vote is accepted while the tally is read (R.beginCloseRound); a
    // close interrupted after that step is completed, not refused.
    const marked = R.beginCloseRound(review);
    const closing = marked ? await this.d.store.reviews.save(marked) : review;
    // The grace (see assertCounted): votes checked against the round while it was still open are stored by now.
    // Also when resuming an interrupted close: its mark was made before the read above came back.
    if (this.graceMs > 0) await new Promise((r) => setTimeout(r, this.graceMs));
    const [votes, members, latest] = await Promise.all([
      this.d.store.votes.listRound(review.id, review.round),
      this.d.store.members.list(actor.tenantId, review.districtId),
      this.d.store.reviews.get(review.id), // the roster as it is now (roster add/remove since the read above)
    ]);
    // What was read, saved before the results: a vote whose write raced this close checks it (assertCounted).
    await this.d.store.tallies.put(tallyOf(review, votes));
    // The quorum counts the review's roster (src/domain/roster.ts); votes of people taken off it do not count.
    const e = electorate(
      latest ?? closing,
      members,
      votes.map((v) => v.memberId),
    );
    // This round's counted voters not on the roster yet (late joiners: a vote does not write the review, whose
    // every read would grow with it) go on it here, for the rounds to come.
    const roster = (latest ?? closing).roster;
    if (roster)
      await this.d.store.reviews.addToRoster(
        review.id,
        [...e.ids].filter((id) => !roster.includes(id)),
      );
    const counted = R.votesByRow(withMemberPerspectives(countedVotes(votes, e), members));
    const closed = R.finishCloseRound(closing, counted, e.ids.size, this.d.clock.now());
    const saved = await this.d.store.reviews.save(closed);
    return this.view(saved, actor.userId);
  }

  async startNextRound(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(nextRoundInput, input);
    const review = await this.access.review(actor, i.reviewId, 'review.manage');
    const now = this.d.clock.now();
    const next = R.startNextRound(review, now, R.nextRoundDeadline(review, i.deadline, now));
    const saved = await this.d.store.reviews.save(next);
    return this.view(saved, actor.userId);
  }

  async recordDecision(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(decisionInput, input);
    const review = await this.access.review(actor, i.reviewId, 'review.manage');
    const decided = R.recordDecision(review, i.rowId, i.level, i.note, actor.userId, this.d.clock.now());
    const saved = await this.d.store.reviews.save(decided);
    return this.view(saved, actor.userId);
  }

  /** Cancels a review that is still going (kept, marked cancelled with who, when and why). */
  cancelReview(actor: Actor, input: unknown): Promise<ReviewView> {
    return this.lifecycle.cancel(actor, input);
  }

  async getReviewState(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(reviewRef, input);
    const review = await this.access.review(actor, reviewId, 'review.read');
    return this.view(review, actor.userId);
  }

  async getPollState(actorIn: Actor, input: unknown): Promise<PollView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(z.object({ reviewId: idString, rowId: idString }), input);
    const review = await this.access.review(actor, i.reviewId, 'review.vote');
    R.findPoll(review, i.rowId);
    return this.pollView(review, i.rowId, actor.userId);
  }

  /**
   * Several polls of one review at once (a redraw of every dirty poll message of a review): one policy check, one
   * read of the review, and shared reads of its members and earlier actions. Rejects when the review cannot be
   * read (or the actor may not); otherwise one result per row, in order (a row the review lacks fails alone).
   */
  async getPollStates(actorIn: Actor, input: unknown): Promise<PromiseSettledResult<PollView>[]> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(z.object({ reviewId: idString, rowIds: z.array(idString).min(1).max(50) }), input);
    const review = await this.access.review(actor, i.reviewId, 'review.vote');
    return Promise.allSettled(loadPollViews(this.d, review, i.rowIds, actor.userId));
  }

  async listReviews(actorIn: Actor, channelId: string): Promise<Review[]> {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.districtForChannel(actor, channelId);
    await this.access.enforce(actor, 'district.read', district);
    return this.d.store.reviews.listByDistrict(actor.tenantId, district.id);
  }

  // ---------- views ----------

  private pollView(review: Review, rowId: string, viewerId: string | null): Promise<PollView> {
    return loadPollView(this.d, review, rowId, viewerId);
  }

  view(review: Review, viewerId: string | null): Promise<ReviewView> {
    return loadReviewView(this.d, review, viewerId);
  }
}
