/** The update document of `updateSet`: MongoDB's and NeDB's array operators (both spell them alike). */
export function setOperator(field: string, op: 'add' | 'pull', values: readonly string[]) {
  return op === 'add'
    ? { $addToSet: { [field]: { $each: [...values] } } }
    : { $pull: { [field]: { $in: [...values] } } };
}

/**
 * The few document operations the repositories need, so that one implementation of the repositories serves
 * both MongoDB (production) and the embedded file store. Filters use equality, `$lt` and `$exists` only: what MongoDB,
 * FerretDB v1, mongo-java-server and NeDB all support.
 */
export type Filter = Record<string, unknown>;

export interface Doc {
  _id: string;
}

export interface DocCollection<T extends Doc> {
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter): Promise<T[]>;
  /** Throws DuplicateKeyError when `_id` or a unique index is taken. */
  insert(doc: T): Promise<void>;
  /**
   * Inserts `doc` unless a document with its `_id` is stored, in one round trip: the stored document either way,
   * and whether this call inserted it (of concurrent calls for one `_id`, exactly one did).
   */
  insertOrGet(doc: T): Promise<{ doc: T; inserted: boolean }>;
  /** `$set`, optionally upserting; returns how many documents matched. Throws DuplicateKeyError. */
  update(
    filter: Filter,
    update: { $set: Partial<T> },
    opts?: { upsert?: boolean },
  ): Promise<{ matched: number }>;
  /**
   * Adds each value to the array `field` unless there (`$addToSet` with `$each`) or takes them out (`$pull` with
   * `$in`) of the one document matching `filter`; a document without the field is left as it is. Returns how many
   * documents matched.
   */
  updateSet(
    filter: Filter,
    field: string,
    op: 'add' | 'pull',
    values: readonly string[],
  ): Promise<{ matched: number }>;
  /** Replaces the document matching `filter` (no upsert); returns how many matched. */
  replace(filter: Filter, doc: T): Promise<{ matched: number }>;
  count(filter: Filter): Promise<number>;
  /** Removes every document matching `filter`; returns how many. */
  remove(filter: Filter): Promise<number>;
}

export class DuplicateKeyError extends Error {
  constructor(message = 'duplicate key') {
    super(message);
    this.name = 'DuplicateKeyError';
  }
}
