import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { Store } from '../../src/app/ports';
import type { Actor } from '../../src/app/schemas';
import { plainText, type RichText } from '../../src/app/text';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * `network remind ["cycle"]`: the facilitator's nudge to member districts that have not finished a cycle's review,
 * through the real use cases on a real store, with notices captured per destination. Exactly once per district,
 * cycle and day, also with two service instances (two replicas) on one store.
 */

const D = {
  aspen: { tenant: 'T1', channel: 'C1', name: 'Aspen Schools', review: 'complete' },
  birch: {
    tenant: 'teams:tenant-b',
    channel: '19:birch@thread.tacv2',
    name: 'Birch Schools',
    review: 'active',
  },
  cedar: { tenant: 'teams:tenant-c', channel: '19:cedar@thread.tacv2', name: 'Cedar Schools', review: null },
  dogwood: { tenant: 'T2', channel: 'C9', name: 'Dogwood Schools', review: 'active' },
  elm: { tenant: 'T3', channel: 'C3', name: 'Elm Schools', review: null },
} as const;
type Key = keyof typeof D;
const NAMED: Key[] = ['aspen', 'birch', 'cedar'];

const actor = (tenantId: string, userId: string, channelId: string): Actor => ({
  tenantId,
  userId,
  displayName: `Name of ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => true,
});
const coord = (k: Key) => actor(D[k].tenant, `UC_${k}`, D[k].channel);
const facilitator = actor('T5', 'U_FAC', 'D5');

function networkService(store: Store, clock: TestClock, sent: Array<{ to: Destination; text: string }>) {
  const failing = new Set<string>();
  const network = new NetworkService({
    store,
    clock,
    rubrics,
    ids: counterIds(),
    newCode: () => 'COOP2345WXYZ',
    k: 3,
    notices: {
      async sendNotice(to: Destination, text: RichText) {
        // Yield first, so that two replicas' rounds interleave.
        await new Promise((r) => setImmediate(r));
        if (failing.has(to.tenantId)) throw new Error('not in the channel');
        sent.push({ to, text: plainText(text) });
      },
    },
  });
  return { network, failing };
}

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const sent: Array<{ to: Destination; text: string }> = [];
  const one = networkService(store, clock, sent);
  const commands = new CommandService(service, { network: one.network });
  const run = async (a: Actor, line: string) => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
    return 'text' in r ? plainText(r.text) : JSON.stringify(r);
  };
  const fail = (a: Actor, line: string) =>
    run(a, line).then(
      (ok) => `no error: ${ok}`,
      (e: Error) => e.message,
    );
  await run(facilitator, 'network create "Michigan CoOp"');
  for (const k of Object.keys(D) as Key[]) {
    const d = D[k];
    await service.setupDistrict(coord(k), { name: d.name, channelId: d.channel });
    await run(coord(k), `network join COOP2345WXYZ${NAMED.includes(k) ? ' named' : ''}`);
    if (!d.review) continue;
    const review = await service.startReview(coord(k), { channelId: d.channel, cycle: '2026-27 Fall' });
    if (d.review === 'complete') {
      const stored = await store.reviews.get(review.reviewId);
      if (stored) await store.reviews.save({ ...stored, status: 'complete' });
    }
  }
  return { store, clock, sent, run, fail, failing: one.failing };
}

const OTHERS = /Aspen|Birch|Cedar|Dogwood|Elm/;

describe('network remind', () => {
  test('reminds the districts that have not finished, in their channels, naming only the network and cycle', async () => {
    const w = await world();
    w.failing.add(D.elm.tenant);
    const reply = await w.run(facilitator, 'network remind "2026-27  fall"');
    expect(reply).toContain(
      'Co-op network Michigan CoOp, 2026-27 fall: 3 reminded now, 0 already reminded today, 1 unreachable (try again later), 1 already finished.',
    );
    // Only named districts are named: Birch and Cedar were reminded; Dogwood (reminded) and Elm (unreachable) are not.
    expect(reply).toContain('Reminded (named): Birch Schools, Cedar Schools');
    expect(reply).not.toMatch(/Dogwood|Elm|Aspen|Unreachable \(named\)/);
    expect(w.sent.map((s) => s.to.channelId).sort()).toEqual(
      [D.birch.channel, D.cedar.channel, D.dogwood.channel].sort(),
    );
    const birch = w.sent.find((s) => s.to.channelId === D.birch.channel)?.text ?? '';
    expect(birch).toContain(
      "a reminder from the co-op network Michigan CoOp: your district's review of 2026-27 fall is not finished yet",
    );
    const cedar = w.sent.find((s) => s.to.channelId === D.cedar.channel)?.text ?? '';
    expect(cedar).toContain('your district has no review of 2026-27 fall yet');
    for (const s of w.sent) expect(s.text).not.toMatch(OTHERS);
  });

  test('once per district, cycle and day across two replicas; an undelivered reminder is tried again', async () => {
    const w = await world();
    w.failing.add(D.elm.tenant);
    const other = networkService(w.store, w.clock, w.sent);
    other.failing.add(D.elm.tenant);
    const [a, b] = await Promise.all([
      w.run(facilitator, 'network remind "2026-27 Fall"'),
      other.network.reminders.remind(facilitator, { cycle: '2026-27 Fall' }),
    ]);
    // Three districts are due: each is reminded by exactly one replica, the other sees it was done today.
    expect(w.sent).toHaveLength(3);
    const m =
      /(\d+) reminded now, (\d+) already reminded today, (\d+) unreachable.*, 1 already finished/.exec(a);
    const [aReminded = -1, aToday = -1, aUnreachable = -1] = (m ?? []).slice(1, 4).map(Number);
    const [r] = b;
    expect(aReminded + (r?.reminded ?? 0)).toBe(3);
    // Each replica accounts for the four districts due; Elm's failed reminder is unreachable for one of them (the
    // other saw its claim in flight, or tried after it was freed and failed too).
    expect(aReminded + aToday + aUnreachable).toBe(4);
    expect((r?.reminded ?? 0) + (r?.alreadyToday ?? 0) + (r?.unreachable ?? 0)).toBe(4);
    expect(aUnreachable + (r?.unreachable ?? 0)).toBeGreaterThanOrEqual(1);
    // Later the same day: nothing again, except Elm, now reachable (its failed reminder freed its claim).
    w.failing.delete(D.elm.tenant);
    w.clock.advance(3_600_000);
    expect(await w.run(facilitator, 'network remind "2026-27 Fall"')).toContain(
      '1 reminded now, 3 already reminded today, 0 unreachable (try again later), 1 already finished.',
    );
    expect(w.sent.map((s) => s.to.channelId).slice(3)).toEqual([D.elm.channel]);
    // The next UTC day: all four again; another cycle is another reminder.
    w.clock.advance(86_400_000);
    expect(await w.run(facilitator, 'network remind "2026-27 Fall"')).toContain('4 reminded now, 0 already');
    expect(await w.run(facilitator, 'network remind "2027 Spring"')).toContain(
      '5 reminded now, 0 already reminded today, 0 unreachable (try again later), 0 already finished.',
    );
    expect(w.sent).toHaveLength(4 + 4 + 5);
  });

  test('without a cycle: the one cycle at least k districts reviewed, else the facilitator names it', async () => {
    const w = await world();
    // Three districts reviewed "2026-27 Fall" (k = 3): it is the cycle (all but Aspen, which finished, reminded).
    expect(await w.run(facilitator, 'network remind')).toContain(
      'Michigan CoOp, 2026-27 Fall: 4 reminded now',
    );
    const w2 = await world();
    const service = makeService(w2.store, w2.clock);
    // Three other districts reviewed "2027 Spring": two cycles of at least k districts.
    for (const k of ['aspen', 'cedar', 'elm'] as Key[]) {
      await service.startReview(coord(k), { channelId: D[k].channel, cycle: '2027 Spring' });
    }
    const asked = await w2.fail(facilitator, 'network remind');
    expect(asked).toBe(
      'Name the cycle to remind about, e.g. network remind "2026-27 Fall" (cycles of Michigan CoOp: "2026-27 Fall", "2027 Spring"). Nothing was sent.',
    );
    expect(w2.sent).toHaveLength(0);
  });

  test('nobody else can remind, and learns nothing of the network', async () => {
    const w = await world();
    for (const a of [coord('aspen'), actor('T1', 'U_STRANGER', 'D1'), actor('T9', 'U_X', 'C1')]) {
      expect(await w.fail(a, 'network remind "2026-27 Fall"')).toMatch(/^There is no co-op network here/);
    }
    expect(w.sent).toHaveLength(0);
  });
});
