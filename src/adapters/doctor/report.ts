/**
 * What `npm run doctor` reports (the documents it reads, the findings, the counts) and the shared helpers the
 * checks use to report: a finding, a malformed document, a document stored under an unexpected `_id`.
 */

export type PlainDoc = Record<string, unknown>;

export interface StoreDocuments {
  districts: readonly PlainDoc[];
  members: readonly PlainDoc[];
  reviews: readonly PlainDoc[];
  votes: readonly PlainDoc[];
  kv: readonly PlainDoc[];
  /** Co-op networks (read, not checked yet). */
  networks: readonly PlainDoc[];
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
  /** 7. At most one open (active) review per rubric per district. */
  | 'open-reviews'
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

export const idOf = (d: PlainDoc): string =>
  d._id === undefined || d._id === null ? '(no _id)' : String(d._id);

const CHECK_ORDER: CheckId[] = [
  'round-result',
  'round-tally',
  'vote-reference',
  'duplicate-vote',
  'district-reference',
  'open-reviews',
  'document-key',
  'malformed',
  'interrupted-close',
];

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The first few items, then "and N more". */
export function sample(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

export const showChoice = (c: unknown) => (c === 'unsure' ? 'not sure' : String(c));

/** Collects the findings and counts of one run of the checks. */
export interface Report {
  /** What was checked; the checks count up as they go. */
  checked: CheckCounts;
  add(f: Finding): void;
  /** A document the checks cannot read: `fields` are missing or of the wrong type. */
  malformed(collection: CollectionName, d: PlainDoc, fields: string[]): void;
  /** Notes the document when its `_id` differs from `key`, the key the app reads it by. */
  expectKey(collection: CollectionName, d: PlainDoc, key: string): void;
  /** Adds the `document-key` findings and returns every finding, problems first (see CheckResult.findings). */
  finish(): Finding[];
}

export function startReport(): Report {
  const findings: Finding[] = [];
  const add = (f: Finding): void => {
    findings.push(f);
  };
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
  const finish = () => {
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
    return findings;
  };
  return { checked, add, malformed, expectKey, finish };
}
