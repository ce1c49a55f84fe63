import { MongoClient } from 'mongodb';
import { type RunningServer, startMongoJavaServer } from '../test/support/mongoServer';

/**
 * `npm run bench:test-server`: what a read costs on the test database server as a collection grows. The product's
 * poll redraws and round reads find votes by `{reviewId, rowId, round}` and members by `{tenantId, districtId}`
 * under non-unique indexes, and its vote path reads and writes by `_id`. MongoDB answers the first from its index;
 * mongo-java-server (the tests' and benches' server unless `MONGODB_URI` is set) keeps only `_id` and unique
 * indexes, so it reads the whole collection: bench figures measured after thousands of votes carry that cost.
 * With `MONGODB_URI` set, the same figures for that server.
 */
async function main(): Promise<void> {
  const server: RunningServer | null = process.env.MONGODB_URI ? null : await startMongoJavaServer();
  const client = await MongoClient.connect(process.env.MONGODB_URI ?? (server as RunningServer).uri);
  const db = client.db(`bench_test_server_${Date.now()}`);
  const votes = db.collection<{ _id: string } & Record<string, unknown>>('votes');
  await votes.createIndex({ reviewId: 1, round: 1 });
  const REPEAT = 20;
  const perCall = async (f: () => Promise<unknown>): Promise<string> => {
    const t0 = performance.now();
    for (let i = 0; i < REPEAT; i++) await f();
    return ((performance.now() - t0) / REPEAT).toFixed(1);
  };
  console.log(`server: ${server ? 'mongo-java-server' : 'MONGODB_URI'}`);
  console.log(
    '| votes in the collection | find {reviewId, rowId, round} (1 match), ms | find by `_id` range (1 match), ms | findOne {_id}, ms |',
  );
  console.log('|---|---|---|---|');
  let n = 0;
  try {
    for (const target of [1_000, 10_000, 40_000]) {
      const docs = [];
      for (; n < target; n++)
        docs.push({
          _id: `v${n}`,
          reviewId: `r${n % 50}`,
          rowId: `row${n % 6}`,
          round: 1,
          memberId: `m${n}`,
          choice: 2,
        });
      await votes.insertMany(docs);
      await votes.updateOne(
        { _id: 'rX|row1|1|probe' },
        { $set: { reviewId: 'rX', rowId: 'row1', round: 1 } },
        { upsert: true },
      );
      const byIndex = await perCall(() => votes.find({ reviewId: 'rX', rowId: 'row1', round: 1 }).toArray());
      const byId = await perCall(() => votes.findOne({ _id: `v${n >> 1}` }));
      // The same votes as a range of `_id` (the product's vote ids start `review|row|round|`).
      const byIdRange = await perCall(() =>
        votes.find({ _id: { $gte: 'rX|row1|1|', $lt: 'rX|row1|1}' } }).toArray(),
      );
      console.log(`| ${target.toLocaleString('en-US')} | ${byIndex} | ${byIdRange} | ${byId} |`);
    }
  } finally {
    await db.dropDatabase();
    await client.close();
    await server?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
