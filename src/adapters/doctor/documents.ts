import { voteKey } from '../../domain/district';
import { idOf, type PlainDoc, type Report, type StoreDocuments, TALLY_NAMESPACE } from './report';

/** Reading plain documents: only the fields the checks need, and which of them are missing or mistyped. */

export interface VoteRec {
  _id: string;
  reviewId: string;
  rowId: string;
  round: number;
  memberId: string;
  choice: number | 'unsure';
  seq: number;
}

export interface Distribution {
  levels: [number, number, number, number];
  unsure: number;
  total: number;
}

export interface ResultRec {
  round: number;
  distribution: Distribution;
}

export interface PollRec {
  rowId: string;
  status: string;
  rounds: ResultRec[];
}

export interface ReviewRec {
  _id: string;
  id: string;
  tenantId: string;
  districtId: string;
  round: number;
  roundStatus: 'open' | 'closed';
  /** Status 'cancelled' (issue 15); reviews stored before it have 'active' or 'complete'. */
  cancelled: boolean;
  /** Status 'active': still open (one per rubric per district). */
  active: boolean;
  /** The rubric reviewed (null when the document has none). */
  rubricId: string | null;
  polls: PollRec[];
}

export interface DistrictRec {
  _id: string;
  id: string;
  tenantId: string;
  channelId: string;
}

export interface MemberRec {
  _id: string;
  tenantId: string;
  districtId: string;
  memberId: string;
}

export interface TalliedRec {
  seq: number;
  choice: unknown;
}

