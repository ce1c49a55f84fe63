import { type Collection, type Document, MongoBulkWriteError } from 'mongodb';
import { DuplicateKeyError } from '../docstore/collection';

/** MongoDB's error code for a duplicate key (a unique index or `_id` already holds the value). */
export const DUPLICATE_KEY = 11000;

interface Waiting {
  doc: Document;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** How many inserts may be on the wire at once, and how many documents one of them carries at most. */
export interface InsertBatching {
  maxInFlight: number;
  maxBatch: number;
}

/** Votes: two inserts on the wire at once; clicks that arrive meanwhile go together in the next one. */
export const VOTE_BATCHING: InsertBatching = { maxInFlight: 2, maxBatch: 256 };

/**
 * Group commit of one collection's inserts. A lone insert goes out at once, as `insertOne`; while `maxInFlight`
 * are on the wire, the inserts that arrive wait and then go together as one unordered `insertMany` (one command,
 * one write-concern wait, one reply instead of one each). Each caller is answered for its own document only: a
 * document the server refused (a duplicate `_id`) fails its own call with `DuplicateKeyError`, and the others of its
 * batch succeed; a batch that failed as a whole (network, write concern) fails every call of it, so no caller is
 * told a document was stored that may not be.
 */
export class InsertBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  /** Inserts sent and documents in them (for tests: are concurrent inserts sharing writes?). */
  readonly stats = { commands: 0, documents: 0 };

  constructor(
    private readonly raw: Collection<Document>,
    private readonly batching: InsertBatching,
  ) {}

  insert(doc: Document): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (this.inFlight < this.batching.maxInFlight) void this.send();
    });
  }

  private async send(): Promise<void> {
    const batch = this.queue.splice(0, this.batching.maxBatch);
    if (batch.length === 0) return;
    this.inFlight++;
    this.stats.commands++;
    this.stats.documents += batch.length;
    try {
      if (batch.length === 1) await this.one(batch[0] as Waiting);
      else await this.many(batch);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) void this.send();
    }
  }

  private async one(w: Waiting): Promise<void> {
    try {
      await this.raw.insertOne(w.doc);
      w.resolve();
    } catch (e) {
      w.reject(e);
    }
  }

  private async many(batch: Waiting[]): Promise<void> {
    try {
      await this.raw.insertMany(
        batch.map((w) => w.doc),
        { ordered: false },
      );
    } catch (e) {
      const refused = perDocumentErrors(e);
      if (!refused) {
        for (const w of batch) w.reject(e);
        return;
      }
      batch.forEach((w, i) => {
        const err = refused.get(i);
        if (!err) w.resolve();
        else if (err.code === DUPLICATE_KEY) w.reject(new DuplicateKeyError(err.errmsg));
        else w.reject(new Error(`insert refused (code ${err.code}): ${err.errmsg ?? ''}`));
      });
      return;
    }
    for (const w of batch) w.resolve();
  }
}

/**
 * The documents an unordered insertMany refused, by index, when that is all that went wrong; null when the batch
 * failed as a whole (not a bulk write error, no per-document error, or a write-concern error: then even the
 * documents not refused are not known to be durable).
 */
function perDocumentErrors(e: unknown): Map<number, { code?: number; errmsg?: string }> | null {
  if (!(e instanceof MongoBulkWriteError)) return null;
  const list = e.writeErrors as unknown;
  const errors = (Array.isArray(list) ? list : list ? [list] : []) as Array<{
    index: number;
    code?: number;
    errmsg?: string;
  }>;
  if (errors.length === 0) return null;
  if (e.result?.getWriteConcernError?.()) return null;
  return new Map(errors.map((w) => [w.index, w]));
}
