import { z } from 'zod';
import type { District, Member } from '../../domain/district';
import { isActiveMember, isCoordinator } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import type { Review } from '../../domain/review';
import type { Access } from '../policy';
import type { ChannelMembers, Clock, Store } from '../ports';
import { type Actor, actorSchema, displayNameSchema, idString, parseInput } from '../schemas';
import type { Roster } from './roster';

/**
 * The roster: who is on the district team, and who each review's quorum counts. A review freezes the district's
 * members into its roster at `review start`; people added while it is open (`roster add`, `roster import`,
 * `member add`, a first vote) join its roster too; people taken off (`roster remove`) leave the district's roster
 * and every open review's. Coordinators only (policy rule `roster.manage`).
 */
export interface RosterServiceDeps {
  store: Store;
  clock: Clock;
  access: Access;
  roster: Roster;
  /** Told of every member whose standing changed (so the vote path's member cache drops them). */
  onMemberChanged: (member: Member) => void;
}

/** At most this many people are imported from one channel in one command. */
export const MAX_IMPORT = 5000;

export interface RosterEntry {
  memberId: string;
  displayName: string;
  perspective: Member['perspective'];
  coordinator: boolean;
}

export interface RosterView {
  districtName: string;
  /** The district's members (taken-off people excluded), by name. */
  members: RosterEntry[];
  /** How many people coordinators took off the roster (kept for their past votes' names). */
  removed: number;
  /** The district's open reviews: who each one's quorum counts (null: a review from before rosters, all members). */
  openReviews: Array<{ cycle: string; roster: RosterEntry[] | null }>;
}

export interface ImportReport {
  added: number;
  alreadyThere: number;
  /** Bots, apps and deactivated accounts the platform listed. */
  skipped: number;
  /** People a coordinator took off the roster earlier: not put back by an import (`roster add` does). */
  keptOff: number;
  /** Beyond MAX_IMPORT: not imported. */
  overLimit: number;
  /** Cycles of the open reviews whose rosters now include the channel's people. */
  reviews: string[];
}

const personInput = z.object({ channelId: idString, memberId: idString, displayName: displayNameSchema });
const removeInput = z.object({ channelId: idString, memberId: idString });

/** The district's reviews that are still going (not complete, not cancelled). */
export async function openReviews(store: Store, district: District): Promise<Review[]> {
  const all = await store.reviews.listByDistrict(district.tenantId, district.id);
  return all.filter((r) => r.status === 'active');
}

/** Puts members on the rosters of the district's open reviews (those that have one). Returns their cycles. */
export async function joinOpenReviews(
  store: Store,
  district: District,
  memberIds: readonly string[],
): Promise<string[]> {
  const open = (await openReviews(store, district)).filter((r) => r.roster);
  await Promise.all(open.map((r) => store.reviews.addToRoster(r.id, memberIds)));
  return open.map((r) => r.cycle);
}

const byName = (a: RosterEntry, b: RosterEntry) =>
  a.displayName.localeCompare(b.displayName) || a.memberId.localeCompare(b.memberId);
const entry = (m: Member): RosterEntry => ({
  memberId: m.memberId,
  displayName: m.displayName || m.memberId,
  perspective: m.perspective,
  coordinator: isCoordinator(m),
});

export class RosterService {
  constructor(private readonly d: RosterServiceDeps) {}

  private async district(actorIn: Actor, channelId: string) {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.d.roster.districtForChannel(actor, channelId);
    await this.d.access.enforce(actor, 'roster.manage', district);
    return { actor, district };
  }

  /** The district's members and, per open review, who its quorum counts. */
  async show(actorIn: Actor, channelId: string): Promise<RosterView> {
    const { district } = await this.district(actorIn, parseInput(idString, channelId));
    const [members, open] = await Promise.all([
      this.d.store.members.list(district.tenantId, district.id),
      openReviews(this.d.store, district),
    ]);
    const active = members.filter(isActiveMember);
    const byId = new Map(active.map((m) => [m.memberId, m]));
    return {
      districtName: district.name,
      members: active.map(entry).sort(byName),
      removed: members.length - active.length,
      openReviews: open.map((r) => ({
        cycle: r.cycle,
        roster: r.roster
          ? r.roster
              .map((id) => byId.get(id))
              .filter((m): m is Member => !!m)
              .map(entry)
              .sort(byName)
          : null,
      })),
    };
  }

