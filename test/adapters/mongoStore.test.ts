import { MongoClient } from 'mongodb';
import { MongoStore, productionOptions } from '../../src/adapters/mongo/mongoStore';
import { storeContract } from '../contract/storeContract';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');
let n = 0;
const dbNames: string[] = [];

storeContract(`MongoDB (${process.env.MONGODB_TEST_SERVER})`, async () => {
  const dbName = `micip_test_${process.pid}_${++n}`;
  dbNames.push(dbName);
  const store = await MongoStore.connect({ uri, dbName });
  await store.init();
  return store;
});

describe('MongoStore specifics', () => {
  test('the unique index refuses a second vote document for the same member, poll and round', async () => {
    const store = await MongoStore.connect({ uri, dbName: `micip_test_${process.pid}_idx` });
    dbNames.push(`micip_test_${process.pid}_idx`);
    await store.init();
    const votes = store.db.collection('votes');
    const doc = { reviewId: 'r', rowId: 'x', round: 1, memberId: 'U1', choice: 2, seq: 1 };
    await votes.insertOne({ ...doc, _id: 'a' } as never);
    await expect(votes.insertOne({ ...doc, _id: 'b' } as never)).rejects.toMatchObject({ code: 11000 });
    await store.close();
  });

  test('a poll with more votes than one reply batch lists every vote (the store reads in batches of 500)', async () => {
    const dbName = `micip_test_${process.pid}_batch`;
    dbNames.push(dbName);
    const store = await MongoStore.connect({ uri, dbName });
    await store.init();
    const castAt = new Date('2026-11-23T10:00:00Z');
    await store.db.collection('votes').insertMany(
      Array.from({ length: 1234 }, (_, i) => ({
        _id: `r|x|1|U${i}`,
        reviewId: 'r',
        rowId: 'x',
        round: 1,
        memberId: `U${i}`,
        perspective: 'district',
        choice: (i % 4) + 1,
        evidence: null,
        castAt,
        seq: i,
      })) as never[],
    );
    const votes = await store.votes.listRow('r', 'x', 1);
    expect(votes).toHaveLength(1234);
    expect(new Set(votes.map((v) => v.memberId)).size).toBe(1234);
    expect(votes.filter((v) => v.choice === 4)).toHaveLength(308);
    await store.close();
  });

  test('an unreachable server is reported as store-unavailable, not a crash', async () => {
    await expect(
      MongoStore.connect({ uri: 'mongodb://127.0.0.1:1/', dbName: 'x' }).then((s) => s.init()),
    ).rejects.toMatchObject({ code: 'store-unavailable' });
  }, 20000);

  afterAll(async () => {
    const client = await MongoClient.connect(uri);
    for (const db of dbNames) await client.db(db).dropDatabase();
    await client.close();
  });
});

describe('production connection options', () => {
  test('retryable writes on and majority, journaled write concern unless the URI says otherwise', () => {
    const o = productionOptions({ uri: 'mongodb+srv://u:p@cluster0.example.net/micip' });
    expect(o).toMatchObject({
      retryWrites: true,
      retryReads: true,
      writeConcern: { w: 'majority', journal: true },
    });
    const fromUri = productionOptions({ uri: 'mongodb://h1,h2/micip?replicaSet=rs0&w=1&retryWrites=false' });
    expect(fromUri.retryWrites).toBeUndefined();
    expect(fromUri.writeConcern).toBeUndefined();
  });

  test('a store connected with them writes and reads on the test server', async () => {
    const store = await MongoStore.connect({ uri, dbName: `micip_test_${process.pid}_opts` });
    try {
      await store.kv.put('t', 'k', { a: 1 });
      expect(await store.kv.get('t', 'k')).toEqual({ a: 1 });
    } finally {
      await store.db.dropDatabase();
      await store.close();
    }
  });
});