export interface TallyRec {
  kvId: string;
  reviewId: string;
  round: number;
  rows: Map<string, Map<string, TalliedRec>>;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isRound = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
export const isObject = (v: unknown): v is PlainDoc =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isChoice = (v: unknown): v is VoteRec['choice'] =>
  v === 'unsure' || v === 1 || v === 2 || v === 3 || v === 4;

/** Collects the names of required fields that fail their test. */
function missing(d: PlainDoc, tests: Record<string, (v: unknown) => boolean>): string[] {
  return Object.entries(tests)
    .filter(([k, ok]) => !ok(d[k]))
    .map(([k]) => k);
}

function readDistribution(v: unknown): Distribution | null {
  if (!isObject(v) || !isObject(v.distribution)) return null;
  const d = v.distribution;
  const levels = d.levels;
  if (!Array.isArray(levels) || levels.length !== 4 || !levels.every(isCount)) return null;
  if (!isCount(d.unsure) || !isCount(d.total)) return null;
  return { levels: levels as Distribution['levels'], unsure: d.unsure, total: d.total };
}

/** The review's polls and their results; the name of the first unreadable part otherwise. */
function readPolls(polls: unknown): PollRec[] | string {
  if (!Array.isArray(polls)) return 'polls';
  const out: PollRec[] = [];
  for (const [i, p] of polls.entries()) {
    if (!isObject(p) || !isText(p.rowId) || !isText(p.status) || !Array.isArray(p.rounds)) {
      return `polls[${i}]`;
    }
    const rounds: ResultRec[] = [];
    for (const [j, r] of p.rounds.entries()) {
      const distribution = isObject(r) ? readDistribution(r.stats) : null;
      if (!isObject(r) || !isRound(r.round) || !distribution) return `polls[${i}].rounds[${j}]`;
      rounds.push({ round: r.round, distribution });
    }
    out.push({ rowId: p.rowId, status: p.status, rounds });
  }
  return out;
}

/** A tally's rows; null when unreadable. */
function readTallyRows(rows: unknown): Map<string, Map<string, TalliedRec>> | null {
  if (!isObject(rows)) return null;
  const out = new Map<string, Map<string, TalliedRec>>();
  for (const [rowId, members] of Object.entries(rows)) {
    if (!isObject(members)) return null;
    const m = new Map<string, TalliedRec>();
    for (const [memberId, v] of Object.entries(members)) {
      if (!isObject(v) || typeof v.seq !== 'number') return null;
      m.set(memberId, { seq: v.seq, choice: v.choice });
    }
    out.set(rowId, m);
  }
  return out;
}

/** The documents the checks can read, as records; the unreadable ones are reported as `malformed`. */
export interface StoreRecords {
  districts: DistrictRec[];
  members: MemberRec[];
  /** By review id. */
  reviews: Map<string, ReviewRec>;
  votes: VoteRec[];
  tallies: TallyRec[];
}

/**
 * Reads every document: reports the malformed ones and those stored under an unexpected `_id`, and counts the
 * readable ones.
 */
export function readDocuments(docs: StoreDocuments, report: Report): StoreRecords {
  const districts: DistrictRec[] = [];
  for (const d of docs.districts) {
    const bad = missing(d, { id: isText, tenantId: isText, channelId: isText });
    if (bad.length) report.malformed('districts', d, bad);
    else {
      const rec = d as unknown as DistrictRec;
      districts.push({ _id: idOf(d), id: rec.id, tenantId: rec.tenantId, channelId: rec.channelId });
      report.expectKey('districts', d, rec.id);
    }
  }
  const members: MemberRec[] = [];
  for (const d of docs.members) {
    const bad = missing(d, { tenantId: isText, districtId: isText, memberId: isText });
    if (bad.length) report.malformed('members', d, bad);
    else {
      const m = d as unknown as MemberRec;
      members.push({ _id: idOf(d), tenantId: m.tenantId, districtId: m.districtId, memberId: m.memberId });
      report.expectKey('members', d, `${m.tenantId}|${m.districtId}|${m.memberId}`);
    }
  }
  const reviews = new Map<string, ReviewRec>();
  for (const d of docs.reviews) {
    const bad = missing(d, {
      id: isText,
      tenantId: isText,
      districtId: isText,
      round: isRound,
      roundStatus: (v) => v === 'open' || v === 'closed',
    });
    const polls = readPolls(d.polls);
    if (typeof polls === 'string') bad.push(polls);
    if (bad.length || typeof polls === 'string') {
      report.malformed('reviews', d, bad);
      continue;
    }
    const r = d as unknown as ReviewRec;
    reviews.set(r.id, {
      _id: idOf(d),
      id: r.id,
      tenantId: r.tenantId,
      districtId: r.districtId,
      round: r.round,
      roundStatus: r.roundStatus,
      cancelled: (d as { status?: unknown }).status === 'cancelled',
      active: (d as { status?: unknown }).status === 'active',
      rubricId:
        typeof (d as { rubricId?: unknown }).rubricId === 'string'
          ? (d as { rubricId: string }).rubricId
          : null,
      polls,
    });
    report.expectKey('reviews', d, r.id);
  }
  const votes: VoteRec[] = [];
  for (const d of docs.votes) {
    const bad = missing(d, {
      reviewId: isText,
      rowId: isText,
      round: isRound,
      memberId: isText,
      choice: isChoice,
      seq: (v) => typeof v === 'number',
    });
    if (bad.length) report.malformed('votes', d, bad);
    else {
      const v = d as unknown as VoteRec;
      votes.push({
        _id: idOf(d),
        reviewId: v.reviewId,
        rowId: v.rowId,
        round: v.round,
        memberId: v.memberId,
        choice: v.choice,
        seq: v.seq,
      });
      report.expectKey('votes', d, voteKey(v));
    }
  }
  const tallies: TallyRec[] = [];
  for (const d of docs.kv) {
    const bad = missing(d, { ns: isText, key: isText });
    if (bad.length) {
      report.malformed('kv', d, bad);
      continue;
    }
    report.expectKey('kv', d, `${d.ns}|${d.key}`);
    if (d.ns !== TALLY_NAMESPACE) continue;
    const value = isObject(d.value) ? d.value : {};
    const rows = readTallyRows(value.rows);
    const tbad = missing(value, { reviewId: isText, round: isRound }).map((k) => `value.${k}`);
    if (!rows) tbad.push('value.rows');
    if (!tbad.length && d.key !== `${value.reviewId}|${value.round}`)
      tbad.push('key (≠ value.reviewId|value.round)');
    if (tbad.length || !rows) {
      report.malformed('kv', d, tbad);
      continue;
    }
    tallies.push({ kvId: idOf(d), reviewId: value.reviewId as string, round: value.round as number, rows });
  }
  report.checked.districts = districts.length;
  report.checked.members = members.length;
  report.checked.reviews = reviews.size;
  report.checked.votes = votes.length;
  return { districts, members, reviews, votes, tallies };
}
