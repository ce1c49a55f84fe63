import * as fs from 'node:fs';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import { MongoClient } from 'mongodb';
import {
  type CheckResult,
  type CollectionName,
  checkStore,
  type Finding,
  type PlainDoc,
  type StoreDocuments,
} from './adapters/doctor/checks';
import { COLLECTIONS, redactUri } from './adapters/migrate/embeddedToMongo';
import { readOptions } from './cliOptions';
import { readSettings } from './config';

/**
 * `npm run doctor -- [--mongo <uri> [--db <name>] | --data <folder>] [--json]`: a read-only consistency check of a
 * live store (src/adapters/doctor/checks.ts says what is checked). Exit codes: 0 no problem found (warnings may be
 * printed); 1 problems found; 2 could not check (bad input, unreachable database, unreadable folder), in one line.
 *
 * Read-only: MongoDB is only read with `find`; the embedded store's files are only read (fs.readFileSync) and
 * parsed in memory by NeDB's own parser, never opened as a datastore (loading one rewrites its file), and its lock
 * is not taken, so a running server is not disturbed.
 */
export const USAGE =
  'Usage: npm run doctor -- [--mongo mongodb://host:27017/dbname [--db <name>] | --data <folder>] [--json]\n' +
  '  --mongo  the MongoDB URI (default: MONGODB_URI)\n' +
  '  --db     the database name (default: MONGODB_DB, else the URI path, else micip)\n' +
  '  --data   the embedded store folder (default: DATA_DIR, else ./data; used when no MongoDB URI is given)\n' +
  '  --json   print the report as JSON\n' +
  'Reads only. Exit 0: no problem found; 1: problems found; 2: could not check (bad input, unreachable).';

const MONGO_URI = /^mongodb(\+srv)?:\/\/.+/;

export type DoctorSource =
  | { kind: 'mongodb'; uri: string; db: string | undefined }
  | { kind: 'embedded'; dir: string };

export interface DoctorArgs {
  source: DoctorSource;
  json: boolean;
}

/** Bad input or an unreachable/unreadable store: exit 2, one line. */
export class DoctorInputError extends Error {}
/** A wrong command line: the line also points to --help. */
class UsageError extends DoctorInputError {}

/**
 * Parses `--name value` and `--name=value`; without --mongo or --data, the store the app would use: MONGODB_URI
 * (+ MONGODB_DB) when set, else DATA_DIR (default ./data).
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DoctorArgs | 'help' {
  const read = readOptions(argv, ['mongo', 'db', 'data'], (m) => new UsageError(m), ['json']);
  if (read === 'help') return 'help';
  const { given } = read;
  const json = read.flags.has('json');
  if (given.mongo !== undefined && given.data !== undefined) {
    throw new UsageError('Give either --mongo or --data, not both.');
  }
  const uri = given.data === undefined ? (given.mongo ?? env.MONGODB_URI?.trim() ?? '') : '';
  if (uri) {
    return { source: { kind: 'mongodb', uri, db: given.db ?? (env.MONGODB_DB?.trim() || undefined) }, json };
  }
  if (given.db !== undefined) throw new UsageError('--db applies to a MongoDB store (--mongo) only.');
  return { source: { kind: 'embedded', dir: given.data ?? (env.DATA_DIR?.trim() || './data') }, json };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A store opened for reading: `read` returns every document of the five collections. */
interface Reader {
  /** "MongoDB database "micip" at mongodb://host:27017/" or "embedded store /srv/data". */
  readonly where: string;
  read(): Promise<StoreDocuments>;
  close(): Promise<void>;
}

function noDocuments(docs: StoreDocuments): boolean {
  return COLLECTIONS.every((name) => docs[name].length === 0);
}

