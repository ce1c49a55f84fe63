import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { type Document, MongoClient } from 'mongodb';
import type { RubricCatalog, Store } from '../../app/ports';
import { ResultsService } from '../../app/results';
import type { Review } from '../../domain/review';
import type { Doc } from '../docstore/collection';
import { acquireDataDirLock, type DataDirLock, DataDirLockedError } from '../embedded/dataDirLock';
import { NedbStore } from '../embedded/nedbStore';
import { MongoStore } from '../mongo/mongoStore';

/** The embedded store's datastores, one `<name>.db` file each, and the MongoDB collections of the same names. */
export const COLLECTIONS = ['districts', 'members', 'reviews', 'votes', 'kv'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

const INSERT_BATCH = 1000;
const MONGO_URI = /^mongodb(\+srv)?:\/\/.+/;

export interface MigrateOptions {
  /** The embedded store's folder (DATA_DIR). It is read, never written: a copy of its files is loaded. */
  from: string;
  /** mongodb:// or mongodb+srv:// URI of the target. */
  to: string;
  /** Database name; default: the URI's path, else `micip` (as MongoStore.connect). */
  db?: string;
  /** Rubrics used to compute each review's results on both stores. */
  rubrics: RubricCatalog;
  /** Where the working copy of the files goes (default: the OS temp folder); removed afterwards. */
  workDir?: string;
}

export interface CollectionCount {
  name: CollectionName;
  source: number;
  target: number;
}

export interface MigrationReport {
  from: string;
  /** The target URI with any password hidden. */
  target: string;
  db: string;
  collections: CollectionCount[];
  /** Documents found identical (field by field) in both stores. */
  documentsCompared: number;
  /** (review, row, round) groups whose vote count is equal on both stores' read paths. */
  voteGroupsChecked: number;
  /** Reviews whose stored review and computed results are identical on both stores. */
  reviewsChecked: number;
  /** Districts whose dashboard is identical on both stores. */
  districtsChecked: number;
  /** The source files hash the same after the migration as before it. */
  sourceUnchanged: boolean;
  /** Set when the folder could not be locked because it is read-only (no server can write there either). */
  lockNote: string | null;
  /** Every difference found; empty when the copy is faithful. */
  problems: string[];
  ok: boolean;
  elapsedMs: number;
}

/**
 * Migration refused or failed. `nothingWritten` is true when the target was not touched (bad input, locked or
 * unreadable source, unreachable or non-empty target); false when a partial copy may be left in the target.
 */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly nothingWritten: boolean,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

const refuse = (message: string) => new MigrationError(message, true);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The URI with the password (if any) replaced by ***, for printing. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_m, scheme: string, cred: string) => {
    const user = cred.split(':')[0] ?? '';
    return `${scheme}${cred.includes(':') ? `${user}:***` : user}@`;
  });
}

/** The data files of the folder, by collection (absent collections are left out). Refuses a folder without any. */
function sourceFiles(dir: string): Map<CollectionName, string> {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw refuse(`The folder ${dir} does not exist.`);
  if (!stat.isDirectory()) throw refuse(`${dir} is not a folder.`);
  const files = new Map<CollectionName, string>();
  for (const name of COLLECTIONS) {
    // NeDB writes `<name>.db~` first and renames it; a crash in between leaves only the `~` file, which NeDB
    // then loads. Take the same file NeDB would.
    for (const f of [`${name}.db`, `${name}.db~`]) {
      if (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.isFile()) {
        files.set(name, f);
        break;
      }
    }
  }
  if (files.size === 0) {
    throw refuse(
      `The folder ${dir} holds no embedded store: none of ${COLLECTIONS.map((n) => `${n}.db`).join(', ')}.`,
    );
  }
  return files;
}

function hashFiles(dir: string, files: Map<CollectionName, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files.values()) {
    out.set(
      f,
      createHash('sha256')
        .update(fs.readFileSync(path.join(dir, f)))
        .digest('hex'),
    );
  }
  return out;
}

