import type { RubricCatalog } from '../../app/ports';

/** What `npm run migrate` is given and reports, its error, and the helpers its parts share. */

/** The embedded store's datastores, one `<name>.db` file each, and the MongoDB collections of the same names. */
export const COLLECTIONS = ['districts', 'members', 'reviews', 'votes', 'kv', 'networks'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

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

/** A refusal: nothing was written. */
export const refuse = (message: string) => new MigrationError(message, true);
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The URI with the password (if any) replaced by ***, for printing. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_m, scheme: string, cred: string) => {
    const user = cred.split(':')[0] ?? '';
    return `${scheme}${cred.includes(':') ? `${user}:***` : user}@`;
  });
}