async function openMongo(
  s: Extract<DoctorSource, { kind: 'mongodb' }>,
  serverSelectionTimeoutMS: number,
): Promise<Reader> {
  const shown = redactUri(s.uri);
  if (!MONGO_URI.test(s.uri)) {
    throw new DoctorInputError(
      `${shown} is not a MongoDB URI: it must start with mongodb:// or mongodb+srv://.`,
    );
  }
  let client: MongoClient;
  let dbName: string;
  try {
    client = new MongoClient(s.uri, { serverSelectionTimeoutMS, appName: 'micip-doctor' });
    dbName = s.db ?? (new URL(s.uri.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.slice(1) || 'micip');
  } catch (e) {
    throw new DoctorInputError(`${shown} is not a valid MongoDB URI: ${messageOf(e)}`);
  }
  try {
    await client.connect();
  } catch (e) {
    await client.close().catch(() => undefined);
    throw new DoctorInputError(`Cannot connect to ${shown}: ${messageOf(e)}`);
  }
  const db = client.db(dbName);
  const where = `MongoDB database "${dbName}" at ${shown}`;
  return {
    where,
    async read() {
      const docs = {} as Record<CollectionName, PlainDoc[]>;
      for (const name of COLLECTIONS) {
        try {
          docs[name] = (await db.collection(name).find({}, { batchSize: 1000 }).toArray()) as PlainDoc[];
        } catch (e) {
          throw new DoctorInputError(`Cannot read ${name} in ${where}: ${messageOf(e)}`);
        }
      }
      if (noDocuments(docs)) {
        throw new DoctorInputError(
          `${where} holds no documents in ${COLLECTIONS.join(', ')}: nothing to check (wrong --db?).`,
        );
      }
      return docs;
    },
    close: () => client.close(),
  };
}

/** NeDB's parser of a data file (last line per _id wins, deletions applied), reached through an in-memory datastore. */
type TreatRawData = (raw: string) => Promise<{ data: PlainDoc[] }>;

function openEmbedded(s: Extract<DoctorSource, { kind: 'embedded' }>): Reader {
  const dir = path.resolve(s.dir);
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw new DoctorInputError(`The folder ${dir} does not exist.`);
  if (!stat.isDirectory()) throw new DoctorInputError(`${dir} is not a folder.`);
  const where = `embedded store ${dir}`;
  return {
    where,
    async read() {
      const docs = {} as Record<CollectionName, PlainDoc[]>;
      let found = 0;
      for (const name of COLLECTIONS) {
        // NeDB writes `<name>.db~` first and renames it; after a crash in between only the `~` file is left, and
        // NeDB loads that one. Read the same file NeDB would.
        const file = [`${name}.db`, `${name}.db~`]
          .map((f) => path.join(dir, f))
          .find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
        if (!file) {
          docs[name] = [];
          continue;
        }
        found++;
        try {
          const raw = fs.readFileSync(file, 'utf8');
          // NeDB ends every line it writes with \n: a last line without one is being appended right now.
          const complete = raw.slice(0, raw.lastIndexOf('\n') + 1);
          // An in-memory datastore touches no file; its parser is the one NeDB uses when it loads this file.
          const parser = new Datastore({ inMemoryOnly: true }).persistence as unknown as {
            treatRawData?: TreatRawData;
          };
          if (typeof parser.treatRawData !== 'function') {
            throw new Error('this version of @seald-io/nedb has no treatRawData parser');
          }
          docs[name] = (await parser.treatRawData.call(parser, complete)).data;
        } catch (e) {
          throw new DoctorInputError(`Cannot read ${file}: ${messageOf(e)}`);
        }
      }
      if (found === 0) {
        throw new DoctorInputError(
          `The folder ${dir} holds no embedded store: none of ${COLLECTIONS.map((n) => `${n}.db`).join(', ')}.`,
        );
      }
      if (noDocuments(docs)) {
        throw new DoctorInputError(`The ${where} holds no documents: nothing to check.`);
      }
      return docs;
    },
    close: async () => undefined,
  };
}

async function openReader(source: DoctorSource, o: DoctorOptions): Promise<Reader> {
  return source.kind === 'mongodb'
    ? openMongo(source, o.serverSelectionTimeoutMS ?? 5000)
    : openEmbedded(source);
}

/** Every document of the five collections, read once (the same read-only path as the doctor's). */
export async function readStore(
  source: DoctorSource,
  o: DoctorOptions = {},
): Promise<{ where: string; docs: StoreDocuments }> {
  const reader = await openReader(source, o);
  try {
    return { where: reader.where, docs: await reader.read() };
  } finally {
    await reader.close().catch(() => undefined);
  }
}

export interface DoctorReport extends CheckResult {
  ok: boolean;
  store: { kind: DoctorSource['kind']; where: string };
  problems: number;
  warnings: number;
  /**
   * Findings seen in one of two reads but not the other: the store changed while it was read (a vote or a close in
   * flight). Not reported as findings. The second read happens only when the first one finds something.
   */
  transient: number;
  elapsedMs: number;
}

export interface DoctorOptions {
  /** How long to wait for a MongoDB server (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Pause before the confirming second read (default 1 s). */
  confirmDelayMs?: number;
}

const findingKey = (f: Finding) => JSON.stringify([f.check, f.severity, f.subject, f.detail]);

/**
 * Reads the store and checks it. On a live store an operation in flight (a vote being written as a round closes,
 * a close between two reads) can look like a problem for a moment, so when the first read finds anything the store
 * is read again after a pause and only findings seen both times are reported.
 */
export async function runDoctor(source: DoctorSource, o: DoctorOptions = {}): Promise<DoctorReport> {
  const started = Date.now();
  const reader = await openReader(source, o);
  try {
    const first = checkStore(await reader.read());
    let findings = first.findings;
    let transient = 0;
    if (findings.length > 0) {
      await new Promise((r) => setTimeout(r, o.confirmDelayMs ?? 1000));
      const again = checkStore(await reader.read()).findings;
      const seen = new Set(findings.map(findingKey));
      const confirmed = new Set(again.filter((f) => seen.has(findingKey(f))).map(findingKey));
      transient = findings.length + again.length - 2 * confirmed.size;
      findings = findings.filter((f) => confirmed.has(findingKey(f)));
    }
    const problems = findings.filter((f) => f.severity === 'problem').length;
    return {
      ok: problems === 0,
      store: { kind: source.kind, where: reader.where },
      documents: first.documents,
      checked: first.checked,
      findings,
      problems,
      warnings: findings.length - problems,
      transient,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await reader.close().catch(() => undefined);
  }
}

const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const MAX_SHOWN = 50;

/** The human report: what was read and checked, then OK or each finding. */
export function formatReport(r: DoctorReport): string[] {
  const d = r.documents;
  const c = r.checked;
  const out = [`Doctor: ${r.store.where} (read only, ${(r.elapsedMs / 1000).toFixed(1)} s)`];
  out.push(
    `Read: ${n(d.districts, 'district')}, ${n(d.members, 'member')}, ${n(d.reviews, 'review')}, ` +
      `${n(d.votes, 'vote')}, ${n(d.kv, 'kv record')}.`,
  );
  out.push(
    `Checked: ${n(c.roundResults, 'closed round result')} against the stored votes; ` +
      `${n(c.roundTallies, 'round tally record')} against the stored votes` +
      (c.closedRoundsWithoutTally ? ` (${c.closedRoundsWithoutTally} closed round(s) have none)` : '') +
      `; references of ${n(c.votes, 'vote')}, ${n(c.reviews, 'review')} and ${n(c.members, 'member')} ` +
      `to ${n(c.districts, 'district')}.`,
  );
  if (r.transient) {
    out.push(
      `${n(r.transient, 'finding')} seen in only one of two reads (the store changed while it was read) ` +
        'left out; run again if in doubt.',
    );
  }
  if (r.findings.length === 0) {
    out.push('OK: no problem found.');
    return out;
  }
  out.push(
    r.problems
      ? `PROBLEMS: ${n(r.problems, 'problem')}${r.warnings ? `, ${n(r.warnings, 'warning')}` : ''}:`
      : `OK, with ${n(r.warnings, 'warning')}:`,
  );
  for (const f of r.findings.slice(0, MAX_SHOWN)) {
    out.push(`  ${f.severity === 'problem' ? 'PROBLEM' : 'WARNING'} [${f.check}] ${f.subject}: ${f.detail}`);
  }
  if (r.findings.length > MAX_SHOWN)
    out.push(`  … and ${r.findings.length - MAX_SHOWN} more (--json lists all).`);
  return out;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  options: DoctorOptions = {},
): Promise<number> {
  try {
    const args = parseArgs(argv, env);
    if (args === 'help') {
      out(USAGE);
      return 0;
    }
    const report = await runDoctor(args.source, options);
    if (args.json) out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) out(line);
    return report.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof DoctorInputError) {
      err(
        `doctor: ${e.message}${e instanceof UsageError ? ' (npm run doctor -- --help for the options)' : ''}`,
      );
      return 2;
    }
    err(`doctor: could not check: ${messageOf(e).split('\n')[0]}`);
    return 2;
  }
}

if (require.main === module) {
  // The store the app would use: the environment, then .env (or ENV_FILE) for what it leaves unset, as `npm start`.
  let env: NodeJS.ProcessEnv;
  try {
    env = readSettings(process.env).env;
  } catch (e) {
    console.error(`doctor: ${messageOf(e)}`);
    process.exit(2);
  }
  main(process.argv.slice(2), env).then((code) => process.exit(code));
}