/** Every document of every datastore of the working copy, as NeDB loads it (dates as Date). */
async function readEmbedded(dir: string): Promise<Map<CollectionName, Doc[]>> {
  const out = new Map<CollectionName, Doc[]>();
  for (const name of COLLECTIONS) {
    const ds = new Datastore<Doc>({ filename: path.join(dir, `${name}.db`) });
    await ds.loadDatabaseAsync();
    out.set(name, (await ds.findAsync({})) as Doc[]);
  }
  return out;
}

/**
 * Copies the embedded store in `o.from` into an empty MongoDB database and checks the copy: counts per
 * collection, every document field by field, the number of votes per (review, row, round) through both stores'
 * read paths, and each review's results and each district's dashboard as the app computes them. The folder is
 * locked for the whole run (a server cannot write meanwhile) and never written: its files are copied to a
 * working folder and the copy is loaded.
 *
 * Throws MigrationError for bad input, a locked or unreadable folder, an unreachable or non-empty target
 * (nothing written), or a failure mid-copy. Differences found by the checks are returned in the report.
 */
export function migrateEmbeddedToMongo(o: MigrateOptions): Promise<MigrationReport> {
  return run(o, 'copy');
}

/** The same checks as after a migration, of a database migrated earlier; writes nothing anywhere. */
export function checkEmbeddedAgainstMongo(o: MigrateOptions): Promise<MigrationReport> {
  return run(o, 'check');
}

