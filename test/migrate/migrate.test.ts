import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { acquireDataDirLock } from '../../src/adapters/embedded/dataDirLock';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import {
  checkEmbeddedAgainstMongo,
  firstDifference,
  migrateEmbeddedToMongo,
} from '../../src/adapters/migrate/embeddedToMongo';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { ResultsService } from '../../src/app/reviews/results';
import type { ReviewResults } from '../../src/app/reviews/resultsModel';
import { createReview } from '../../src/domain/review';
import type { Choice, Rubric } from '../../src/domain/rubric';
import { formatReport, main } from '../../src/migrate';
import { hashFolder } from '../support/files';
import { districtWithReview, makeService, member, rubrics, TestClock } from '../support/fixtures';

const uri = process.env.MONGODB_URI as string;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-migrate-test-'));
const source = path.join(tmp, 'data');
const dbNames: string[] = [];
const dbName = (tag: string) => {
  const name = `micip_migrate_${process.pid}_${tag}`;
  dbNames.push(name);
  return name;
};

const VOTES = 2000;
const MEMBERS = 40;
/**
 * Key-value records: 2 reflection answers + 10 round tallies (6 first-round closes and 4 second-round ones) + 3
 * review start claims (one per district: its second review is stored directly).
 */
const KV = 2 + 10 + 3;
/** Results of every review, computed on the embedded store before it was closed. */
const expected = new Map<string, ReviewResults>();

/**
 * 3 districts with 2 reviews each; 40 members per district vote on every row in round 1 (one row agrees, so it
 * settles), every review gets a round 2 with 560 more votes spread evenly, 4 reviews close it, one decision, two
 * reflection answers and evidence on some votes.
 */
async function buildEmbeddedStore(): Promise<void> {
  fs.mkdirSync(source);
  const store = new NedbStore(source);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const resultsService = new ResultsService({ store, rubrics, clock });
  const reviews: Array<{ id: string; tenantId: string; coord: { tenantId: string; userId: string } }> = [];
  for (let t = 1; t <= 3; t++) {
    const tenantId = `T${t}`;
    const { coord, review } = await districtWithReview(service, { tenantId, anonymous: t === 2 });
    // Two open reviews of one rubric in a district, as a store from before issue 15 may hold (review start now
    // refuses the second): written straight to the store.
    const second = createReview(
      {
        id: `r_second_${t}`,
        tenantId,
        districtId: review.districtId,
        channelId: 'C1',
        rubric: rubrics.get(review.rubricId) as Rubric,
        cycle: '2027-28 Fall',
        blind: t === 3,
        anonymous: false,
        rule: review.rule,
        maxRounds: review.maxRounds,
        deadline: null,
        createdBy: coord.userId,
      },
      clock.now(),
    );
    await store.reviews.create(second);
    reviews.push({ id: review.reviewId, tenantId, coord }, { id: second.id, tenantId, coord });
  }
  const choices: Choice[] = [1, 2, 3, 4, 'unsure'];
  const vote = (r: (typeof reviews)[number], rowId: string, i: number, choice: Choice) =>
    service.recordVote(member(i, r.tenantId), {
      reviewId: r.id,
      rowId,
      choice,
      ...(i % 10 === 0 ? { evidence: `Evidence ${i} for ${rowId}` } : {}),
    });

  let cast = 0;
  for (const r of reviews) {
    const review = await store.reviews.get(r.id);
    for (const [p, poll] of (review?.polls ?? []).entries()) {
      await Promise.all(
        Array.from({ length: MEMBERS }, (_, k) =>
          vote(r, poll.rowId, k + 1, p === 0 ? 3 : (choices[k % 5] as Choice)),
        ),
      );
      cast += MEMBERS;
    }
    clock.advance(60_000);
    await service.closeRound(r.coord, { reviewId: r.id });
    await service.startNextRound(r.coord, { reviewId: r.id });
  }
  // Round 2: member by member across every open row of every review, until the total reaches VOTES.
  const open = [];
  for (const r of reviews) {
    const review = await store.reviews.get(r.id);
    for (const poll of review?.polls ?? []) if (poll.status === 'voting') open.push({ r, rowId: poll.rowId });
  }
  for (let k = 1; cast < VOTES; k++) {
    const batch = open.slice(0, VOTES - cast);
    await Promise.all(batch.map(({ r, rowId }) => vote(r, rowId, k, choices[(k + 1) % 5] as Choice)));
    cast += batch.length;
  }
  for (const r of reviews.slice(0, 4)) {
    clock.advance(60_000);
    await service.closeRound(r.coord, { reviewId: r.id });
  }
  const first = reviews[0] as (typeof reviews)[number];
  const firstReview = await store.reviews.get(first.id);
  const [settled, unsettled] = firstReview?.polls ?? [];
  await service.recordDecision(first.coord, {
    reviewId: first.id,
    rowId: unsettled?.rowId,
    level: 2,
    note: 'Split team; the coordinator records Developing.',
  });
  for (const i of [1, 2]) {
    await resultsService.answerReflection(member(i, first.tenantId), {
      reviewId: first.id,
      rowId: settled?.rowId,
      question: 1,
      answer: `Answer from member ${i}`,
    });
  }
  for (const r of reviews) {
    const review = await store.reviews.get(r.id);
    if (review) expected.set(r.id, await resultsService.resultsOf(review));
  }
  // A co-op network the first two districts joined (its own collection, copied like the others).
  const districts = await Promise.all(reviews.slice(0, 2).map((r) => store.reviews.get(r.id)));
  await store.networks.create({
    id: 'n_coop',
    name: 'Michigan CoOp',
    facilitators: [{ tenantId: 'T9', userId: 'U_FAC' }],
    code: 'COOPCODE2026',
    members: districts.map((r) => ({
      tenantId: r?.tenantId as string,
      districtId: r?.districtId as string,
      joinedAt: clock.now(),
      named: false,
    })),
    createdAt: clock.now(),
    createdBy: { tenantId: 'T9', userId: 'U_FAC' },
    version: 0,
  });
  await store.close();
}

