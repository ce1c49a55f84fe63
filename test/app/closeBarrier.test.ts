import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import type { Store } from '../../src/app/ports';
import { DomainError } from '../../src/domain/errors';
import { districtWithReview, makeService, member } from '../support/fixtures';

/**
 * Close is a barrier: closes raced against vote storms with random timing, many times, on both stores. In every
 * iteration each vote is either confirmed and in the closed round's tally, or refused with a message and not
 * stored; and the stored votes of the closed round equal its tally.
 */
const ITERATIONS = 25;
const VOTERS = 24;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function raceOnce(store: Store, rnd: () => number, closeGraceMs: number) {
  const service = makeService(store, undefined, { closeGraceMs });
  const { coord, review } = await districtWithReview(service, { tenantId: `T${Math.floor(rnd() * 1e9)}` });
  const tenantId = coord.tenantId;
  const rowId = review.polls[0]?.rowId as string;
  // member → the choice they were told counted: of two confirmed clicks, the later one (the higher seq, as the
  // store orders them), whichever confirmation came back last
  const confirmedVotes = new Map<string, { choice: number; seq: number }>();
  const refused: string[] = [];
  const cast = async (i: number, choice: number, delay: number) => {
    await sleep(delay);
    try {
      const r = await service.recordVote(member(i, tenantId), { reviewId: review.reviewId, rowId, choice });
      if (r.write === 'written' && r.vote.seq > (confirmedVotes.get(`U${i}`)?.seq ?? -1)) {
        confirmedVotes.set(`U${i}`, { choice, seq: r.vote.seq });
      }
    } catch (e) {
      if (!(e instanceof DomainError) || !/closed/.test(e.message)) throw e;
      refused.push(`U${i}`);
    }
  };
  const votes: Promise<void>[] = [];
  for (let i = 1; i <= VOTERS; i++) {
    votes.push(cast(i, 1 + (i % 4), rnd() * 30));
    // Some members change their mind: a second click, later, with another choice.
    if (i % 3 === 0) votes.push(cast(i, 1 + ((i + 1) % 4), 5 + rnd() * 30));
  }
  const close = sleep(rnd() * 30).then(() => service.closeRound(coord, { reviewId: review.reviewId }));
  await Promise.all([...votes, close]);

  const stored = await store.votes.listRow(review.reviewId, rowId, 1);
  const closed = await store.reviews.get(review.reviewId);
  const result = closed?.polls.find((p) => p.rowId === rowId)?.rounds.find((r) => r.round === 1);
  const fromStored = [0, 0, 0, 0];
  for (const v of stored)
    if (typeof v.choice === 'number') fromStored[v.choice - 1] = (fromStored[v.choice - 1] ?? 0) + 1;
  const confirmed = new Map([...confirmedVotes].map(([m, v]) => [m, v.choice]));
  return { stored, result, fromStored, confirmed, refused };
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const stores: Array<[string, () => Promise<Store & { close(): Promise<void> }>]> = [
  [
    'embedded',
    async () => {
      const s = new NedbStore(null);
      await s.init();
      return s;
    },
  ],
  [
    'MongoDB',
    async () => {
      const s = await MongoStore.connect({
        uri: process.env.MONGODB_URI as string,
        dbName: `micip_barrier_${process.pid}`,
      });
      await s.init();
      return s;
    },
  ],
];

/**
 * Without a grace every written vote reads the review again; with one, a vote acknowledged within the grace of its
 * round check is counted on the strength of the close's wait (5 ms: both paths mixed; 40 ms: nearly all votes;
 * 120 ms: votes also reuse one read of the open review for 30 ms, RecentReviews).
 */
const cases = stores.flatMap(([name, open]) => [0, 5, 40, 120].map((grace) => [name, grace, open] as const));

describe.each(cases)('close vs. vote storm (%s store, close grace %d ms)', (_name, grace, open) => {
  test(`${ITERATIONS} races: stored == tally, every confirmed vote counted, every refused one absent`, async () => {
    const store = await open();
    let raced = 0;
    try {
      for (let it = 0; it < ITERATIONS; it++) {
        const { stored, result, fromStored, confirmed, refused } = await raceOnce(
          store,
          seeded(1000 + it),
          grace,
        );
        expect(result).toBeDefined();
        // The tally equals the stored votes of the closed round.
        expect(result?.stats.distribution.total).toBe(stored.length);
        expect(result?.stats.distribution.levels).toEqual(fromStored);
        // Each member told their vote counted has exactly that vote stored (and so counted).
        const byMember = new Map(stored.map((v) => [v.memberId, v.choice]));
        for (const [m, choice] of confirmed) expect({ m, choice: byMember.get(m) }).toEqual({ m, choice });
        // A member whose only click was refused has nothing stored.
        for (const m of refused) if (!confirmed.has(m)) expect(byMember.has(m)).toBe(false);
        if (refused.length > 0 && confirmed.size > 0) raced++;
      }
    } finally {
      if (store instanceof MongoStore) await store.db.dropDatabase();
      await store.close();
    }
    // The timing really mixed confirmed and refused votes in many iterations (otherwise nothing was raced). How
    // many depends on the store's speed under the machine's load: 12 to 20 of 25 have been seen, so at least 1 in 4.
    expect(raced).toBeGreaterThanOrEqual(ITERATIONS / 4);
  }, 120_000);
});
