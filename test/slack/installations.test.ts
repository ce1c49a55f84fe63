import type { Installation } from '@slack/bolt';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import {
  cachedInstallationStore,
  INSTALLATIONS_NS,
  kvInstallationStore,
} from '../../src/adapters/slack/installations';
import type { KeyValueRepo } from '../../src/app/ports';
import { TestClock } from '../support/fixtures';

/** The product's key-value store (NeDB in memory) with its reads of installations counted; `hold` delays them. */
async function countedKv() {
  const store = new NedbStore(null);
  await store.init();
  const kv = store.kv;
  const counts = { reads: 0 };
  let gate: Promise<void> | null = null;
  let onHeld = () => {};
  const counted: KeyValueRepo = {
    get: async <T extends object>(ns: string, key: string) => {
      if (ns === INSTALLATIONS_NS) counts.reads++;
      const value = await kv.get<T>(ns, key);
      if (gate) {
        onHeld();
        await gate;
      }
      return value;
    },
    put: (ns, key, value) => kv.put(ns, key, value),
    putIfAbsent: (ns, key, value) => kv.putIfAbsent(ns, key, value),
    delete: (ns, key) => kv.delete(ns, key),
    list: <T extends object>(ns: string) => kv.list<T>(ns),
  };
  return {
    kv,
    counted,
    counts,
    /** Reads finish only after `release()`; `held` resolves once a read has its value and waits. */
    hold(): { release: () => void; held: Promise<void> } {
      let release = () => {};
      gate = new Promise<void>((r) => {
        release = () => {
          gate = null;
          r();
        };
      });
      const held = new Promise<void>((r) => {
        onHeld = r;
      });
      return { release, held };
    },
  };
}

const installation = (team: string, token = `xoxb-${team}`): Installation =>
  ({
    team: { id: team, name: team },
    enterprise: undefined,
    user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
    bot: { token, id: `B${team}`, userId: `U${team}`, scopes: ['commands', 'chat:write'] },
    appId: 'A1',
    tokenType: 'bot',
    isEnterpriseInstall: false,
    authVersion: 'v2',
  }) as Installation;
const query = (team: string) => ({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false });

async function setup(o: { ttlMs?: number; maxEntries?: number } = {}) {
  const kv = await countedKv();
  const clock = new TestClock();
  const store = cachedInstallationStore(kvInstallationStore(kv.counted), { clock, ...o });
  return { ...kv, clock, store };
}