beforeAll(async () => {
  const t0 = Date.now();
  await buildEmbeddedStore();
  console.info(`built the embedded store (${VOTES} votes) in ${Date.now() - t0} ms`);
}, 60_000);

afterAll(async () => {
  const client = await MongoClient.connect(uri);
  for (const db of dbNames) await client.db(db).dropDatabase();
  await client.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a store of 3 districts, 6 reviews and 2,000 votes', () => {
  const db = dbName('copy');

  test('is copied into MongoDB, identical, and the folder stays byte-identical; a re-run is refused', async () => {
    const before = hashFolder(source);
    expect(Object.keys(before)).toEqual([
      'districts.db',
      'kv.db',
      'members.db',
      'networks.db',
      'reviews.db',
      'votes.db',
    ]);
    const report = await migrateEmbeddedToMongo({ from: source, to: uri, db, rubrics });
    const lines = formatReport(report);
    console.info(lines.join('\n'));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(lines.at(-1)).toMatch(/^OK \(\d+\.\d s\); the embedded folder is unchanged\.$/);
    expect(report.collections.map((c) => [c.name, c.source, c.target])).toEqual([
      ['districts', 3, 3],
      ['members', 3 * (MEMBERS + 1), 3 * (MEMBERS + 1)],
      ['reviews', 6, 6],
      ['votes', VOTES, VOTES],
      ['kv', KV, KV],
      ['networks', 1, 1],
    ]);
    expect(report.documentsCompared).toBe(3 + 3 * (MEMBERS + 1) + 6 + VOTES + KV + 1);
    // Round 1: 6 rows × 6 reviews; round 2: the 5 rows without consensus × 6 reviews.
    expect(report.voteGroupsChecked).toBe(36 + 30);
    expect(report.reviewsChecked).toBe(6);
    expect(report.districtsChecked).toBe(3);
    expect(report.sourceUnchanged).toBe(true);
    expect(hashFolder(source)).toEqual(before);

    const mongo = await MongoStore.connect({ uri, dbName: db });
    try {
      expect(await mongo.db.collection('votes').countDocuments({})).toBe(VOTES);
      const indexes = (await mongo.db.collection('votes').indexes()).map((i) => i.name);
      expect(indexes).toContain('one_vote');
      // Results computed on MongoDB equal those computed on the embedded store before it was closed.
      const results = new ResultsService({ store: mongo, rubrics, clock: new TestClock() });
      expect(expected.size).toBe(6);
      for (const [id, want] of expected) {
        const review = await mongo.reviews.get(id);
        if (!review) throw new Error(`review ${id} missing`);
        const got = await results.resultsOf(review);
        expect(firstDifference(want, got)).toBeNull();
        expect(got).toEqual(want);
      }
    } finally {
      await mongo.close();
    }

    // The same folder again into the same database, through the CLI: refused in one line, exit 2.
    const err: string[] = [];
    const code = await main(
      ['--from', source, '--to', uri, '--db', db],
      {},
      () => undefined,
      (l) => err.push(l),
    );
    expect(code).toBe(2);
    expect(err).toEqual([
      expect.stringMatching(
        /^migrate: The target database "micip_migrate_\d+_copy" at .* is not empty \(districts: 3, members: 123, reviews: 6, votes: 2000, kv: 15, networks: 1\), so nothing was copied\./,
      ),
    ]);
    expect(hashFolder(source)).toEqual(before);
  });

  test('the checks catch a changed copy: a lost vote and an edited review', async () => {
    const client = await MongoClient.connect(uri);
    const [reviewId] = [...expected.keys()];
    const vote = await client.db(db).collection('votes').findOne({ reviewId, round: 1 });
    await client.db(db).collection('votes').deleteOne({ _id: vote?._id });
    await client
      .db(db)
      .collection('reviews')
      .updateOne({ _id: reviewId as never }, { $set: { cycle: 'Edited' } });
    await client.close();

    const report = await checkEmbeddedAgainstMongo({ from: source, to: uri, db, rubrics });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        `votes: ${VOTES} documents in the embedded store, ${VOTES - 1} in MongoDB.`,
        `votes ${vote?._id}: missing in MongoDB`,
        `reviews ${reviewId}: cycle: "2026-27 Fall" ≠ "Edited"`,
        `votes of review ${reviewId}, row ${vote?.rowId}, round 1: ${MEMBERS} in the embedded store, ${MEMBERS - 1} in MongoDB.`,
        `review ${reviewId}: cycle: "2026-27 Fall" ≠ "Edited"`,
      ]),
    );
    const lines = formatReport(report);
    expect(lines.find((l) => l.startsWith('MISMATCH'))).toMatch(/^MISMATCH \(.*\): \d+ difference\(s\):$/);
    expect(lines.find((l) => l.startsWith('  votes '))).toMatch(/← differs$/);
    expect(report.sourceUnchanged).toBe(true);
  });
});

