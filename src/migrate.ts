import * as path from 'node:path';
import { loadRubricCatalog } from './adapters/files/rubricCatalog';
import {
  MigrationError,
  type MigrationReport,
  migrateEmbeddedToMongo,
} from './adapters/migrate/embeddedToMongo';
import { readOptions } from './cliOptions';

/**
 * `npm run migrate -- --to mongodb://host:27017/micip [--from ./data] [--db micip]`: copies the embedded store
 * (DATA_DIR) into an empty MongoDB database and checks the copy. Exit codes: 0 copied and identical; 1 copied
 * but a check failed, or failed mid-copy (the target may hold a partial copy); 2 bad input, locked or unreadable
 * folder, unreachable or non-empty target (nothing written).
 */
export const USAGE =
  'Usage: npm run migrate -- --to mongodb://host:27017/dbname [--from <data folder>] [--db <database name>]\n' +
  '  --from  the embedded store folder (default: DATA_DIR, else ./data); it is read, never changed\n' +
  '  --to    the target MongoDB URI (default: MONGODB_URI); the database must be empty\n' +
  '  --db    the database name (default: MONGODB_DB, else the URI path, else micip)';

export interface MigrateArgs {
  from: string;
  to: string;
  db: string | undefined;
}

class UsageError extends Error {}

/** Parses `--name value` and `--name=value`; options fall back to DATA_DIR, MONGODB_URI and MONGODB_DB. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): MigrateArgs | 'help' {
  const read = readOptions(argv, ['from', 'to', 'db'], (m) => new UsageError(m));
  if (read === 'help') return 'help';
  const { given } = read;
  const to = given.to ?? env.MONGODB_URI?.trim() ?? '';
  if (!to) throw new UsageError('No target: give --to mongodb://host:27017/dbname (or set MONGODB_URI).');
  return {
    from: given.from ?? (env.DATA_DIR?.trim() || './data'),
    to,
    db: given.db ?? (env.MONGODB_DB?.trim() || undefined),
  };
}

const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The report as printed: counts per collection, what was checked, then OK or the differences. */
export function formatReport(r: MigrationReport): string[] {
  const out = [`Embedded store ${r.from} → database "${r.db}" at ${r.target}`];
  out.push(`  ${'collection'.padEnd(10)} ${'embedded'.padStart(9)} ${'MongoDB'.padStart(9)}`);
  for (const c of r.collections) {
    const mark = c.source === c.target ? '' : '  ← differs';
    out.push(`  ${c.name.padEnd(10)} ${String(c.source).padStart(9)} ${String(c.target).padStart(9)}${mark}`);
  }
  out.push(
    `Checked: ${n(r.documentsCompared, 'document')} identical; vote counts of ${n(r.voteGroupsChecked, '(review, row, round) group')} ` +
      `equal; results of ${n(r.reviewsChecked, 'review')} and dashboards of ${n(r.districtsChecked, 'district')} identical.`,
  );
  if (r.lockNote) out.push(r.lockNote);
  const secs = `${(r.elapsedMs / 1000).toFixed(1)} s`;
  if (r.ok) {
    out.push(`OK (${secs}); the embedded folder is unchanged.`);
  } else {
    out.push(`MISMATCH (${secs}): ${r.problems.length} difference(s):`);
    for (const p of r.problems.slice(0, 20)) out.push(`  - ${p}`);
    if (r.problems.length > 20) out.push(`  … and ${r.problems.length - 20} more.`);
  }
  return out;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  let args: MigrateArgs | 'help';
  try {
    args = parseArgs(argv, env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`migrate: ${e.message} (npm run migrate -- --help for the options)`);
    return 2;
  }
  if (args === 'help') {
    out(USAGE);
    return 0;
  }
  try {
    const rubricsDir = env.RUBRICS_DIR?.trim() || path.join(__dirname, '..', 'rubrics');
    let rubrics: ReturnType<typeof loadRubricCatalog>;
    try {
      rubrics = loadRubricCatalog(rubricsDir);
    } catch (e) {
      throw new MigrationError(`Cannot load the rubrics in ${rubricsDir}: ${(e as Error).message}`, true);
    }
    const report = await migrateEmbeddedToMongo({ ...args, rubrics });
    for (const line of formatReport(report)) out(line);
    return report.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof MigrationError)) throw e;
    err(`migrate: ${e.message}`);
    return e.nothingWritten ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e) => {
      console.error('migrate: unexpected error:', e);
      process.exit(1);
    },
  );
}
