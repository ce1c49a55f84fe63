import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { NetworkCleanup } from '../../src/app/network/networkCleanup';
import { REMIND_CLAIMS } from '../../src/app/network/networkReminders';
import { ROUND_CLAIMS } from '../../src/app/network/remindSchedule';
import type { ConnectRequest, DistrictRef } from '../../src/domain/networkPeers';

/**
 * The co-op network's daily clean-up (issue 17), on a real store with an injected time: connect requests that expired
 * unanswered go (and free their pair, so the districts may ask again), answered and pending ones stay; claims of
 * reminders and rounds older than the retention go, recent ones stay; one replica runs it per UTC day.
 */

const NOW = new Date('2026-12-01T06:00:00Z');
const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const A: DistrictRef = { tenantId: 'T1', districtId: 'a' };
const B: DistrictRef = { tenantId: 'T1', districtId: 'b' };
const C: DistrictRef = { tenantId: 'teams:x', districtId: 'c' };

const request = (id: string, from: DistrictRef, to: DistrictRef, createdAt: Date): ConnectRequest => ({
  id,
  networkId: 'n1',
  from,
  to,
  requestedBy: { tenantId: from.tenantId, userId: 'U' },
  rubricId: 'culture-of-collaboration',
  rowId: 'r1',
  note: 'hello',
  createdAt,
});

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const n = store.networks;
  expect(await n.addConnect(request('expired', A, B, days(31)))).toBe(true);
  expect(await n.addConnect(request('pending', A, C, days(29)))).toBe(true);
  expect(await n.addConnect(request('declined', C, B, days(40)))).toBe(true);
  await n.answerConnect(request('declined', C, B, days(40)), {
    requestId: 'declined',
    accepted: false,
    by: { tenantId: 'T1', userId: 'UB' },
    at: days(39),
  });
  // An expired request renewed once (B asked A again after the first expired): the old one goes, the new one stays.
  expect(await n.addConnect(request('old', B, A, days(70)))).toBe(true);
  expect(await n.addConnect(request('renewal', B, A, days(2)))).toBe(true);
  await store.kv.putIfAbsent(REMIND_CLAIMS, 'old-day', { at: days(9).toISOString() });
  await store.kv.putIfAbsent(REMIND_CLAIMS, 'yesterday', { at: days(1).toISOString() });
  await store.kv.putIfAbsent(ROUND_CLAIMS, 'n1|2026-11-02T14:00:00.000Z', {
    by: 'r1',
    at: days(29).toISOString(),
  });
  await store.kv.putIfAbsent(ROUND_CLAIMS, 'n1|2026-11-30T14:00:00.000Z', {
    by: 'r1',
    at: days(1).toISOString(),
  });
  return store;
}

const ids = async (store: NedbStore, d: DistrictRef) =>
  (await store.networks.listConnects(d)).map((c) => c.request.id).sort();

test('expired requests and old claims are removed, once a day, by one replica', async () => {
  const store = await world();
  const one = new NetworkCleanup({ store, instanceId: 'r1' });
  const two = new NetworkCleanup({ store, instanceId: 'r2' });
  const [a, b] = await Promise.all([one.tick(NOW), two.tick(NOW)]);
  expect([a.ran, b.ran].sort()).toEqual([false, true]);
  expect(a.expiredConnects + b.expiredConnects).toBe(2);
  expect(a.oldClaims + b.oldClaims).toBe(2);
  expect(a.errors + b.errors).toBe(0);
  expect(await ids(store, A)).toEqual(['pending', 'renewal']);
  expect(await ids(store, B)).toEqual(['declined', 'renewal']);
  expect((await store.kv.list(REMIND_CLAIMS)).map((c) => c.key)).toEqual(['yesterday']);
  expect((await store.kv.list(ROUND_CLAIMS)).map((c) => c.key)).toEqual(['n1|2026-11-30T14:00:00.000Z']);
  // The expired request's pair is free: A may ask B again. The declined and the renewed pairs still hold.
  expect(await store.networks.addConnect(request('again', A, B, NOW))).toBe(true);
  expect(await store.networks.addConnect(request('no', C, B, NOW))).toBe(false);
  expect(await store.networks.addConnect(request('no2', B, A, NOW))).toBe(false);
  // Later the same day: nothing runs again.
  expect((await one.tick(new Date(NOW.getTime() + 3600_000))).ran).toBe(false);
  // The next day it runs again: the request of 29 days ago has expired by then, and the day claim of 9 days ago
  // is itself removed.
  await store.kv.putIfAbsent('network-cleanup', '2026-11-22', { by: 'r1', at: days(9).toISOString() });
  const next = await one.tick(new Date(NOW.getTime() + 86_400_000));
  expect(next).toEqual({ ran: true, expiredConnects: 1, oldClaims: 1, errors: 0 });
  expect(await ids(store, A)).toEqual(['again', 'renewal']);
  expect((await store.kv.list('network-cleanup')).map((c) => c.key).sort()).toEqual([
    '2026-12-01',
    '2026-12-02',
  ]);
});
