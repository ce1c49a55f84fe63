import { voteKey } from '../../domain/district';

/**
 * The consistency checks of `npm run doctor`, over the plain documents of the five collections as either store
 * holds them (NeDB files or MongoDB). Pure: no I/O, nothing written; the CLI (src/doctor.ts) reads the documents.
 */

export type PlainDoc = Record<string, unknown>;

export interface StoreDocuments {
  districts: readonly PlainDoc[];
  members: readonly PlainDoc[];
  reviews: readonly PlainDoc[];
  votes: readonly PlainDoc[];
  kv: readonly PlainDoc[];
}

export type CollectionName = keyof StoreDocuments;

/** The kv namespace of round tallies (KvTallyRepo), one record per review and round, key `${reviewId}|${round}`. */
export const TALLY_NAMESPACE = 'round-tallies';

export type CheckId =
  /** 1. A closed round's result against the round's stored votes (stored == tally). */
  | 'round-result'
  /** 2. A round tally record against the round's stored votes (members and seq per row). */
  | 'round-tally'
  /** 3. A vote's review, row and round exist and were voted in. */
  | 'vote-reference'
  /** 4. Round marked closed with rows still voting. */
  | 'interrupted-close'
  /** 5. Reviews and members reference an existing district; one district per tenant and channel. */
  | 'district-reference'
  /** 6. Two documents for one vote. */
  | 'duplicate-vote'
  /** A document stored under another `_id` than the one the app looks it up by. */
  | 'document-key'
  /** A document the checks cannot read: a required field missing or of the wrong type. */
  | 'malformed';

export interface Finding {
  check: CheckId;
  /** `problem`: the store breaks an invariant (exit 1). `warning`: needs an action, breaks nothing yet. */
  severity: 'problem' | 'warning';
  /** What the finding is about, e.g. "review rv_1, row collab-2, round 1". */
  subject: string;
  /** What differs. */
  detail: string;
  reviewId?: string;
  rowId?: string;
  round?: number;
  memberId?: string;
  tenantId?: string;
  districtId?: string;
}

export interface CheckCounts {
  /** Closed round results (poll.rounds[] entries) compared with their stored votes. */
  roundResults: number;
  /** Round tally records compared with their stored votes. */
  roundTallies: number;
  /** Closed rounds without a tally record (closed before tallies were kept, or a close that stopped before it). */
  closedRoundsWithoutTally: number;
  votes: number;
  reviews: number;
  districts: number;
  members: number;
}

