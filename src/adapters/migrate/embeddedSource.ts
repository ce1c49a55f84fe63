import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Datastore from '@seald-io/nedb';
import type { Doc } from '../docstore/collection';
import { COLLECTIONS, type CollectionName, refuse } from './migration';

/** Reading the embedded store's folder: which files it holds, their hashes, and their documents (read only). */

/** The data files of the folder, by collection (absent collections are left out). Refuses a folder without any. */
export function sourceFiles(dir: string): Map<CollectionName, string> {
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

export function hashFiles(dir: string, files: Map<CollectionName, string>): Map<string, string> {
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
export async function readEmbedded(dir: string): Promise<Map<CollectionName, Doc[]>> {
  const out = new Map<CollectionName, Doc[]>();
  for (const name of COLLECTIONS) {
    const ds = new Datastore<Doc>({ filename: path.join(dir, `${name}.db`) });
    await ds.loadDatabaseAsync();
    out.set(name, (await ds.findAsync({})) as Doc[]);
  }
  return out;
}
