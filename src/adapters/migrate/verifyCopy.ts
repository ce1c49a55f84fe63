import type { RubricCatalog, Store } from '../../app/ports';
import { ResultsService } from '../../app/reviews/results';
import type { Review } from '../../domain/review';
import type { Doc } from '../docstore/collection';
import type { MongoStore } from '../mongo/mongoStore';
import {
  COLLECTIONS,
  type CollectionCount,
  type CollectionName,
  type MigrationReport,
  messageOf,
} from './migration';

/**
 * Checking a copy: the embedded store's documents against the MongoDB database, collection by collection and
 * field by field, then through both stores' read paths (votes per row, each review's results, each dashboard).
 */

type Checks = Pick<
  MigrationReport,
  | 'collections'
  | 'documentsCompared'
  | 'voteGroupsChecked'
  | 'reviewsChecked'
  | 'districtsChecked'
  | 'problems'
>;

export async function verify(
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
