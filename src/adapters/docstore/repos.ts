import type {
  DistrictRepo,
  KeyValueRepo,
  MemberRepo,
  ReflectionRepo,
  ReviewRepo,
  RoundTally,
  TalliedVote,
  TallyRepo,
  VoteKey,
  VoteRepo,
  VoteWrite,
} from '../../app/ports';
import type { District, Member, Vote } from '../../domain/district';
import { voteKey } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import type { Reflection } from '../../domain/reflection';
import type { Review } from '../../domain/review';
import { type DocCollection, DuplicateKeyError } from './collection';

export type DistrictDoc = District & { _id: string };
export type MemberDoc = Member & { _id: string };
export type ReviewDoc = Review & { _id: string };
export type VoteDoc = Vote & { _id: string };

/** Strips the storage key (and any stray driver fields) from a stored document. */
function strip<T extends { _id: string }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}

const conflict = (what: string) =>
  new DomainError('conflict', `Someone changed this ${what} at the same moment. Please try again.`);

export class DocDistrictRepo implements DistrictRepo {
  constructor(private readonly c: DocCollection<DistrictDoc>) {}
  async get(tenantId: string, districtId: string) {
    const d = await this.c.findOne({ _id: districtId, tenantId });
    return d ? strip(d) : null;
  }
  async findByChannel(tenantId: string, channelId: string) {
    const d = await this.c.findOne({ tenantId, channelId });
    return d ? strip(d) : null;
  }
  async create(district: District) {
    try {
      await this.c.insert({ ...district, _id: district.id });
    } catch (e) {
      if (e instanceof DuplicateKeyError) {
        throw new DomainError('conflict', 'This channel is already set up as a district team.');
      }
      throw e;
    }
  }
  async save(district: District) {
    const next = { ...district, version: district.version + 1 };
    const r = await this.c.replace(
      { _id: district.id, version: district.version },
      { ...next, _id: district.id },
    );
    if (r.matched === 0) throw conflict('district');
    return next;
  }
}

export const memberKey = (m: Pick<Member, 'tenantId' | 'districtId' | 'memberId'>) =>
  `${m.tenantId}|${m.districtId}|${m.memberId}`;

export class DocMemberRepo implements MemberRepo {
  constructor(private readonly c: DocCollection<MemberDoc>) {}
  async get(tenantId: string, districtId: string, memberId: string) {
    const m = await this.c.findOne({ _id: memberKey({ tenantId, districtId, memberId }) });
    return m ? strip(m) : null;
  }
  async ensure(member: Member) {
    return (await this.enroll(member)).member;
  }
  async enroll(member: Member) {
    // Already a member, or two first votes of the same new member at once: the stored member wins.
    const r = await this.c.insertOrGet({ ...member, _id: memberKey(member) });
    return { member: r.inserted ? member : strip(r.doc), created: r.inserted };
  }
  async put(member: Member) {
    const _id = memberKey(member);
    try {
      await this.c.update({ _id }, { $set: { ...member } }, { upsert: true });
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
      await this.c.update({ _id }, { $set: { ...member } });
    }
  }
  async list(tenantId: string, districtId: string) {
    const all = await this.c.find({ tenantId, districtId });
    return all.map(strip).sort((a, b) => a.memberId.localeCompare(b.memberId));
  }
  async listByPerson(tenantId: string, memberId: string) {
    return (await this.c.find({ tenantId, memberId })).map(strip);
  }
  count(tenantId: string, districtId: string) {
    return this.c.count({ tenantId, districtId });
  }
}

