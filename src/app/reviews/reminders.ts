import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { nonVoters, openRowIds } from '../../domain/participation';
import * as R from '../../domain/review';
import { electorate } from '../../domain/roster';
import type { Access } from '../policy';
import type { Clock, ReminderMessenger, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { showTime, zoneOf } from '../when';
import { rubricFor } from './lookups';

/** A row someone has not voted on yet: its number and title as the poll shows them. */
export interface ReminderRow {
  rowId: string;
  rowNumber: number;
  title: string;
}

/** One person to remind, and the rows still waiting for their vote. */
export interface Reminder {
  userId: string;
  displayName: string;
  rows: ReminderRow[];
}

/**
 * What a reminder says, channel-neutral: the review, its open round and its deadline, and per person the rows they
 * have not voted on. Goes only to the ReminderMessenger (the people themselves), never into the coordinator's reply.
 */
export interface ReminderView {
  reviewId: string;
  tenantId: string;
  /** The district's channel: where the polls are, and where Slack's private (ephemeral) reminders appear. */
  channelId: string;
  cycle: string;
  round: number;
  rowCount: number;
  deadline: Date | null;
  /** The deadline for people, in the district's time zone; null when none. */
  deadlineText: string | null;
  anonymous: boolean;
  reminders: Reminder[];
}

/** What the coordinator is told: how many were reminded, and (in named reviews) who. */
export interface RemindReport {
  cycle: string;
  round: number;
  /** Rows still open for voting in this round. */
  openRows: number;
  /** People on the review's roster. */
  rosterSize: number;
  /** People reminded (the messenger delivered to them). */
  reminded: number;
  /** Whether the chat reminded each person privately (else: mentioned in the channel). */
  private: boolean;
  /** People the reminder could not reach (e.g. not in the channel). */
  unreachable: number;
  /** Names of those reminded and of those not reached; null in anonymous reviews (counts only). */
  names: { reminded: string[]; unreachable: string[] } | null;
}

const remindInput = z.object({ reviewId: idString });

/**
 * `remind`: reminds, privately, exactly the people on the open review's roster who have not voted on one or more
 * rows still open for voting in the current round (policy rule `review.remind`: coordinators, in the district's
 * channel). Delivery is the chat's (ReminderMessenger); in anonymous reviews the coordinator learns only counts, and
 * a messenger that cannot deliver privately is not used.
 */
export class ReminderService {
  constructor(private readonly d: { store: Store; clock: Clock; rubrics: RubricCatalog; access: Access }) {}

  async remind(actorIn: Actor, input: unknown, messenger: ReminderMessenger): Promise<RemindReport> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(remindInput, input);
    const review = await this.d.access.review(actor, reviewId, 'review.remind');
    return this.remindReview(review, messenger);
  }

  /**
   * Reminds `review`'s non-voters, the caller having been allowed to (a coordinator's `remind`, or the district's
   * reminder schedule: ./reminderSchedules.ts). Refuses, sending nothing, what `remind` refuses.
   */
  async remindReview(review: R.Review, messenger: ReminderMessenger): Promise<RemindReport> {
    R.assertNotCancelled(review);
    if (review.status !== 'active') {
      throw new DomainError('invalid-state', `“${review.cycle}” is complete: nobody was reminded.`);
    }
    const rows = openRowIds(review);
    if (review.roundStatus !== 'open' || rows.length === 0) {
      throw new DomainError(
        'invalid-state',
        `Round ${review.round} of “${review.cycle}” is closed, so there is nothing to vote on and nobody was reminded. Open the next round with "next".`,
      );
    }
    if (review.deadline && this.d.clock.now().getTime() > review.deadline.getTime()) {
      throw new DomainError(
        'invalid-state',
        `The deadline of round ${review.round} has passed, so nobody was reminded. Move it with "review deadline <date>" first.`,
      );
    }
    if (review.anonymous && !messenger.private) {
      throw new DomainError(
        'invalid-state',
        `“${review.cycle}” is anonymous and this chat can only remind people in the channel, which would show who has not voted. Nobody was reminded.`,
      );
    }
    const [members, votes, district] = await Promise.all([
      this.d.store.members.list(review.tenantId, review.districtId),
      this.d.store.votes.listRound(review.id, review.round),
      this.d.store.districts.get(review.tenantId, review.districtId),
    ]);
    const rubric = rubricFor(this.d.rubrics, review);
    const rowOf = new Map(
      rubric.rows.map((r, i): [string, ReminderRow] => [
        r.id,
        { rowId: r.id, rowNumber: i + 1, title: r.title },
      ]),
    );
    const names = new Map(members.map((m) => [m.memberId, m.displayName || m.memberId]));
    const missing = nonVoters(review, members, votes);
    const reminders: Reminder[] = missing.map((n) => ({
      userId: n.memberId,
      displayName: names.get(n.memberId) ?? n.memberId,
      rows: n.rowIds.map((id) => rowOf.get(id)).filter((r): r is ReminderRow => !!r),
    }));
    const rosterSize = electorate(review, members).ids.size;
    const delivered = reminders.length
      ? await messenger.remind(
          { tenantId: review.tenantId, channelId: review.channelId },
          {
            reviewId: review.id,
            tenantId: review.tenantId,
            channelId: review.channelId,
            cycle: review.cycle,
            round: review.round,
            rowCount: review.polls.length,
            deadline: review.deadline,
            deadlineText: review.deadline ? showTime(review.deadline, zoneOf(district)) : null,
            anonymous: review.anonymous,
            reminders,
          },
        )
      : { unreachable: [] as string[] };
    const missed = new Set(delivered.unreachable);
    const reached = reminders.filter((r) => !missed.has(r.userId));
    const notReached = reminders.filter((r) => missed.has(r.userId));
    const byName = (a: string, b: string) => a.localeCompare(b);
    return {
      cycle: review.cycle,
      round: review.round,
      openRows: rows.length,
      rosterSize,
      reminded: reached.length,
      private: messenger.private,
      unreachable: notReached.length,
      names: review.anonymous
        ? null
        : {
            reminded: reached.map((r) => r.displayName).sort(byName),
            unreachable: notReached.map((r) => r.displayName).sort(byName),
          },
    };
  }
}