test('a folder held by a running server is refused with its lock message, nothing written', async () => {
  const lock = acquireDataDirLock(source);
  const db = dbName('locked');
  try {
    await expect(migrateEmbeddedToMongo({ from: source, to: uri, db, rubrics })).rejects.toMatchObject({
      nothingWritten: true,
      message: expect.stringContaining(source),
    });
  } finally {
    lock.release();
  }
  const client = await MongoClient.connect(uri);
  expect(await client.db(db).listCollections().toArray()).toEqual([]);
  await client.close();
});

describe('bad input: one line naming the problem, exit 2, nothing written', () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(
      argv,
      env,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, err, out };
  };

  test('no --to and no MONGODB_URI', async () => {
    const r = await run(['--from', source]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([expect.stringMatching(/^migrate: No target: give --to mongodb:\/\//)]);
  });

  test('a folder that does not exist (and is not created)', async () => {
    const missing = path.join(tmp, 'nope');
    const db = dbName('missing');
    const r = await run(['--from', missing, '--to', uri, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`migrate: The folder ${missing} does not exist.`]);
    expect(fs.existsSync(missing)).toBe(false);
    const client = await MongoClient.connect(uri);
    expect(await client.db(db).listCollections().toArray()).toEqual([]);
    await client.close();
  });

  test('a folder without .db files', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'hello');
    const r = await run(['--from', empty, '--to', uri]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([expect.stringMatching(/^migrate: The folder .*empty-.* holds no embedded store/)]);
    expect(fs.readdirSync(empty)).toEqual(['notes.txt']);
  });

  test('a target that is not a MongoDB URI, from the environment too', async () => {
    const r = await run([], { DATA_DIR: source, MONGODB_URI: 'postgres://u:secret@x/db' });
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      'migrate: The target postgres://u:***@x/db is not a MongoDB URI: it must start with mongodb:// or mongodb+srv://.',
    ]);
    const bad = await run(['--from', source, '--to', 'mongodb://a:b@host:notaport/x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual([
      expect.stringMatching(
        /^migrate: The target mongodb:\/\/a:\*\*\*@host:notaport\/x is not a valid MongoDB URI: /,
      ),
    ]);
  });

  test('unknown or valueless arguments', async () => {
    expect((await run(['--form', source])).err).toEqual([expect.stringMatching(/Unknown argument "--form"/)]);
    expect((await run(['--to'])).err).toEqual([expect.stringMatching(/--to needs a value/)]);
    expect((await run(['--help'])).code).toBe(0);
  });
});

test('firstDifference names the path of the first difference', () => {
  expect(firstDifference({ a: [1, { b: new Date(0) }] }, { a: [1, { b: new Date(0) }] })).toBeNull();
  expect(firstDifference({ a: [1, { b: new Date(0) }] }, { a: [1, { b: new Date(1) }] })).toBe(
    'a[1].b: 1970-01-01T00:00:00.000Z ≠ 1970-01-01T00:00:00.001Z',
  );
  expect(firstDifference({ a: 1, c: 2 }, { a: 1 })).toBe('c: missing in MongoDB');
  expect(firstDifference({ x: 1 }, { x: 1, y: null })).toBe('y: only in MongoDB');
});