export class DocReviewRepo implements ReviewRepo {
  constructor(private readonly c: DocCollection<ReviewDoc>) {}
  async create(review: Review) {
    await this.c.insert({ ...review, _id: review.id });
  }
  async get(id: string) {
    const r = await this.c.findOne({ _id: id });
    return r ? strip(r) : null;
  }
  async save(review: Review) {
    const next = { ...review, version: review.version + 1 };
    // Every field but the roster, which only addToRoster/removeFromRoster change: a close or a deadline saved
    // from a review read before a late joiner's first vote must not drop them from the roster.
    const { roster: _roster, ...fields } = next;
    const r = await this.c.update({ _id: review.id, version: review.version }, { $set: fields });
    if (r.matched === 0) throw conflict('review');
    return next;
  }
  async listByDistrict(tenantId: string, districtId: string) {
    const all = await this.c.find({ tenantId, districtId });
    return all.map(strip).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
  async addToRoster(reviewId: string, memberIds: readonly string[]) {
    if (memberIds.length) await this.c.updateSet({ _id: reviewId }, 'roster', 'add', memberIds);
  }
  async removeFromRoster(reviewId: string, memberIds: readonly string[]) {
    if (memberIds.length) await this.c.updateSet({ _id: reviewId }, 'roster', 'pull', memberIds);
  }
}

export class DocVoteRepo implements VoteRepo {
  constructor(private readonly c: DocCollection<VoteDoc>) {}
  async put(vote: Vote): Promise<VoteWrite> {
    const _id = voteKey(vote);
    // First vote of a member on a poll and round: a plain insert (the common case, one round trip). If the key
    // exists, only a newer vote (higher seq) replaces it, so concurrent re-votes settle on the last one cast
    // whatever order they arrive in. `_id` and the unique index make a second document impossible.
    try {
      await this.c.insert({ ...vote, _id });
      return 'written';
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
    }
    const r = await this.c.update({ _id, seq: { $lt: vote.seq } }, { $set: { ...vote } });
    if (r.matched > 0) return 'written';
    // Not newer: the same vote delivered again (equal seq), or an older one.
    const stored = await this.c.findOne({ _id });
    return stored?.seq === vote.seq ? 'duplicate' : 'stale';
  }
  async get(reviewId: string, rowId: string, round: number, memberId: string) {
    const v = await this.c.findOne({ _id: voteKey({ reviewId, rowId, round, memberId }) });
    return v ? strip(v) : null;
  }
  async listRow(reviewId: string, rowId: string, round: number) {
    return (await this.c.find({ reviewId, rowId, round })).map(strip);
  }
  async listRound(reviewId: string, round: number) {
    return (await this.c.find({ reviewId, round })).map(strip);
  }
  async reset(key: VoteKey, to: TalliedVote | null) {
    const _id = voteKey(key);
    if (!to) await this.c.remove({ _id });
    else await this.c.update({ _id, seq: { $ne: to.seq } }, { $set: { ...to } });
  }
}

const TALLIES = 'round-tallies';

/** Round tallies as key-value records (one per review and round), beside the adapters' own records. */
export class KvTallyRepo implements TallyRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  async put(tally: RoundTally) {
    await this.kv.put(TALLIES, `${tally.reviewId}|${tally.round}`, tally);
  }
  async get(reviewId: string, round: number) {
    const t = await this.kv.get<RoundTally>(TALLIES, `${reviewId}|${round}`);
    if (!t) return null;
    for (const row of Object.values(t.rows))
      for (const v of Object.values(row)) v.castAt = new Date(v.castAt);
    return t;
  }
}

/** Namespace of a review's reflection answers (stored data: existing records live under it). */
export const REFLECTION_NS = (reviewId: string) => `reflection:${reviewId}`;

/** As stored: the answer with its time as an ISO string, keyed `<rowId>|<question>|<memberId>`. */
interface StoredReflection {
  rowId: string;
  question: number;
  memberId: string;
  text: string;
  at: string;
}

/** Reflection answers as key-value records, one namespace per review. */
export class KvReflectionRepo implements ReflectionRepo {
  constructor(private readonly kv: KeyValueRepo) {}
  async put(reviewId: string, a: Reflection) {
    const value: StoredReflection = {
      rowId: a.rowId,
      question: a.question,
      memberId: a.memberId,
      text: a.text,
      at: a.at.toISOString(),
    };
    await this.kv.put(REFLECTION_NS(reviewId), `${a.rowId}|${a.question}|${a.memberId}`, value);
  }
  async list(reviewId: string) {
    const stored = await this.kv.list<StoredReflection>(REFLECTION_NS(reviewId));
    return stored.map(({ value: v }) => ({ ...v, at: new Date(v.at) }));
  }
}

export interface KvDoc {
  _id: string;
  ns: string;
  key: string;
  value: object;
  updatedAt: Date;
}

export class DocKeyValueRepo implements KeyValueRepo {
  constructor(private readonly c: DocCollection<KvDoc>) {}
  async get<T extends object>(namespace: string, key: string): Promise<T | null> {
    const d = await this.c.findOne({ _id: `${namespace}|${key}` });
    return d ? (d.value as T) : null;
  }
  async put(namespace: string, key: string, value: object) {
    const doc = { ns: namespace, key, value, updatedAt: new Date() };
    try {
      await this.c.update({ _id: `${namespace}|${key}` }, { $set: doc }, { upsert: true });
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
      await this.c.update({ _id: `${namespace}|${key}` }, { $set: doc });
    }
  }
  async putIfAbsent(namespace: string, key: string, value: object) {
    try {
      await this.c.insert({ _id: `${namespace}|${key}`, ns: namespace, key, value, updatedAt: new Date() });
      return true;
    } catch (e) {
      if (e instanceof DuplicateKeyError) return false;
      throw e;
    }
  }
  async delete(namespace: string, key: string) {
    await this.c.remove({ _id: `${namespace}|${key}` });
  }
  async list<T extends object>(namespace: string) {
    const docs = await this.c.find({ ns: namespace });
    return docs.map((d) => ({ key: d.key, value: d.value as T })).sort((a, b) => a.key.localeCompare(b.key));
  }
}
