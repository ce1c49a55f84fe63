import {
  type Collection,
  type Db,
  type Document,
  MongoClient,
  type MongoClientOptions,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import type { NudgeRepos } from '../../app/nudges/nudgePorts';
import type { Store } from '../../app/ports';
import { DomainError } from '../../domain/errors';
import { KvActionRepo } from '../docstore/actionRepo';
import { KvActivity1Repo } from '../docstore/activity1Repo';
import {
  type Doc,
  type DocCollection,
  DuplicateKeyError,
  type Filter,
  setOperator,
} from '../docstore/collection';
import { DocNetworkRepo } from '../docstore/networkRepo';
import { kvNudgeRepos } from '../docstore/nudgeRepos';
import { KvPlanRepo } from '../docstore/planRepo';
import {
  DocDistrictRepo,
  DocKeyValueRepo,
  DocMemberRepo,
  DocReviewRepo,
  DocVoteRepo,
  KvReflectionRepo,
  KvTallyRepo,
} from '../docstore/repos';
import { DUPLICATE_KEY, InsertBatcher, type InsertBatching, VOTE_BATCHING } from './insertBatcher';

const isDuplicate = (e: unknown) => e instanceof MongoServerError && e.code === DUPLICATE_KEY;
const isUnavailable = (e: unknown) =>
  e instanceof MongoNetworkError || e instanceof MongoServerSelectionError;

/** Runs a driver call, mapping duplicate keys and an unreachable server to errors the app understands. */
async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isDuplicate(e)) throw new DuplicateKeyError((e as Error).message);
    if (isUnavailable(e)) {
      throw new DomainError(
        'store-unavailable',
        'The database cannot be reached right now, so nothing was saved. Please try again in a minute.',
      );
    }
    throw e;
  }
}

const FIND_BATCH = 500;

export class MongoDocCollection<T extends Doc> implements DocCollection<T> {
  /** Concurrent inserts share one write when `batching` is given (the votes: a storm's clicks). */
  readonly batcher: InsertBatcher | null;
  constructor(
    readonly raw: Collection<Document>,
    batching?: InsertBatching,
  ) {
    this.batcher = batching ? new InsertBatcher(raw, batching) : null;
  }
  findOne(filter: Filter) {
    return guard(async () => (await this.raw.findOne(filter)) as T | null);
  }
  find(filter: Filter) {
    // In batches: the driver decodes a reply in one go, and a poll's votes and members can number thousands;
    // batches of 500 keep each decoding step to a few milliseconds, so acknowledgements are not held up.
    return guard(
      async () => (await this.raw.find(filter, { batchSize: FIND_BATCH }).toArray()) as unknown as T[],
    );
  }
  insert(doc: T) {
    const { batcher } = this;
    return guard(async () => {
      if (batcher) await batcher.insert(doc as unknown as Document);
      else await this.raw.insertOne(doc as unknown as Document);
    });
  }
  async insertOrGet(doc: T) {
    try {
      return await guard(async () => {
        // One findAndModify: $setOnInsert writes nothing to a stored document; updatedExisting says which it was.
        const r = await this.raw.findOneAndUpdate(
          { _id: doc._id } as Filter,
          { $setOnInsert: withoutId(doc) },
          { upsert: true, returnDocument: 'after', includeResultMetadata: true },
        );
        if (!r.value) throw new Error(`findAndModify upsert of ${doc._id} returned no document`);
        // MongoDB says updatedExisting: false on an insert; mongo-java-server leaves lastErrorObject out then.
        return { doc: r.value as unknown as T, inserted: r.lastErrorObject?.updatedExisting !== true };
      });
    } catch (e) {
      // Two upserts of one new _id at once: the server may refuse the second with a duplicate key.
      if (!(e instanceof DuplicateKeyError)) throw e;
      const stored = await this.findOne({ _id: doc._id });
      if (!stored) throw e;
      return { doc: stored, inserted: false };
    }
  }
  update(filter: Filter, update: { $set: Partial<T> }, opts: { upsert?: boolean } = {}) {
    return guard(async () => {
      const r = await this.raw.updateOne(
        filter,
        { $set: withoutId(update.$set) },
        { upsert: opts.upsert ?? false },
      );
      return { matched: r.matchedCount };
    });
  }
  updateSet(filter: Filter, field: string, op: 'add' | 'pull', values: readonly string[]) {
    return guard(async () => {
      // Only where the array exists: $addToSet would create it on a document without one.
      const r = await this.raw.updateOne(
        { ...filter, [field]: { $exists: true } },
        setOperator(field, op, values) as Document,
      );
      return { matched: r.matchedCount };
    });
  }
  replace(filter: Filter, doc: T) {
    return guard(async () => {
      const r = await this.raw.replaceOne(filter, withoutId(doc));
      return { matched: r.matchedCount };
    });
  }
  count(filter: Filter) {
    return guard(() => this.raw.countDocuments(filter));
  }
  remove(filter: Filter) {
    return guard(async () => (await this.raw.deleteMany(filter)).deletedCount);
  }
}