  /** Enrols the channel's people (as the platform lists them) in one go, and puts them on the open reviews' rosters. */
  async importChannel(actorIn: Actor, channelId: string, source: ChannelMembers): Promise<ImportReport> {
    const { district } = await this.district(actorIn, parseInput(idString, channelId));
    const listed = await source.list(district.tenantId, district.channelId);
    const people = [...new Map(listed.people.map((p) => [p.userId, p])).values()];
    const existing = new Map(
      (await this.d.store.members.list(district.tenantId, district.id)).map((m) => [m.memberId, m]),
    );
    const report: ImportReport = {
      added: 0,
      alreadyThere: 0,
      skipped: listed.skipped,
      keptOff: 0,
      overLimit: Math.max(0, people.length - MAX_IMPORT),
      reviews: [],
    };
    const joining: string[] = [];
    const fresh: Array<{ userId: string; displayName: string }> = [];
    for (const p of people.slice(0, MAX_IMPORT)) {
      const m = existing.get(p.userId);
      if (m && !isActiveMember(m)) report.keptOff++;
      else {
        joining.push(p.userId);
        if (m) report.alreadyThere++;
        else fresh.push(p);
      }
    }
    // A few inserts at a time: a channel of thousands must not open thousands of writes at once.
    for (let i = 0; i < fresh.length; i += 20) {
      await Promise.all(
        fresh.slice(i, i + 20).map((p) => {
          const displayName = parseInput(displayNameSchema, p.displayName.slice(0, 256));
          return this.d.roster.ensureMember(district, p.userId, displayName, null);
        }),
      );
    }
    report.added = fresh.length;
    if (joining.length) report.reviews = await joinOpenReviews(this.d.store, district, joining);
    return report;
  }

  /** Puts a person on the roster (back, if taken off), and on the open reviews' rosters. */
  async add(actorIn: Actor, input: unknown): Promise<{ member: Member; back: boolean; reviews: string[] }> {
    const i = parseInput(personInput, input);
    const { district } = await this.district(actorIn, i.channelId);
    const m = await this.d.roster.ensureMember(district, i.memberId, i.displayName, null);
    const back = !isActiveMember(m);
    const member: Member = { ...m, displayName: i.displayName || m.displayName, removedAt: null };
    if (back || member.displayName !== m.displayName) {
      await this.d.store.members.put(member);
      this.d.onMemberChanged(member);
    }
    const reviews = await joinOpenReviews(this.d.store, district, [member.memberId]);
    return { member, back, reviews };
  }

  /**
   * Takes a person off the district's roster and the open reviews' rosters: they count for no quorum from now on,
   * and their votes in a round still open no longer count (kept: added back before the close, they count again).
   * Closed rounds keep what they counted. A coordinator must lose the role first (`coordinator remove`).
   */
  async remove(
    actorIn: Actor,
    input: unknown,
  ): Promise<{ member: Member; openVotes: Array<{ cycle: string; votes: number }> }> {
    const i = parseInput(removeInput, input);
    const { district } = await this.district(actorIn, i.channelId);
    const m = await this.d.store.members.get(district.tenantId, district.id, i.memberId);
    if (!m || !isActiveMember(m)) {
      throw new DomainError(
        'invalid-input',
        `${m?.displayName || 'That person'} is not on this district team's roster, so nothing was changed.`,
      );
    }
    if (isCoordinator(m)) {
      throw new DomainError(
        'invalid-state',
        `${m.displayName || m.memberId} is a coordinator: take the role away first (coordinator remove), then remove them from the roster.`,
      );
    }
    const member: Member = { ...m, removedAt: this.d.clock.now() };
    await this.d.store.members.put(member);
    this.d.onMemberChanged(member);
    const open = await openReviews(this.d.store, district);
    const openVotes = await Promise.all(
      open.map(async (r) => {
        if (r.roster) await this.d.store.reviews.removeFromRoster(r.id, [m.memberId]);
        const votes =
          r.roundStatus === 'open'
            ? (await this.d.store.votes.listRound(r.id, r.round)).filter((v) => v.memberId === m.memberId)
                .length
            : 0;
        return { cycle: r.cycle, votes };
      }),
    );
    return { member, openVotes: openVotes.filter((o) => o.votes > 0) };
  }
}
