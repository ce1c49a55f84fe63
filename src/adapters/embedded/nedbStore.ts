import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import type { NudgeRepos } from '../../app/nudges/nudgePorts';
import type { Store } from '../../app/ports';
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
import { acquireDataDirLock, type DataDirLock } from './dataDirLock';

const isUniqueViolation = (e: unknown) =>
  (e as { errorType?: string } | null)?.errorType === 'uniqueViolated';

async function guard<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isUniqueViolation(e)) throw new DuplicateKeyError((e as Error).message);
    throw e;
  }
}

class NedbCollection<T extends Doc> implements DocCollection<T> {
  constructor(readonly ds: Datastore<Doc>) {}
  findOne(filter: Filter) {
    return guard(async () => ((await this.ds.findOneAsync(filter)) as T | null) ?? null);
  }
  find(filter: Filter) {
    return guard(async () => (await this.ds.findAsync(filter)) as unknown as T[]);
  }
  insert(doc: T) {
    return guard(async () => {
      await this.ds.insertAsync(doc);
    });
  }
  async insertOrGet(doc: T) {
    // In-process: an insert, and on a taken _id the stored document (no round trips to save).
    try {
      await this.insert(doc);
      return { doc, inserted: true };
    } catch (e) {
      if (!(e instanceof DuplicateKeyError)) throw e;
      const stored = await this.findOne({ _id: doc._id });
      if (!stored) throw e;
      return { doc: stored, inserted: false };
    }
  }
  update(filter: Filter, update: { $set: Partial<T> }, opts: { upsert?: boolean } = {}) {
    return guard(async () => {
      const r = await this.ds.updateAsync(filter, { $set: update.$set }, { upsert: opts.upsert ?? false });
      return { matched: r.upsert ? 0 : r.numAffected };
    });
  }
  updateSet(filter: Filter, field: string, op: 'add' | 'pull', values: readonly string[]) {
    return guard(async () => {
      // Only where the array exists: $addToSet would create it on a document without one.
      const r = await this.ds.updateAsync(
        { ...filter, [field]: { $exists: true } },
        setOperator(field, op, values),
        {},
      );
      return { matched: r.numAffected };
    });
  }
  replace(filter: Filter, doc: T) {
    return guard(async () => {
      const r = await this.ds.updateAsync(filter, doc, {});
      return { matched: r.numAffected };
    });
  }
  count(filter: Filter) {
    return guard(() => this.ds.countAsync(filter));
  }
  remove(filter: Filter) {
    return guard(() => this.ds.removeAsync(filter, { multi: true }));
  }
}

/**
 * The zero-configuration store: NeDB (@seald-io/nedb) files in `dir`, one per collection, append-only with
 * compaction on load. Used by `npm start` when MONGODB_URI is unset; data survives a restart.
 */
export class NedbStore implements Store {
  readonly kind = 'embedded';
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
  private readonly stores: Datastore<Doc>[] = [];

  constructor(private readonly dir: string | null) {
    const open = (name: string): Datastore<Doc> => {
      const ds = new Datastore<Doc>(
        dir ? { filename: path.join(dir, `${name}.db`) } : { inMemoryOnly: true },
      );
      this.stores.push(ds);
      return ds;
    };
    this.districtsDs = open('districts');
    this.membersDs = open('members');
    this.reviewsDs = open('reviews');
    this.votesDs = open('votes');
    this.kvDs = open('kv');
    this.networksDs = open('networks');
    this.districts = new DocDistrictRepo(new NedbCollection(this.districtsDs));
    this.members = new DocMemberRepo(new NedbCollection(this.membersDs));
    this.reviews = new DocReviewRepo(new NedbCollection(this.reviewsDs));
    this.votes = new DocVoteRepo(new NedbCollection(this.votesDs));
    this.kv = new DocKeyValueRepo(new NedbCollection(this.kvDs));
    this.tallies = new KvTallyRepo(this.kv);
    this.networks = new DocNetworkRepo(new NedbCollection(this.networksDs), this.kv);
    this.reflections = new KvReflectionRepo(this.kv);
    this.activity1 = new KvActivity1Repo(this.kv);
    this.actions = new KvActionRepo(this.kv);
    this.nudges = kvNudgeRepos(this.kv);
    this.plans = new KvPlanRepo(this.kv);
  }

  private readonly districtsDs: Datastore<Doc>;
  private readonly membersDs: Datastore<Doc>;
  private readonly reviewsDs: Datastore<Doc>;
  private readonly votesDs: Datastore<Doc>;
  private readonly kvDs: Datastore<Doc>;
  private readonly networksDs: Datastore<Doc>;

  private lock: DataDirLock | null = null;

  /**
   * Takes the folder's lock first (DataDirLockedError, with nothing read or written, when another process has it),
   * then loads the files and creates the indexes.
   */
  async init(): Promise<void> {
    if (this.dir && !this.lock) this.lock = acquireDataDirLock(this.dir);
    for (const ds of this.stores) await ds.loadDatabaseAsync();
    await this.districtsDs.ensureIndexAsync({ fieldName: ['tenantId', 'channelId'], unique: true });
    await this.membersDs.ensureIndexAsync({ fieldName: 'districtId' });
    await this.reviewsDs.ensureIndexAsync({ fieldName: 'districtId' });
    await this.votesDs.ensureIndexAsync({
      fieldName: ['reviewId', 'rowId', 'round', 'memberId'],
      unique: true,
    });
    await this.votesDs.ensureIndexAsync({ fieldName: 'reviewId' });
    await this.kvDs.ensureIndexAsync({ fieldName: 'ns' });
    await this.networksDs.ensureIndexAsync({ fieldName: 'code', unique: true });
  }

  /** The files are in this process: a count on the smallest collection shows the datastore still answers. */
  async ping(): Promise<void> {
    await this.districtsDs.countAsync({});
  }

  async close(): Promise<void> {
    if (!this.dir || !this.lock) return;
    try {
      for (const ds of this.stores) await ds.compactDatafileAsync();
    } finally {
      this.lock.release();
      this.lock = null;
    }
  }
}