async function run(o: MigrateOptions, mode: 'copy' | 'check'): Promise<MigrationReport> {
  const started = Date.now();
  if (!o.to) throw refuse('No target: give --to mongodb://host:27017/dbname (or set MONGODB_URI).');
  if (!MONGO_URI.test(o.to)) {
    throw refuse(
      `The target ${redactUri(o.to)} is not a MongoDB URI: it must start with mongodb:// or mongodb+srv://.`,
    );
  }
  const target = redactUri(o.to);
  try {
    new MongoClient(o.to); // parses the URI and its options; connects nothing
  } catch (e) {
    throw refuse(`The target ${target} is not a valid MongoDB URI: ${messageOf(e)}`);
  }
  const from = path.resolve(o.from);
  const files = sourceFiles(from);

  let lock: DataDirLock | null = null;
  let lockNote: string | null = null;
  try {
    lock = acquireDataDirLock(from);
  } catch (e) {
    if (e instanceof DataDirLockedError) throw refuse(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EROFS' && code !== 'EACCES') {
      throw refuse(`Cannot lock the folder ${from}: ${messageOf(e)}`);
    }
    lockNote = `The folder ${from} is read-only, so it was not locked (no server can write there either).`;
  }

  let work: string | null = null;
  let source: NedbStore | null = null;
  let mongo: MongoStore | null = null;
  let phase: 'prepare' | 'copy' | 'verify' = 'prepare';
  let db = o.db ?? '?';
  try {
    work = fs.mkdtempSync(path.join(o.workDir ?? os.tmpdir(), 'micip-migrate-'));
    const before = hashFiles(from, files);
    for (const f of files.values()) fs.copyFileSync(path.join(from, f), path.join(work, f));

    let docs: Map<CollectionName, Doc[]>;
    try {
      source = new NedbStore(work);
      await source.init();
      docs = await readEmbedded(work);
    } catch (e) {
      throw refuse(`Cannot read the embedded store in ${from}: ${messageOf(e)}`);
    }

    try {
      mongo = await MongoStore.connect({ uri: o.to, dbName: o.db || undefined });
    } catch (e) {
      throw refuse(`Cannot connect to ${target}: ${messageOf(e)}`);
    }
    db = mongo.db.databaseName;

    if (mode === 'copy') {
      const nonEmpty: string[] = [];
      for (const name of COLLECTIONS) {
        const n = await mongo.db.collection(name).countDocuments({});
        if (n > 0) nonEmpty.push(`${name}: ${n}`);
      }
      if (nonEmpty.length) {
        throw refuse(
          `The target database "${db}" at ${target} is not empty (${nonEmpty.join(', ')}), so nothing was copied. ` +
            'Migrate into an empty database, or drop this one first if it holds an earlier attempt.',
        );
      }
      phase = 'copy';
      await mongo.init();
      for (const name of COLLECTIONS) {
        const all = docs.get(name) ?? [];
        for (let i = 0; i < all.length; i += INSERT_BATCH) {
          await mongo.db
            .collection(name)
            .insertMany(all.slice(i, i + INSERT_BATCH) as unknown as Document[], { ordered: true });
        }
      }
    }

    phase = 'verify';
    const checks = await verify(source, mongo, docs, o.rubrics);
    const after = hashFiles(from, files);
    const sourceUnchanged = [...before].every(([f, h]) => after.get(f) === h);
    if (!sourceUnchanged) checks.problems.push(`The source files in ${from} changed during the migration.`);
    return {
      from,
      target,
      db,
      ...checks,
      sourceUnchanged,
      lockNote,
      ok: checks.problems.length === 0,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    if (e instanceof MigrationError) throw e;
    if (phase === 'prepare' || mode === 'check') {
      throw refuse(
        `The migration ${mode === 'check' ? 'check ' : ''}failed before anything was written: ${messageOf(e)}`,
      );
    }
    throw new MigrationError(
      `The migration failed while ${phase === 'copy' ? 'copying into' : 'checking'} database "${db}" at ${target}: ` +
        `${messageOf(e)}. That database may hold a partial copy: drop it before running the migration again.`,
      false,
    );
  } finally {
    await source?.close().catch(() => undefined);
    await mongo?.close().catch(() => undefined);
    lock?.release();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}

type Checks = Pick<
  MigrationReport,
  | 'collections'
  | 'documentsCompared'
  | 'voteGroupsChecked'
  | 'reviewsChecked'
  | 'districtsChecked'
  | 'problems'
>;

async function verify(
  source: Store,
  mongo: MongoStore,
  docs: Map<CollectionName, Doc[]>,
  rubrics: RubricCatalog,
): Promise<Checks> {
  const problems: string[] = [];
  const collections: CollectionCount[] = [];
  let documentsCompared = 0;

  // Counts, then every document field by field.
  for (const name of COLLECTIONS) {
    const mine = docs.get(name) ?? [];
    const theirs = (await mongo.db
      .collection(name)
      .find({}, { batchSize: 1000 })
      .toArray()) as unknown as Doc[];
    collections.push({ name, source: mine.length, target: theirs.length });
    if (mine.length !== theirs.length) {
      problems.push(`${name}: ${mine.length} documents in the embedded store, ${theirs.length} in MongoDB.`);
    }
    const byId = new Map(theirs.map((d) => [String(d._id), d]));
    for (const d of mine) {
      const other = byId.get(d._id);
      const diff = other ? firstDifference(d, other) : 'missing in MongoDB';
      if (diff) problems.push(`${name} ${d._id}: ${diff}`);
      else documentsCompared++;
    }
  }

  // Votes per (review, row, round), through each store's read path.
  const groups = new Map<string, { reviewId: string; rowId: string; round: number; n: number }>();
  for (const v of (docs.get('votes') ?? []) as unknown as Array<{
    reviewId: string;
    rowId: string;
    round: number;
  }>) {
    const key = JSON.stringify([v.reviewId, v.rowId, v.round]);
    const g = groups.get(key) ?? { reviewId: v.reviewId, rowId: v.rowId, round: v.round, n: 0 };
    g.n++;
    groups.set(key, g);
  }
  let voteGroupsChecked = 0;
  for (const g of groups.values()) {
    const [a, b] = await Promise.all([
      source.votes.listRow(g.reviewId, g.rowId, g.round),
      mongo.votes.listRow(g.reviewId, g.rowId, g.round),
    ]);
    if (a.length !== g.n || b.length !== g.n) {
      problems.push(
        `votes of review ${g.reviewId}, row ${g.rowId}, round ${g.round}: ${a.length} in the embedded store, ${b.length} in MongoDB.`,
      );
    } else voteGroupsChecked++;
  }

  // Each review as stored and its results as the app computes them; each district's dashboard.
  const clock = { now: () => new Date() };
  const results = [source, mongo].map((store) => new ResultsService({ store, rubrics, clock }));
  let reviewsChecked = 0;
  const districts = new Map<string, { tenantId: string; districtId: string }>();
  for (const doc of (docs.get('reviews') ?? []) as unknown as Review[]) {
    districts.set(JSON.stringify([doc.tenantId, doc.districtId]), {
      tenantId: doc.tenantId,
      districtId: doc.districtId,
    });
    const [a, b] = await Promise.all([source.reviews.get(doc.id), mongo.reviews.get(doc.id)]);
    const diff = !a || !b ? `missing in ${a ? 'MongoDB' : 'the embedded store'}` : firstDifference(a, b);
    if (diff || !a || !b) {
      problems.push(`review ${doc.id}: ${diff}`);
      continue;
    }
    const [ra, rb] = await Promise.all(results.map((s, i) => attempt(() => s.resultsOf(i ? b : a))));
    const rdiff = attemptDifference(ra, rb);
    if (rdiff) problems.push(`results of review ${doc.id}: ${rdiff}`);
    else reviewsChecked++;
  }
  for (const doc of (docs.get('districts') ?? []) as unknown as Array<{ tenantId: string; id: string }>) {
    districts.set(JSON.stringify([doc.tenantId, doc.id]), { tenantId: doc.tenantId, districtId: doc.id });
  }
  let districtsChecked = 0;
  for (const d of districts.values()) {
    const [a, b] = await Promise.all(
      results.map((s) => attempt(() => s.dashboard(d.tenantId, d.districtId))),
    );
    const diff = attemptDifference(a, b);
    if (diff) problems.push(`dashboard of district ${d.districtId}: ${diff}`);
    else districtsChecked++;
  }

  return { collections, documentsCompared, voteGroupsChecked, reviewsChecked, districtsChecked, problems };
}

type Attempt<T> = { value: T } | { error: string };

/** The value, or the error's message: a computation that fails the same way on both stores is equal. */
async function attempt<T>(f: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: messageOf(e) };
  }
}

