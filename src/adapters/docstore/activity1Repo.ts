import type { Activity1Repo, KeyValueRepo } from '../../app/ports';
import type { Activity1, Activity1Pick } from '../../domain/activity1';
import { DomainError } from '../../domain/errors';

/**
 * Activity 1 records over the key-value repo (stored layout; existing records live under it):
 * - `activity1:<tenant>|<district>` (each part URI-encoded) → the district's Activity 1s, keyed by id;
 * - `activity1-pick:<activity id>` → one pick per person, keyed by their id (a new pick replaces it).
 * Times are stored as ISO strings.
 */
export const ACTIVITY1_NS = (tenantId: string, districtId: string) =>
  `activity1:${encodeURIComponent(tenantId)}|${encodeURIComponent(districtId)}`;
export const ACTIVITY1_PICKS_NS = (activityId: string) => `activity1-pick:${activityId}`;

type Stored<T> = Omit<T, 'startedAt' | 'at'> & { startedAt?: string; at?: string };

const toActivity = (v: Stored<Activity1>): Activity1 => ({
  ...v,
  startedAt: new Date(v.startedAt as string),
});

export class KvActivity1Repo implements Activity1Repo {
  constructor(private readonly kv: KeyValueRepo) {}

  async create(a: Activity1) {
    const ok = await this.kv.putIfAbsent(ACTIVITY1_NS(a.tenantId, a.districtId), a.id, {
      ...a,
      startedAt: a.startedAt.toISOString(),
    });
    if (!ok) throw new DomainError('conflict', 'That Activity 1 already exists.');
  }

  async save(a: Activity1) {
    await this.kv.put(ACTIVITY1_NS(a.tenantId, a.districtId), a.id, {
      ...a,
      startedAt: a.startedAt.toISOString(),
    });
  }

  async get(tenantId: string, districtId: string, id: string) {
    const v = await this.kv.get<Stored<Activity1>>(ACTIVITY1_NS(tenantId, districtId), id);
    return v ? toActivity(v) : null;
  }

  async latest(tenantId: string, districtId: string) {
    const all = (await this.kv.list<Stored<Activity1>>(ACTIVITY1_NS(tenantId, districtId))).map((r) =>
      toActivity(r.value),
    );
    all.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1));
    return all[0] ?? null;
  }

  async forReview(tenantId: string, districtId: string, reviewId: string) {
    const all = await this.kv.list<Stored<Activity1>>(ACTIVITY1_NS(tenantId, districtId));
    const found = all.find((r) => r.value.reviewId === reviewId);
    return found ? toActivity(found.value) : null;
  }

  async putPick(activityId: string, pick: Activity1Pick) {
    await this.kv.put(ACTIVITY1_PICKS_NS(activityId), pick.memberId, { ...pick, at: pick.at.toISOString() });
  }

  async listPicks(activityId: string) {
    const stored = await this.kv.list<Stored<Activity1Pick>>(ACTIVITY1_PICKS_NS(activityId));
    return stored
      .map(({ value: v }) => ({ ...v, at: new Date(v.at as string) }))
      .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.memberId < b.memberId ? -1 : 1));
  }
}