describe('cached installation store (OAuth mode authorizes every request from it)', () => {
  test('1,000 requests of one workspace read the store once', async () => {
    const { store, counts } = await setup();
    await store.storeInstallation(installation('T1'));
    for (let i = 0; i < 1000; i++) {
      expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-T1');
    }
    expect(counts.reads).toBe(1);
  });

  test('an entry expires after the TTL: another replica’s change is seen then, not before', async () => {
    const { store, kv, counts, clock } = await setup({ ttlMs: 60_000 });
    await store.storeInstallation(installation('T1', 'xoxb-old'));
    await store.fetchInstallation(query('T1'));
    // Another replica rotates the token (writes the store directly; this process is not told).
    await kv.put(INSTALLATIONS_NS, 'T:T1', installation('T1', 'xoxb-new'));
    clock.advance(59_999);
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-old');
    expect(counts.reads).toBe(1);
    clock.advance(1);
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-new');
    expect(counts.reads).toBe(2);
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-new');
    expect(counts.reads).toBe(2);
  });

  test('a reinstall (storeInstallation) replaces the cached installation at once', async () => {
    const { store, counts } = await setup();
    await store.storeInstallation(installation('T1', 'xoxb-first'));
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-first');
    await store.storeInstallation(installation('T1', 'xoxb-second'));
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-second');
    expect(counts.reads).toBe(2);
  });

  test('token rotation: Bolt changes the fetched installation and stores it; the next fetch has the new token', async () => {
    const { store } = await setup();
    await store.storeInstallation(installation('T1', 'xoxe.xoxb-1'));
    const fetched = await store.fetchInstallation(query('T1'));
    // What InstallProvider.authorize does after refreshing: change the installation in place, then store it.
    const updates = { ...fetched };
    if (!updates.bot) throw new Error('no bot');
    updates.bot.token = 'xoxe.xoxb-2';
    updates.bot.refreshToken = 'xoxe-1-refresh-2';
    await store.storeInstallation(updates);
    const after = await store.fetchInstallation(query('T1'));
    expect(after.bot?.token).toBe('xoxe.xoxb-2');
    expect(after.bot?.refreshToken).toBe('xoxe-1-refresh-2');
  });

  test('a caller changing its installation does not change what others are served', async () => {
    const { store } = await setup();
    await store.storeInstallation(installation('T1', 'xoxb-stored'));
    const a = await store.fetchInstallation(query('T1'));
    if (a.bot) a.bot.token = 'changed-by-a-caller';
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-stored');
  });

  test('deleteInstallation (app_uninstalled, tokens_revoked) drops the cached installation', async () => {
    const { store, kv } = await setup();
    await store.storeInstallation(installation('T1'));
    await store.fetchInstallation(query('T1'));
    await store.deleteInstallation(query('T1'));
    await expect(store.fetchInstallation(query('T1'))).rejects.toThrow(/No Slack installation for T:T1/);
    expect(await kv.get(INSTALLATIONS_NS, 'T:T1')).toBeNull();
  });

  test('"not installed" is not cached: an install by another replica works at once', async () => {
    const { store, kv, counts } = await setup();
    await expect(store.fetchInstallation(query('T2'))).rejects.toThrow(/No Slack installation/);
    await kv.put(INSTALLATIONS_NS, 'T:T2', installation('T2'));
    expect((await store.fetchInstallation(query('T2'))).bot?.token).toBe('xoxb-T2');
    expect(counts.reads).toBe(2);
  });

  test('concurrent fetches of a workspace not cached share one read', async () => {
    const { store, counts, hold } = await setup();
    await store.storeInstallation(installation('T1'));
    const { release } = hold();
    const all = Array.from({ length: 50 }, () => store.fetchInstallation(query('T1')));
    await new Promise((r) => setImmediate(r));
    release();
    const got = await Promise.all(all);
    expect(got.every((g) => g.bot?.token === 'xoxb-T1')).toBe(true);
    expect(new Set(got).size).toBe(50); // each its own copy
    expect(counts.reads).toBe(1);
  });

  test('concurrent fetches of a missing workspace share one read, and the miss is not kept', async () => {
    const { store, counts, hold } = await setup();
    const { release } = hold();
    const all = Array.from({ length: 20 }, () => store.fetchInstallation(query('T3')).catch((e: Error) => e));
    await new Promise((r) => setImmediate(r));
    release();
    expect((await Promise.all(all)).every((e) => e instanceof Error)).toBe(true);
    expect(counts.reads).toBe(1);
    await expect(store.fetchInstallation(query('T3'))).rejects.toThrow(/No Slack installation/);
    expect(counts.reads).toBe(2);
  });

  test('a read that was under way when the installation changed does not fill the cache with the old one', async () => {
    const { store, counts, hold } = await setup();
    await store.storeInstallation(installation('T1', 'xoxb-old'));
    const { release, held } = hold();
    const before = store.fetchInstallation(query('T1'));
    await held;
    // The reinstall's write completes while the read above is still on its way back.
    await store.storeInstallation(installation('T1', 'xoxb-new'));
    release();
    expect((await before).bot?.token).toBe('xoxb-old');
    expect((await store.fetchInstallation(query('T1'))).bot?.token).toBe('xoxb-new');
    expect(counts.reads).toBe(2);
  });

  test('bounded: beyond maxEntries the least recently used installation goes first', async () => {
    const { store, counts } = await setup({ maxEntries: 2 });
    for (const t of ['T1', 'T2', 'T3']) await store.storeInstallation(installation(t));
    await store.fetchInstallation(query('T1'));
    await store.fetchInstallation(query('T2'));
    await store.fetchInstallation(query('T1')); // T2 is now the least recently used
    await store.fetchInstallation(query('T3')); // evicts T2
    expect(counts.reads).toBe(3);
    await store.fetchInstallation(query('T1'));
    await store.fetchInstallation(query('T3'));
    expect(counts.reads).toBe(3);
    await store.fetchInstallation(query('T2'));
    expect(counts.reads).toBe(4);
  });

  test('eviction under many workspaces: the last maxEntries used stay in memory, older ones are read again', async () => {
    const { store, counts, clock } = await setup({ maxEntries: 10, ttlMs: 60_000 });
    const teams = Array.from({ length: 25 }, (_, i) => `T${i}`);
    for (const t of teams) await store.storeInstallation(installation(t));
    for (const t of teams) await store.fetchInstallation(query(t));
    expect(counts.reads).toBe(25);
    // T15…T24 are the ten most recently used: served from memory.
    for (const t of teams.slice(15)) await store.fetchInstallation(query(t));
    expect(counts.reads).toBe(25);
    // T0 was evicted long ago: read again (and now T15, the least recently used, goes).
    expect((await store.fetchInstallation(query('T0'))).bot?.token).toBe('xoxb-T0');
    expect(counts.reads).toBe(26);
    await store.fetchInstallation(query('T15'));
    expect(counts.reads).toBe(27);
    // Still bounded by the TTL: an entry in memory is read again once it has expired.
    clock.advance(60_000);
    await store.fetchInstallation(query('T24'));
    expect(counts.reads).toBe(28);
  });

  test('bad options are refused with a clear error', () => {
    const inner = kvInstallationStore({} as KeyValueRepo);
    expect(() => cachedInstallationStore(inner, { clock: new TestClock(), maxEntries: 0 })).toThrow(
      /at least 1/,
    );
  });

  test('org-wide installs are cached under their enterprise', async () => {
    const { store, counts } = await setup();
    await store.storeInstallation({
      ...installation('T1'),
      team: undefined,
      enterprise: { id: 'E1', name: 'Grid' },
      isEnterpriseInstall: true,
    } as Installation);
    const q = { teamId: 'T7', enterpriseId: 'E1', isEnterpriseInstall: true };
    await store.fetchInstallation(q);
    await store.fetchInstallation({ ...q, teamId: 'T8' });
    expect(counts.reads).toBe(1);
    await store.deleteInstallation(q);
    await expect(store.fetchInstallation(q)).rejects.toThrow(/No Slack installation for E:E1/);
  });
});
