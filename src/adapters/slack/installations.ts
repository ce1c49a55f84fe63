import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import type { Clock, KeyValueRepo } from '../../app/ports';

export const INSTALLATIONS_NS = 'slack-installations';

const keyOf = (
  enterpriseId: string | undefined,
  teamId: string | undefined,
  isEnterprise: boolean,
): string => {
  if (isEnterprise && enterpriseId) return `E:${enterpriseId}`;
  if (teamId) return `T:${teamId}`;
  throw new Error('An installation needs a team or an enterprise id');
};
const keyOfQuery = (q: InstallationQuery<boolean>) => keyOf(q.enterpriseId, q.teamId, q.isEnterpriseInstall);
const keyOfInstallation = (inst: Installation) =>
  keyOf(inst.enterprise?.id, inst.team?.id, inst.isEnterpriseInstall === true);

/** An installation store that can also remove one (app_uninstalled, tokens_revoked). */
export type InstallationStoreWithDelete = InstallationStore &
  Required<Pick<InstallationStore, 'deleteInstallation'>>;

/** Bolt's installation store on the product's store (one record per workspace or org-wide install). */
export function kvInstallationStore(kv: KeyValueRepo): InstallationStoreWithDelete {
  return {
    async storeInstallation(inst: Installation) {
      // JSON round trip: plain data only (no undefined fields, no class instances).
      await kv.put(INSTALLATIONS_NS, keyOfInstallation(inst), JSON.parse(JSON.stringify(inst)) as object);
    },
    async fetchInstallation(q: InstallationQuery<boolean>) {
      const key = keyOfQuery(q);
      const found = await kv.get<Installation>(INSTALLATIONS_NS, key);
      if (!found) throw new Error(`No Slack installation for ${key}`);
      return found;
    },
    async deleteInstallation(q: InstallationQuery<boolean>) {
      await kv.delete(INSTALLATIONS_NS, keyOfQuery(q));
    },
  };
}

export interface InstallationCacheOptions {
  /** Where "now" comes from for the expiry. */
  clock: Clock;
  /** How long a fetched installation is served from memory (default 60 s): another replica's change shows within it. */
  ttlMs?: number;
  /** Most installations kept (default 1,000); the least recently used one goes first. */
  maxEntries?: number;
}

/**
 * `inner` with its fetches served from memory: in OAuth mode every request is authorized by a fetch. The entries
 * live in an LRU (lru-cache: at most `maxEntries`, least recently used first out, each for `ttlMs` from its read,
 * on the given clock). What this process stores or deletes (install, reinstall, token rotation — Bolt stores the
 * refreshed tokens —, uninstall) drops the cached entry at once; other replicas' changes show within `ttlMs`.
 * Concurrent fetches of a key that is not cached share one read. A missing installation (or a failed read) is not
 * cached, so a new install works at once.
 */
export function cachedInstallationStore(
  inner: InstallationStoreWithDelete,
  o: InstallationCacheOptions,
): InstallationStoreWithDelete {
  const ttlMs = o.ttlMs ?? 60_000;
  if (!(ttlMs >= 1) || !((o.maxEntries ?? 1) >= 1)) {
    throw new Error('cachedInstallationStore: ttlMs and maxEntries must be at least 1');
  }
  const cache = new LRUCache<string, Installation>({
    max: o.maxEntries ?? 1000,
    // lru-cache counts an entry stale once it is strictly older than `ttl`; served for `ttlMs` means stale at ttlMs.
    ttl: Math.max(1, ttlMs - 1),
    // No cached "now" (its reset is a real timer) and no purge timer: expiry is read from the clock on each get.
    ttlResolution: 0,
    ttlAutopurge: false,
    perf: { now: () => o.clock.now().getTime() },
  });
  /** Reads under way; an entry dropped here (by a write) keeps its read from filling the cache with what it read. */
  const reading = new Map<string, Promise<Installation>>();
  const drop = (key: string) => {
    cache.delete(key);
    reading.delete(key);
  };
  // Each caller gets its own copy: Bolt's token rotation changes the installation it was given before storing it.
  const copy = (inst: Installation): Installation => structuredClone(inst);

  const read = (
    key: string,
    q: InstallationQuery<boolean>,
    logger?: Parameters<InstallationStore['fetchInstallation']>[1],
  ) => {
    const pending = reading.get(key);
    if (pending) return pending;
    const p: Promise<Installation> = inner.fetchInstallation(q, logger).then(
      (inst) => {
        if (reading.get(key) === p) {
          reading.delete(key);
          cache.set(key, inst);
        }
        return inst;
      },
      (e: unknown) => {
        if (reading.get(key) === p) reading.delete(key);
        throw e;
      },
    );
    reading.set(key, p);
    return p;
  };

  return {
    async fetchInstallation(q, logger) {
      const key = keyOfQuery(q);
      // A hit becomes the most recently used; an expired entry is dropped and read again.
      const hit = cache.get(key);
      if (hit) return copy(hit);
      return copy(await read(key, q, logger));
    },
    async storeInstallation(inst, logger) {
      try {
        await inner.storeInstallation(inst, logger);
      } finally {
        drop(keyOfInstallation(inst as Installation));
      }
    },
    async deleteInstallation(q, logger) {
      try {
        await inner.deleteInstallation(q, logger);
      } finally {
        drop(keyOfQuery(q));
      }
    },
  };
}
