import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Document, MongoClient } from 'mongodb';
import type { Doc } from '../docstore/collection';
import { acquireDataDirLock, type DataDirLock, DataDirLockedError } from '../embedded/dataDirLock';
import { NedbStore } from '../embedded/nedbStore';
import { MongoStore } from '../mongo/mongoStore';
import { hashFiles, readEmbedded, sourceFiles } from './embeddedSource';
import {
  COLLECTIONS,
  type CollectionName,
  type MigrateOptions,
  MigrationError,
  type MigrationReport,
  messageOf,
  redactUri,
  refuse,
} from './migration';
import { verify } from './verifyCopy';

/**
 * `npm run migrate`: copies the embedded store into an empty MongoDB database and checks the copy. This file runs
 * it (checks the input, locks the folder, copies, writes); reading the folder is in ./embeddedSource, checking the
 * copy in ./verifyCopy (its firstDifference is re-exported here), and the options, report and error in
 * ./migration (re-exported here).
 */

export {
  COLLECTIONS,
  type CollectionCount,
  type CollectionName,
  type MigrateOptions,
  MigrationError,
  type MigrationReport,
  redactUri,
} from './migration';
export { firstDifference } from './verifyCopy';

const INSERT_BATCH = 1000;
const MONGO_URI = /^mongodb(\+srv)?:\/\/.+/;

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
