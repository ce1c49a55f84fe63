import { type Collection, type Document, MongoClient, MongoNetworkError } from 'mongodb';
import { DuplicateKeyError } from '../../src/adapters/docstore/collection';
import { InsertBatcher } from '../../src/adapters/mongo/insertBatcher';
import { MongoDocCollection } from '../../src/adapters/mongo/mongoStore';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');
const dbName = `micip_test_${process.pid}_batcher`;
let client: MongoClient;

beforeAll(async () => {
  client = await new MongoClient(uri).connect();
});
afterAll(async () => {
  await client.db(dbName).dropDatabase();
  await client.close();
});

describe('InsertBatcher (concurrent votes share one write)', () => {
  test('concurrent inserts go out in fewer commands, and each caller learns the fate of its own document', async () => {
    const raw = client.db(dbName).collection('votes_a');
    await raw.insertMany([{ _id: 'v3' }, { _id: 'v17' }] as never[]);
    const batcher = new InsertBatcher(raw, { maxInFlight: 1, maxBatch: 256 });
    // 40 documents at once: v3 and v17 are stored already, and v25 is sent twice within the storm.
    const ids = [...Array.from({ length: 40 }, (_, i) => `v${i}`), 'v25'];
    const results = await Promise.allSettled(ids.map((_id) => batcher.insert({ _id, choice: 2 })));
    const refused = ids.filter((_, i) => results[i]?.status === 'rejected');
    expect(refused.sort()).toEqual(['v17', 'v25', 'v3']);
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateKeyError);
      else expect(ids[i]).not.toBe('v3');
    }
    // Every document stored once; the storm went out as a lone insert and then one batch of the rest.
    expect(await raw.countDocuments({})).toBe(40);
    expect(batcher.stats).toEqual({ commands: 2, documents: 41 });
  });

  test('a batch that fails as a whole fails every call of it (none told stored)', async () => {
    // The far side fails the batch as a whole (a connection reset): a collection whose lone insert succeeds and
    // whose insertMany is cut off.
    const sent: string[][] = [];
    const raw = {
      insertOne: async (d: { _id: string }) => {
        sent.push([d._id]);
        await new Promise((r) => setTimeout(r, 5));
      },
      insertMany: async (ds: Array<{ _id: string }>) => {
        sent.push(ds.map((d) => d._id));
        throw new MongoNetworkError('connection reset');
      },
    } as unknown as Collection<Document>;
    const coll = new MongoDocCollection<{ _id: string }>(raw, { maxInFlight: 1, maxBatch: 256 });
    // 'a' goes out alone; b, c and d wait for it and then go as one batch.
    const settled = await Promise.allSettled(['a', 'b', 'c', 'd'].map((_id) => coll.insert({ _id })));
    expect(sent).toEqual([['a'], ['b', 'c', 'd']]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    for (const r of settled.slice(1))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'store-unavailable' });
  });

  test('the vote collection batches: a storm of first votes makes fewer insert commands than votes', async () => {
    const coll = new MongoDocCollection<{ _id: string; n: number }>(client.db(dbName).collection('votes_c'), {
      maxInFlight: 2,
      maxBatch: 256,
    });
    await Promise.all(Array.from({ length: 100 }, (_, n) => coll.insert({ _id: `m${n}`, n })));
    expect(await coll.count({})).toBe(100);
    expect(coll.batcher?.stats.documents).toBe(100);
    expect(coll.batcher?.stats.commands).toBeLessThan(100);
    await expect(coll.insert({ _id: 'm7', n: 7 })).rejects.toBeInstanceOf(DuplicateKeyError);
  });
});
