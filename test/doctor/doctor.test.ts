import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { BSON, type Document, MongoClient } from 'mongodb';
import {
  checkStore,
  type Finding,
  type PlainDoc,
  type StoreDocuments,
  TALLY_NAMESPACE,
} from '../../src/adapters/doctor/checks';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import type { Store } from '../../src/app/ports';
import { type DoctorReport, main, readStore, runDoctor } from '../../src/doctor';
import { voteKey } from '../../src/domain/district';
import type { Choice } from '../../src/domain/rubric';
import { hashFolder } from '../support/files';
import { asker, districtWithReview, makeService, member, TestClock } from '../support/fixtures';

const uri = process.env.MONGODB_URI as string;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-doctor-test-'));
const dbNames: string[] = [];
const dbName = (tag: string) => {
  const name = `micip_doctor_${process.pid}_${tag}`;
  dbNames.push(name);
  return name;
};

afterAll(async () => {
  const client = await MongoClient.connect(uri);
  for (const db of dbNames) await client.db(db).dropDatabase();
  await client.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const MEMBERS = 6;
const COLLECTIONS = ['districts', 'members', 'reviews', 'votes', 'kv', 'networks'] as const;

interface Built {
  /** The review whose round 1 closed (round 2 open, with votes). */
  reviewId: string;
  rows: string[];
  /** A row that did not settle in round 1. */
  unsettledRow: string;
  /** The second review (tenant T2), round 1 open. */
  otherReviewId: string;
  votes: number;
}

/**
 * With the real services: a district (tenant T1) whose review has 6 members voting on every row in round 1, closed
 * (one row settles), round 2 opened with 4 votes on each row still voting; a second district (tenant T2) with a
 * review in round 1, 3 votes on each row, still open.
 */
async function populate(store: Store): Promise<Built> {
  const clock = new TestClock();
  const service = makeService(store, clock);
  const { coord, review } = await districtWithReview(service);
  const reviewId = review.reviewId;
  const rows = ((await store.reviews.get(reviewId))?.polls ?? []).map((p) => p.rowId);
  const spread: Choice[] = [1, 4, 2, 'unsure', 3, 1];
  let votes = 0;
  for (const [r, rowId] of rows.entries()) {
    for (let i = 1; i <= MEMBERS; i++) {
      await service.castVote(member(i), { reviewId, rowId, choice: r === 0 ? 3 : spread[i - 1] });
      votes++;
    }
  }
  // A re-vote: the stored vote keeps the highest seq.
  await service.castVote(member(1), { reviewId, rowId: rows[1], choice: 2 });
  clock.advance(60_000);
  await service.closeRound(coord, { reviewId });
  await service.startNextRound(coord, { reviewId });
  const open = ((await store.reviews.get(reviewId))?.polls ?? []).filter((p) => p.status === 'voting');
  for (const p of open) {
    for (let i = 1; i <= 4; i++) {
      await service.castVote(member(i), { reviewId, rowId: p.rowId, choice: 2 });
      votes++;
    }
  }
  const other = await districtWithReview(service, { tenantId: 'T2' });
  for (const rowId of rows) {
    for (let i = 1; i <= 3; i++) {
      await service.castVote(member(i, 'T2'), { reviewId: other.review.reviewId, rowId, choice: 4 });
      votes++;
    }
  }
  const unsettledRow = open[0]?.rowId;
  if (!unsettledRow || rows.length < 3) throw new Error('the fixture needs 3 rows and an unsettled one');
  return { reviewId, rows, unsettledRow, otherReviewId: other.review.reviewId, votes };
}

/** The database's collections, and the count and a hash of every document (by _id, extended JSON) of each. */
async function hashDatabase(
  db: string,
): Promise<Record<string, { count: number; sha256: string } | string[]>> {
  const client = await MongoClient.connect(uri);
  try {
    const names = (await client.db(db).listCollections().toArray()).map((c) => c.name).sort();
    const out: Record<string, { count: number; sha256: string } | string[]> = { collections: names };
    for (const name of names) {
      const c = client.db(db).collection(name);
      const docs = await c.find({}).sort({ _id: 1 }).toArray();
      out[name] = {
        count: await c.countDocuments({}),
        sha256: createHash('sha256')
          .update(BSON.EJSON.stringify(docs, { relaxed: false }))
          .digest('hex'),
      };
    }
    return out;
  } finally {
    await client.close();
  }
}

/** Runs the CLI; `options` keeps the confirming second read short. */
async function doctor(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
    { confirmDelayMs: 0, serverSelectionTimeoutMS: 1000 },
  );
  return { code, out, err };
}

const summary = (f: Finding) => `${f.severity} ${f.check} ${f.subject}`;

/**
 * The three corruptions of the issue, the same on both stores: a counted vote of the closed round deleted, a vote
 * inserted into the closed round after its close, and a review pointed at a district that does not exist.
 */
interface Corruptor {
  deleteVote(key: string): Promise<void>;
  insertVote(vote: PlainDoc): Promise<void>;
  setReviewDistrict(reviewId: string, districtId: string): Promise<void>;
}

async function corrupt(built: Built, c: Corruptor) {
  const deleted = { reviewId: built.reviewId, rowId: built.rows[1] as string, round: 1, memberId: 'U2' };
  await c.deleteVote(voteKey(deleted));
  const late = {
    reviewId: built.reviewId,
    rowId: built.rows[2] as string,
    round: 1,
    memberId: 'U_LATE',
    perspective: 'district',
    choice: 2,
    evidence: null,
    castAt: new Date('2026-11-23T16:00:00Z'),
    seq: 1,
  };
  await c.insertVote({ ...late, _id: voteKey(late) });
  await c.setReviewDistrict(built.otherReviewId, 'D_GONE');
}

function expectCorruptionFound(r: DoctorReport, built: Built) {
  const { reviewId, rows, otherReviewId } = built;
  expect(r.ok).toBe(false);
  expect(r.findings.map(summary)).toEqual([
    `problem round-result review ${reviewId}, row ${rows[1]}, round 1`,
    `problem round-result review ${reviewId}, row ${rows[2]}, round 1`,
    `problem round-tally review ${reviewId}, row ${rows[1]}, round 1`,
    `problem round-tally review ${reviewId}, row ${rows[2]}, round 1`,
    `problem district-reference review ${otherReviewId}`,
  ]);
  const [lost, late, lostTally, lateTally, district] = r.findings as Finding[];
  expect(lost?.detail).toMatch(
    /^stored votes ≠ the closed round's tally: 5 votes stored, 6 counted in the result \(level 4: 0 stored, 1 counted\)$/,
  );
  expect(lost).toMatchObject({ reviewId, rowId: rows[1], round: 1 });
  expect(late?.detail).toMatch(/: 7 votes stored, 6 counted in the result \(level 2: 2 stored, 1 counted\)$/);
  expect(lostTally?.detail).toMatch(/\(6 counted, 5 stored\): U2: counted \(seq \d+\), no stored vote$/);
  expect(lateTally?.detail).toMatch(/\(6 counted, 7 stored\): U_LATE: stored vote \(seq 1\) not counted$/);
  expect(district?.detail).toBe('references district D_GONE of tenant T2, which does not exist');
  expect(r.problems).toBe(5);
  expect(r.transient).toBe(0);
}

function expectCleanOutput(out: string[], votes: number, where: RegExp) {
  expect(out[0]).toMatch(where);
  expect(out[1]).toBe(
    `Read: 2 districts, ${MEMBERS + 1 + 4} members, 2 reviews, ${votes} votes, 3 kv records.`,
  );
  expect(out[2]).toMatch(
    /^Checked: 6 closed round results against the stored votes; 1 round tally record against the stored votes; references of \d+ votes, 2 reviews and 11 members to 2 districts\.$/,
  );
  expect(out.at(-1)).toBe('OK: no problem found.');
}

describe('embedded store (DATA_DIR)', () => {
  const dir = path.join(tmp, 'data');
  let built: Built;

  beforeAll(async () => {
    fs.mkdirSync(dir);
  });

  test('a live store (its server holding the folder) is clean: exit 0, and its files stay byte-identical', async () => {
    const store = new NedbStore(dir);
    await store.init();
    try {
      built = await populate(store);
      const before = hashFolder(dir);
      expect(Object.keys(before)).toEqual([
        '.lock',
        'districts.db',
        'kv.db',
        'members.db',
        'networks.db',
        'reviews.db',
        'votes.db',
      ]);
      const t0 = Date.now();
      const { code, out, err } = await doctor(['--data', dir]);
      console.info(
        `doctor on the live embedded store (${built.votes} votes): ${Date.now() - t0} ms\n${out.join('\n')}`,
      );
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expectCleanOutput(out, built.votes, /^Doctor: embedded store .*\/data \(read only, \d+\.\d s\)$/);
      expect(hashFolder(dir)).toEqual(before);
      // DATA_DIR is the default source without MONGODB_URI; --json prints the same report for machines.
      const json = await doctor(['--json'], { DATA_DIR: dir });
      expect(json.code).toBe(0);
      const report = JSON.parse(json.out.join('\n')) as DoctorReport;
      expect(report).toMatchObject({ ok: true, problems: 0, warnings: 0, findings: [], transient: 0 });
      expect(report.store).toEqual({ kind: 'embedded', where: `embedded store ${dir}` });
      expect(report.documents).toEqual({
        districts: 2,
        members: 11,
        reviews: 2,
        votes: built.votes,
        kv: 3, // one round tally, two review start claims
        networks: 0,
      });
      expect(hashFolder(dir)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  test('corrupted: each finding reported, exit 1; the folder stays byte-identical', async () => {
    const open = async (name: string) => {
      const ds = new Datastore<PlainDoc & { _id: string }>({ filename: path.join(dir, `${name}.db`) });
      await ds.loadDatabaseAsync();
      return ds;
    };
    const votes = await open('votes');
    const reviews = await open('reviews');
    await corrupt(built, {
      deleteVote: async (key) => expect(await votes.removeAsync({ _id: key }, {})).toBe(1),
      insertVote: async (vote) => void (await votes.insertAsync(vote as PlainDoc & { _id: string })),
      setReviewDistrict: async (id, districtId) =>
        expect((await reviews.updateAsync({ _id: id }, { $set: { districtId } }, {})).numAffected).toBe(1),
    });
    const before = hashFolder(dir);

    const { code, out, err } = await doctor(['--data', dir]);
    console.info(out.join('\n'));
    expect(err).toEqual([]);
    expect(code).toBe(1);
    expect(out).toContain('PROBLEMS: 5 problems:');
    expect(out).toContainEqual(
      `  PROBLEM [district-reference] review ${built.otherReviewId}: references district D_GONE of tenant T2, which does not exist`,
    );
    const json = await doctor(['--data', dir, '--json']);
    expect(json.code).toBe(1);
    expectCorruptionFound(JSON.parse(json.out.join('\n')) as DoctorReport, built);
    expect(hashFolder(dir)).toEqual(before);
  });

  test('a finding seen in only one of two reads (an operation in flight) is left out', async () => {
    const copy = path.join(tmp, 'in-flight');
    fs.mkdirSync(copy);
    const clean = path.join(tmp, 'clean');
    fs.mkdirSync(clean);
    const store = new NedbStore(clean);
    await store.init();
    const b = await populate(store);
    await store.close();
    for (const f of fs.readdirSync(clean)) fs.copyFileSync(path.join(clean, f), path.join(copy, f));
    // A vote appears in the closed round, as NeDB appends it, and is removed again during the pause.
    const late = {
      reviewId: b.reviewId,
      rowId: b.rows[2] as string,
      round: 1,
      memberId: 'U_RACE',
      choice: 1,
      seq: 9,
    };
    const _id = voteKey(late);
    const line = (doc: object) =>
      fs.appendFileSync(path.join(copy, 'votes.db'), `${BSON.EJSON.stringify(doc)}\n`);
    line({ ...late, perspective: 'district', evidence: null, _id });
    setTimeout(() => line({ $$deleted: true, _id }), 100);
    const r = await runDoctor({ kind: 'embedded', dir: copy }, { confirmDelayMs: 400 });
    expect(r).toMatchObject({ ok: true, findings: [], transient: 2 });
    // Without the removal the same finding is confirmed by the second read.
    line({ ...late, perspective: 'district', evidence: null, _id });
    const again = await runDoctor({ kind: 'embedded', dir: copy }, { confirmDelayMs: 0 });
    expect(again.findings.map((f) => f.check)).toEqual(['round-result', 'round-tally']);
    expect(again.transient).toBe(0);
  });
});

test('an interrupted close is a warning (exit 0) until close is run again, then clean', async () => {
  const dir = path.join(tmp, 'interrupted');
  fs.mkdirSync(dir);
  let store = new NedbStore(dir);
  await store.init();
  const b = await populate(store);
  await store.close();
  // The close's first step only: the round marked closed, no tally, no results.
  const reviews = new Datastore<PlainDoc & { _id: string }>({ filename: path.join(dir, 'reviews.db') });
  await reviews.loadDatabaseAsync();
  await reviews.updateAsync({ _id: b.otherReviewId }, { $set: { roundStatus: 'closed' } }, {});
  await reviews.compactDatafileAsync();

  const r = await doctor(['--data', dir]);
  expect(r.code).toBe(0);
  expect(r.out.slice(-2)).toEqual([
    'OK, with 1 warning:',
    `  WARNING [interrupted-close] review ${b.otherReviewId}, round 1: close interrupted: run close again (round marked closed, ${b.rows.length} rows still voting, no results saved for them)`,
  ]);

  store = new NedbStore(dir);
  await store.init();
  try {
    await makeService(store).closeRound(asker('T2', 'U_COORD', 'C1', 'C'), {
      reviewId: b.otherReviewId,
    });
  } finally {
    await store.close();
  }
  const again = await doctor(['--data', dir]);
  expect(again.code).toBe(0);
  expect(again.out.at(-1)).toBe('OK: no problem found.');
  expect(again.out[2]).toMatch(/^Checked: 12 closed round results .*; 2 round tally records /);
});

test('--help prints the usage, exit 0', async () => {
  const r = await doctor(['--help']);
  expect(r.code).toBe(0);
  expect(r.out.join('\n')).toMatch(
    /^Usage: npm run doctor -- .*\n[\s\S]*Exit 0: no problem found; 1: problems found; 2: could not check/,
  );
});

describe('MongoDB store (MONGODB_URI)', () => {
  const db = dbName('live');
  let built: Built;

  test('a live store is clean: exit 0; counts and a hash of every document unchanged', async () => {
    const store = await MongoStore.connect({ uri, dbName: db });
    await store.init();
    try {
      built = await populate(store);
      const before = await hashDatabase(db);
      expect(before.collections).toEqual([...COLLECTIONS].sort());
      expect(before.votes).toMatchObject({ count: built.votes });
      const t0 = Date.now();
      const { code, out, err } = await doctor(['--mongo', uri, '--db', db]);
      console.info(`doctor on MongoDB (${built.votes} votes): ${Date.now() - t0} ms\n${out.join('\n')}`);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expectCleanOutput(out, built.votes, new RegExp(`^Doctor: MongoDB database "${db}" at mongodb://`));
      // MONGODB_URI and MONGODB_DB are the defaults.
      const json = await doctor(['--json'], { MONGODB_URI: uri, MONGODB_DB: db, DATA_DIR: '/nonexistent' });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.out.join('\n'))).toMatchObject({ ok: true, store: { kind: 'mongodb' } });
      expect(await hashDatabase(db)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  test('corrupted: each finding reported, exit 1; counts and hash unchanged by the doctor', async () => {
    const client = await MongoClient.connect(uri);
    const c = (name: string) => client.db(db).collection<Document>(name);
    try {
      await corrupt(built, {
        deleteVote: async (key) =>
          expect((await c('votes').deleteOne({ _id: key as never })).deletedCount).toBe(1),
        insertVote: async (vote) => void (await c('votes').insertOne(vote)),
        setReviewDistrict: async (id, districtId) =>
          expect(
            (await c('reviews').updateOne({ _id: id as never }, { $set: { districtId } })).modifiedCount,
          ).toBe(1),
      });
    } finally {
      await client.close();
    }
    const before = await hashDatabase(db);
    const { code, out, err } = await doctor(['--mongo', uri, '--db', db, '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(1);
    expectCorruptionFound(JSON.parse(out.join('\n')) as DoctorReport, built);
    const text = await doctor(['--mongo', uri, '--db', db]);
    expect(text.code).toBe(1);
    expect(text.out).toContain('PROBLEMS: 5 problems:');
    expect(await hashDatabase(db)).toEqual(before);
  });
});

describe('each check, over plain documents', () => {
  let docs: StoreDocuments;
  let built: Built;
  const clone = (): { [K in keyof StoreDocuments]: PlainDoc[] } => structuredClone(docs) as never;
  const findings = (d: StoreDocuments) => checkStore(d).findings;

  beforeAll(async () => {
    const dir = path.join(tmp, 'unit');
    fs.mkdirSync(dir);
    const store = new NedbStore(dir);
    await store.init();
    built = await populate(store);
    await store.close();
    docs = (await readStore({ kind: 'embedded', dir })).docs;
  });

  test('the documents of a store the services built are clean', () => {
    const r = checkStore(docs);
    expect(r.findings).toEqual([]);
    expect(r.checked).toEqual({
      roundResults: 6,
      roundTallies: 1,
      closedRoundsWithoutTally: 0,
      votes: built.votes,
      reviews: 2,
      districts: 2,
      members: 11,
    });
  });

  test('4. an interrupted close is a warning only, naming the fix', () => {
    const d = clone();
    const review = d.reviews.find((r) => r.id === built.otherReviewId) as PlainDoc;
    review.roundStatus = 'closed';
    const f = findings(d);
    expect(f).toEqual([
      expect.objectContaining({
        check: 'interrupted-close',
        severity: 'warning',
        subject: `review ${built.otherReviewId}, round 1`,
        detail: expect.stringMatching(
          /^close interrupted: run close again \(round marked closed, \d+ rows still voting/,
        ),
      }),
    ]);
  });

  test('6. two documents for one vote, and a vote under another _id', () => {
    const d = clone();
    const v = d.votes.find((x) => x.reviewId === built.reviewId && x.round === 1) as PlainDoc;
    d.votes.push({ ...v, _id: 'copy-1', seq: 999 });
    const f = findings(d);
    expect(f.map(summary)).toEqual([
      `problem round-result review ${v.reviewId}, row ${v.rowId}, round 1`,
      `problem round-tally review ${v.reviewId}, row ${v.rowId}, round 1`,
      `problem duplicate-vote review ${v.reviewId}, row ${v.rowId}, round 1, member ${v.memberId}`,
      'problem document-key votes',
    ]);
    expect(f[2]?.detail).toMatch(
      /^2 vote documents for one vote: ".*" \(seq \d+, .*\), "copy-1" \(seq 999, .*\)$/,
    );
    expect(f[3]?.detail).toBe(
      `1 document stored under another _id than the app reads: "copy-1" (expected ${JSON.stringify(voteKey(v as never))})`,
    );
  });

  test('3. votes of a missing review, of a future round, of a round the row did not vote in, of an unknown row', () => {
    const d = clone();
    const v = d.votes.find((x) => x.reviewId === built.reviewId && x.round === 2) as PlainDoc;
    const settledRow = built.rows[0] as string; // settled in round 1: no round 2
    const add = (patch: PlainDoc) => {
      const doc = { ...v, ...patch };
      d.votes.push({ ...doc, _id: voteKey(doc as never) });
    };
    add({ reviewId: 'rv_gone' });
    add({ reviewId: 'rv_gone', rowId: 'x' });
    add({ round: 3 });
    add({ rowId: settledRow });
    add({ rowId: 'no-such-row' });
    const f = findings(d);
    expect(f.map((x) => `${x.subject}: ${x.detail}`)).toEqual([
      `review ${built.reviewId}, row ${settledRow}, round 2: 1 vote for a round this row did not vote in (results for round 1; row settled, review at round 2)`,
      `review ${built.reviewId}, row no-such-row, round 2: 1 vote for a row this review does not have`,
      `review ${built.reviewId}, row ${v.rowId}, round 3: 1 vote for round 3, but the review is at round 2`,
      `review rv_gone: 2 votes reference this review, which does not exist (rows ${[v.rowId, 'x'].sort().join(', ')})`,
    ]);
    expect(f.every((x) => x.check === 'vote-reference' && x.severity === 'problem')).toBe(true);
  });

  test('2. a tally that differs in seq or choice, of a missing review, of an open round', () => {
    const d = clone();
    const kv = d.kv.find((k) => k.ns === TALLY_NAMESPACE) as PlainDoc & {
      value: { rows: Record<string, Record<string, { seq: number; choice: Choice }>> };
    };
    const row = kv.value.rows[built.rows[3] as string] as Record<string, { seq: number; choice: Choice }>;
    (row.U3 as { seq: number }).seq += 1;
    (row.U4 as { choice: Choice }).choice = 4;
    d.kv.push(
      {
        ...kv,
        _id: 'round-tallies|rv_gone|1',
        key: 'rv_gone|1',
        value: { ...kv.value, reviewId: 'rv_gone' },
      },
      {
        ...kv,
        _id: `round-tallies|${built.reviewId}|2`,
        key: `${built.reviewId}|2`,
        value: { ...kv.value, round: 2 },
      },
    );
    const f = findings(d);
    expect(f.map((x) => `${x.severity} ${x.subject}: ${x.detail}`)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^problem review ${built.reviewId}, row ${built.rows[3]}, round 1: stored votes ≠ the round's tally record \\(6 counted, 6 stored\\): U3: counted seq \\d+, stored seq \\d+, U4: counted 4, stored (1|2|3|not sure)$`,
        ),
      ),
      'problem review rv_gone, round 1: a round tally (kv round-tallies|rv_gone|1) exists for a review that does not exist',
      `warning review ${built.reviewId}, round 2: a round tally (kv round-tallies|${built.reviewId}|2) exists for a round that is not closed (the review is at round 2, open)`,
    ]);
  });

  test('5. two districts on one channel; members of a missing district', () => {
    const d = clone();
    const district = d.districts[0] as PlainDoc;
    d.districts.push({ ...district, _id: 'D_TWIN', id: 'D_TWIN' });
    const m = d.members[0] as PlainDoc;
    d.members.push({ ...m, _id: `T1|D_NONE|U1`, districtId: 'D_NONE', memberId: 'U1' });
    d.members.push({ ...m, _id: `T1|D_NONE|U2`, districtId: 'D_NONE', memberId: 'U2' });
    const f = findings(d);
    expect(f.map((x) => `${x.check} ${x.subject}: ${x.detail}`)).toEqual([
      `district-reference tenant ${district.tenantId}, channel ${district.channelId}: 2 districts share this channel: ${[district.id, 'D_TWIN'].sort().join(', ')}`,
      'district-reference district D_NONE of tenant T1: 2 members reference this district, which does not exist (U1, U2)',
    ]);
  });

  test('7. two open reviews of one rubric in one district (a cancelled or complete one is not open)', () => {
    const d = clone();
    const review = d.reviews.find((r) => r.id === built.reviewId) as PlainDoc;
    expect(findings(d).filter((x) => x.check === 'open-reviews')).toEqual([]);
    d.reviews.push({ ...review, _id: 'rv_twin', id: 'rv_twin' });
    d.reviews.push({ ...review, _id: 'rv_done', id: 'rv_done', status: 'cancelled' });
    d.reviews.push({ ...review, _id: 'rv_other', id: 'rv_other', rubricId: 'another-rubric' });
    const f = findings(d).filter((x) => x.check === 'open-reviews');
    expect(f.map((x) => `${x.severity} ${x.subject}: ${x.detail}`)).toEqual([
      `problem district ${review.districtId} of tenant ${review.tenantId}, rubric ${review.rubricId}: 2 reviews of this rubric are open (${[built.reviewId, 'rv_twin'].sort().join(', ')}); a coordinator cancels all but one (review cancel "cycle" "why")`,
    ]);
  });

  test('a document the checks cannot read is reported, not thrown on', () => {
    const d = clone();
    d.votes.push({ _id: 'junk', reviewId: built.reviewId, round: 'one' });
    d.reviews.push({
      _id: 'rv_bad',
      id: 'rv_bad',
      tenantId: 'T1',
      districtId: 'D',
      round: 1,
      roundStatus: 'open',
    });
    const f = findings(d);
    expect(f.map((x) => `${x.check} ${x.subject}: ${x.detail}`)).toEqual([
      'malformed reviews document rv_bad: missing or invalid: polls',
      'malformed votes document junk: missing or invalid: rowId, round, memberId, choice, seq',
    ]);
  });

  test('timing: the checks over 100,000 votes', () => {
    const d = clone();
    const rows = built.rows;
    const template = d.votes.find((v) => v.reviewId === built.otherReviewId) as PlainDoc;
    const N = 100_000;
    const perRow = Math.ceil(N / rows.length);
    for (let i = 0; i < perRow; i++) {
      for (const rowId of rows) {
        const v = { ...template, rowId, memberId: `M${i}` };
        d.votes.push({ ...v, _id: voteKey(v as never) });
      }
    }
    const t0 = Date.now();
    const r = checkStore(d);
    const ms = Date.now() - t0;
    console.info(`checkStore over ${d.votes.length} votes: ${ms} ms`);
    expect(r.findings).toEqual([]);
    expect(r.checked.votes).toBeGreaterThanOrEqual(N);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('could not check: one line, exit 2, nothing printed on stdout', () => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    [
      'both stores',
      ['--mongo', 'mongodb://h/x', '--data', '.'],
      {},
      /^doctor: Give either --mongo or --data, not both\. \(npm run doctor -- --help for the options\)$/,
    ],
    ['an unknown argument', ['--fix'], {}, /^doctor: Unknown argument "--fix"\./],
    ['a missing value', ['--data'], {}, /^doctor: --data needs a value\./],
    [
      '--db without MongoDB',
      ['--db', 'x'],
      {},
      /^doctor: --db applies to a MongoDB store \(--mongo\) only\./,
    ],
    [
      'a folder that does not exist',
      ['--data', '/nonexistent/micip'],
      {},
      /^doctor: The folder \/nonexistent\/micip does not exist\.$/,
    ],
    [
      'DATA_DIR that does not exist',
      [],
      { DATA_DIR: '/nonexistent/data' },
      /^doctor: The folder \/nonexistent\/data does not exist\.$/,
    ],
    [
      'not a MongoDB URI',
      ['--mongo', 'http://user:secret@h/x'],
      {},
      /^doctor: http:\/\/user:\*\*\*@h\/x is not a MongoDB URI/,
    ],
    [
      'an unreachable server',
      ['--mongo', 'mongodb://user:secret@127.0.0.1:1/x'],
      {},
      /^doctor: Cannot connect to mongodb:\/\/user:\*\*\*@127\.0\.0\.1:1\/x: /,
    ],
  ];
  test.each(cases)('%s', async (_name, argv, env, message) => {
    const { code, out, err } = await doctor(argv, env);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(message)]);
    expect(err[0]).not.toContain('secret');
  });

  test('a folder without a store, an unreadable file, an empty database', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    let r = await doctor(['--data', empty]);
    expect([r.code, r.err]).toEqual([
      2,
      [
        `doctor: The folder ${empty} holds no embedded store: none of districts.db, members.db, reviews.db, votes.db, kv.db, networks.db.`,
      ],
    ]);
    const garbage = path.join(tmp, 'garbage');
    fs.mkdirSync(garbage);
    fs.writeFileSync(path.join(garbage, 'votes.db'), 'not json\nnor this\n');
    r = await doctor(['--data', garbage]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      expect.stringMatching(/^doctor: Cannot read .*votes\.db: 100% of the data file is corrupt/),
    ]);
    const db = dbName('empty');
    r = await doctor(['--mongo', uri, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^doctor: MongoDB database "${db}" at .* holds no documents in districts, members, reviews, votes, kv, networks: nothing to check \\(wrong --db\\?\\)\\.$`,
        ),
      ),
    ]);
    expect(r.out).toEqual([]);
  });
});