export interface CheckResult {
  /** Documents read, per collection. */
  documents: Record<CollectionName, number>;
  /** What was checked (documents that could be read, and the round results and tallies compared). */
  checked: CheckCounts;
  /** Problems first, then warnings; by check, then in the order found (review by review, rows in rubric order). */
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------------------------
// Reading plain documents: only the fields the checks need, and which of them are missing or mistyped.

interface VoteRec {
  _id: string;
  reviewId: string;
  rowId: string;
  round: number;
  memberId: string;
  choice: number | 'unsure';
  seq: number;
}

interface Distribution {
  levels: [number, number, number, number];
  unsure: number;
  total: number;
}

interface ResultRec {
  round: number;
  distribution: Distribution;
}

interface PollRec {
  rowId: string;
  status: string;
  rounds: ResultRec[];
}

interface ReviewRec {
  _id: string;
  id: string;
  tenantId: string;
  districtId: string;
  round: number;
  roundStatus: 'open' | 'closed';
  polls: PollRec[];
}

interface DistrictRec {
  _id: string;
  id: string;
  tenantId: string;
  channelId: string;
}

interface MemberRec {
  _id: string;
  tenantId: string;
  districtId: string;
  memberId: string;
}

interface TalliedRec {
  seq: number;
  choice: unknown;
}

interface TallyRec {
  kvId: string;
  reviewId: string;
  round: number;
  rows: Map<string, Map<string, TalliedRec>>;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isRound = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const isObject = (v: unknown): v is PlainDoc => typeof v === 'object' && v !== null && !Array.isArray(v);
const isChoice = (v: unknown): v is VoteRec['choice'] =>
  v === 'unsure' || v === 1 || v === 2 || v === 3 || v === 4;
const idOf = (d: PlainDoc): string => (d._id === undefined || d._id === null ? '(no _id)' : String(d._id));

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

// ---------------------------------------------------------------------------------------------------------------

const CHECK_ORDER: CheckId[] = [
  'round-result',
  'round-tally',
  'vote-reference',
  'duplicate-vote',
  'district-reference',
  'document-key',
  'malformed',
  'interrupted-close',
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The first few items, then "and N more". */
function sample(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** A row's position in the review's rubric (unknown rows last). */
const rowRank = (review: ReviewRec | undefined, rowId: string) => {
  const i = review ? review.polls.findIndex((p) => p.rowId === rowId) : -1;
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
};

/** Row ids in the review's rubric order, then any unknown ones by name. */
const inRubricOrder = (review: ReviewRec, rowIds: Iterable<string>) =>
  [...rowIds].sort((a, b) => rowRank(review, a) - rowRank(review, b) || a.localeCompare(b));

const showChoice = (c: unknown) => (c === 'unsure' ? 'not sure' : String(c));

/**
 * Runs every check over the documents. Each finding names the review, row, round (or district, member, document)
 * and what differs. Never throws on odd documents: those are reported as `malformed` and left out of the checks.
 */
export function checkStore(docs: StoreDocuments): CheckResult {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const checked: CheckCounts = {
    roundResults: 0,
    roundTallies: 0,
    closedRoundsWithoutTally: 0,
    votes: 0,
    reviews: 0,
    districts: 0,
    members: 0,
  };
  const malformed = (collection: CollectionName, d: PlainDoc, fields: string[]) =>
    add({
      check: 'malformed',
      severity: 'problem',
      subject: `${collection} document ${idOf(d)}`,
      detail: `missing or invalid: ${fields.join(', ')}`,
    });
  /** `_id`s that differ from the key the app reads the document by, per collection. */
  const wrongKeys = new Map<CollectionName, string[]>();
  const expectKey = (collection: CollectionName, d: PlainDoc, key: string) => {
    if (idOf(d) === key) return;
    const list = wrongKeys.get(collection) ?? [];
    list.push(`${JSON.stringify(idOf(d))} (expected ${JSON.stringify(key)})`);
    wrongKeys.set(collection, list);
  };

  // --- Read the documents.
  const districts: DistrictRec[] = [];
  for (const d of docs.districts) {
    const bad = missing(d, { id: isText, tenantId: isText, channelId: isText });
    if (bad.length) malformed('districts', d, bad);
    else {
      const rec = d as unknown as DistrictRec;
      districts.push({ _id: idOf(d), id: rec.id, tenantId: rec.tenantId, channelId: rec.channelId });
      expectKey('districts', d, rec.id);
    }
  }
  const members: MemberRec[] = [];
  for (const d of docs.members) {
    const bad = missing(d, { tenantId: isText, districtId: isText, memberId: isText });
    if (bad.length) malformed('members', d, bad);
    else {
      const m = d as unknown as MemberRec;
      members.push({ _id: idOf(d), tenantId: m.tenantId, districtId: m.districtId, memberId: m.memberId });
      expectKey('members', d, `${m.tenantId}|${m.districtId}|${m.memberId}`);
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
      malformed('reviews', d, bad);
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
      polls,
    });
    expectKey('reviews', d, r.id);
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
    if (bad.length) malformed('votes', d, bad);
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
      expectKey('votes', d, voteKey(v));
    }
  }
  const tallies: TallyRec[] = [];
  for (const d of docs.kv) {
    const bad = missing(d, { ns: isText, key: isText });
    if (bad.length) {
      malformed('kv', d, bad);
      continue;
    }
    expectKey('kv', d, `${d.ns}|${d.key}`);
    if (d.ns !== TALLY_NAMESPACE) continue;
    const value = isObject(d.value) ? d.value : {};
    const rows = readTallyRows(value.rows);
    const tbad = missing(value, { reviewId: isText, round: isRound }).map((k) => `value.${k}`);
    if (!rows) tbad.push('value.rows');
    if (!tbad.length && d.key !== `${value.reviewId}|${value.round}`)
      tbad.push('key (≠ value.reviewId|value.round)');
    if (tbad.length || !rows) {
      malformed('kv', d, tbad);
      continue;
    }
    tallies.push({ kvId: idOf(d), reviewId: value.reviewId as string, round: value.round as number, rows });
  }
  checked.districts = districts.length;
  checked.members = members.length;
  checked.reviews = reviews.size;
  checked.votes = votes.length;

  // --- Index the votes by (review, row, round) and by (review, round).
  const groupKey = (reviewId: string, rowId: string, round: number) =>
    JSON.stringify([reviewId, rowId, round]);
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
  const where = (reviewId: string, rowId: string, round: number) => ({
    subject: `review ${reviewId}, row ${rowId}, round ${round}`,
    reviewId,
    rowId,
    round,
  });

  // --- 1. Every closed round result equals its stored votes.
  for (const review of reviews.values()) {
    for (const poll of review.polls) {
      for (const result of poll.rounds) {
        checked.roundResults++;
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
          add({
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

  // --- 2. Every round tally record equals its stored votes (members and seq per row).
  const talliedRounds = new Set<string>();
  for (const t of tallies) {
    talliedRounds.add(JSON.stringify([t.reviewId, t.round]));
    const review = reviews.get(t.reviewId);
    const subject = `review ${t.reviewId}, round ${t.round}`;
    if (!review) {
      add({
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
      add({
        check: 'round-tally',
        severity: 'warning',
        subject,
        reviewId: t.reviewId,
        round: t.round,
        detail: `a round tally (kv ${t.kvId}) exists for a round that is not closed (the review is at round ${review.round}, ${review.roundStatus})`,
      });
      continue;
    }
    checked.roundTallies++;
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
        add({
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
      if (!talliedRounds.has(JSON.stringify([review.id, round]))) checked.closedRoundsWithoutTally++;
    }
  }

  // --- 3. Every vote references an existing review, one of its rows, and a round that row voted in.
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
      add({ check: 'vote-reference', severity: 'problem', ...where(reviewId, rowId, round), detail });
  }
  for (const [reviewId, group] of orphans) {
    add({
      check: 'vote-reference',
      severity: 'problem',
      subject: `review ${reviewId}`,
      reviewId,
      detail: `${plural(group.length, 'vote')} reference this review, which does not exist (rows ${sample([...new Set(group.map((v) => v.rowId))].sort())})`,
    });
  }

  // --- 4. A close that marked the round closed but did not save the results.
  for (const review of reviews.values()) {
    const voting = review.polls.filter((p) => p.status === 'voting').length;
    if (review.roundStatus === 'closed' && voting > 0) {
      add({
        check: 'interrupted-close',
        severity: 'warning',
        subject: `review ${review.id}, round ${review.round}`,
        reviewId: review.id,
        round: review.round,
        detail: `close interrupted: run close again (round marked closed, ${plural(voting, 'row')} still voting, no results saved for them)`,
      });
    }
  }

  // --- 5. Reviews and members reference an existing district; no two districts share a tenant's channel.
  const districtKey = (tenantId: string, districtId: string) => JSON.stringify([tenantId, districtId]);
  const known = new Set(districts.map((d) => districtKey(d.tenantId, d.id)));
  for (const review of reviews.values()) {
    if (!known.has(districtKey(review.tenantId, review.districtId))) {
      add({
        check: 'district-reference',
        severity: 'problem',
        subject: `review ${review.id}`,
        reviewId: review.id,
        tenantId: review.tenantId,
        districtId: review.districtId,
        detail: `references district ${review.districtId} of tenant ${review.tenantId}, which does not exist`,
      });
    }
  }
  const byChannel = new Map<string, DistrictRec[]>();
  for (const d of districts) {
    const k = JSON.stringify([d.tenantId, d.channelId]);
    byChannel.set(k, [...(byChannel.get(k) ?? []), d]);
  }
  for (const same of byChannel.values()) {
    const first = same[0];
    if (same.length < 2 || !first) continue;
    add({
      check: 'district-reference',
      severity: 'problem',
      subject: `tenant ${first.tenantId}, channel ${first.channelId}`,
      tenantId: first.tenantId,
      detail: `${same.length} districts share this channel: ${sample(same.map((d) => d.id).sort())}`,
    });
  }
  const lostMembers = new Map<string, MemberRec[]>();
  for (const m of members) {
    const k = districtKey(m.tenantId, m.districtId);
    if (!known.has(k)) lostMembers.set(k, [...(lostMembers.get(k) ?? []), m]);
  }
  for (const group of lostMembers.values()) {
    const first = group[0] as MemberRec;
    add({
      check: 'district-reference',
      severity: 'problem',
      subject: `district ${first.districtId} of tenant ${first.tenantId}`,
      tenantId: first.tenantId,
      districtId: first.districtId,
      detail: `${plural(group.length, 'member')} reference this district, which does not exist (${sample(group.map((m) => m.memberId).sort())})`,
    });
  }

  // --- 6. One document per vote key.
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
    add({
      check: 'duplicate-vote',
      severity: 'problem',
      ...where(v.reviewId, v.rowId, v.round),
      subject: `review ${v.reviewId}, row ${v.rowId}, round ${v.round}, member ${v.memberId}`,
      memberId: v.memberId,
      detail: `${same.length} vote documents for one vote: ${sample(same.map((d) => `${JSON.stringify(d._id)} (seq ${d.seq}, ${showChoice(d.choice)})`))}`,
    });
  }

  // Documents under another _id than the app looks them up by (the app would neither find nor replace them).
  for (const [collection, list] of wrongKeys) {
    add({
      check: 'document-key',
      severity: 'problem',
      subject: `${collection}`,
      detail: `${plural(list.length, 'document')} stored under another _id than the app reads: ${sample(list, 3)}`,
    });
  }

  // Problems first, by check; within a check in the order found (review by review, rows in rubric order).
  const rank = (f: Finding) => (f.severity === 'problem' ? 0 : 100) + CHECK_ORDER.indexOf(f.check);
  findings.sort((a, b) => rank(a) - rank(b));
  return {
    documents: {
      districts: docs.districts.length,
      members: docs.members.length,
      reviews: docs.reviews.length,
      votes: docs.votes.length,
      kv: docs.kv.length,
    },
    checked,
    findings,
  };
}