function withoutId(doc: object): Document {
  const { _id, ...rest } = doc as Document;
  return rest;
}

/**
 * Production options: retryable reads and writes on (the driver's default; a replica set or Atlas retries a write
 * once across a failover), majority write concern so an acknowledged vote survives losing the primary, journaled.
 * The URI still decides where it says so (`?w=…`, `?retryWrites=…`): options given here would override it.
 */
export function productionOptions(o: MongoStoreOptions): MongoClientOptions {
  const params = new URL(o.uri.replace(/^mongodb(\+srv)?:/, 'http:')).searchParams;
  const has = (name: string) => [...params.keys()].some((k) => k.toLowerCase() === name.toLowerCase());
  return {
    maxPoolSize: o.maxPoolSize ?? 100,
    serverSelectionTimeoutMS: 5000,
    ...(has('retryWrites') ? {} : { retryWrites: true }),
    ...(has('retryReads') ? {} : { retryReads: true }),
    ...(has('w') || has('journal') || has('wtimeoutMS')
      ? {}
      : { writeConcern: { w: 'majority', journal: true } }),
  };
}

export interface MongoStoreOptions {
  uri: string;
  dbName?: string;
  /** Driver pool size; the default (100) suits a bot replica. */
  maxPoolSize?: number;
}

/** The production store: MongoDB through the official driver. No transactions, $lookup, change streams or TTL. */
export class MongoStore implements Store {
  readonly kind = 'mongodb';
  readonly districts: DocDistrictRepo;
  readonly members: DocMemberRepo;
  readonly reviews: DocReviewRepo;
  readonly votes: DocVoteRepo;
  readonly tallies: KvTallyRepo;
  readonly reflections: KvReflectionRepo;
  readonly activity1: KvActivity1Repo;
  readonly actions: KvActionRepo;
  readonly nudges: NudgeRepos;
  readonly plans: KvPlanRepo;
  readonly kv: DocKeyValueRepo;
  readonly networks: DocNetworkRepo;
  readonly db: Db;

  private constructor(
    private readonly client: MongoClient,
    dbName: string,
  ) {
    this.db = client.db(dbName);
    this.districts = new DocDistrictRepo(new MongoDocCollection(this.db.collection('districts')));
    this.members = new DocMemberRepo(new MongoDocCollection(this.db.collection('members')));
    this.reviews = new DocReviewRepo(new MongoDocCollection(this.db.collection('reviews')));
    this.votes = new DocVoteRepo(new MongoDocCollection(this.db.collection('votes'), VOTE_BATCHING));
    this.kv = new DocKeyValueRepo(new MongoDocCollection(this.db.collection('kv')));
    this.tallies = new KvTallyRepo(this.kv);
    this.networks = new DocNetworkRepo(new MongoDocCollection(this.db.collection('networks')), this.kv);
    this.reflections = new KvReflectionRepo(this.kv);
    this.activity1 = new KvActivity1Repo(this.kv);
    this.actions = new KvActionRepo(this.kv);
    this.nudges = kvNudgeRepos(this.kv);
    this.plans = new KvPlanRepo(this.kv);
  }

  static async connect(o: MongoStoreOptions): Promise<MongoStore> {
    const client = new MongoClient(o.uri, productionOptions(o));
    await guard(() => client.connect());
    const dbName =
      o.dbName ?? (new URL(o.uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.slice(1) || 'micip');
    return new MongoStore(client, dbName);
  }

  async init(): Promise<void> {
    await guard(async () => {
      await this.db.collection('districts').createIndex({ tenantId: 1, channelId: 1 }, { unique: true });
      await this.db.collection('members').createIndex({ tenantId: 1, districtId: 1 });
      await this.db.collection('reviews').createIndex({ tenantId: 1, districtId: 1 });
      // One vote per member per poll per round, whatever the application does.
      await this.db
        .collection('votes')
        .createIndex({ reviewId: 1, rowId: 1, round: 1, memberId: 1 }, { unique: true, name: 'one_vote' });
      await this.db.collection('votes').createIndex({ reviewId: 1, round: 1 });
      await this.db.collection('kv').createIndex({ ns: 1 });
      await this.db.collection('networks').createIndex({ code: 1 }, { unique: true });
      await this.db.collection('networks').createIndex({ memberKeys: 1 });
      await this.db.collection('networks').createIndex({ facilitatorKeys: 1 });
    });
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