function attemptDifference<T>(a: Attempt<T> | undefined, b: Attempt<T> | undefined): string | null {
  if (a && b && 'error' in a !== 'error' in b) {
    return 'error' in a
      ? `fails on the embedded store only: ${a.error}`
      : `fails on MongoDB only: ${(b as { error: string }).error}`;
  }
  return firstDifference(a, b);
}

const show = (v: unknown): string => {
  const s = v instanceof Date ? v.toISOString() : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Where `a` (embedded) and `b` (MongoDB) first differ, as "path: a ≠ b"; null when equal (key order aside). */
export function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  const here = at || '(value)';
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return `${here}: ${show(a)} ≠ ${show(b)}`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return `${here}: ${a.constructor?.name ?? 'object'} ≠ ${b.constructor?.name ?? 'object'}`;
  }
  if (a instanceof Date) {
    return a.getTime() === (b as Date).getTime() ? null : `${here}: ${show(a)} ≠ ${show(b)}`;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return `${here}: ${a.length} items ≠ ${bb.length} items`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], bb[i], `${at}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    const p = at ? `${at}.${k}` : k;
    if (!(k in bo)) return `${p}: missing in MongoDB`;
    if (!(k in ao)) return `${p}: only in MongoDB`;
    const d = firstDifference(ao[k], bo[k], p);
    if (d) return d;
  }
  return null;
}
