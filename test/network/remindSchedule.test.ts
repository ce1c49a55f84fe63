import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { cronParserEngine } from '../../src/adapters/scheduler';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import { ROUND_CLAIMS } from '../../src/app/network/remindSchedule';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { Actor } from '../../src/app/schemas';
import { plainText, type RichText } from '../../src/app/text';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * The facilitator's scheduled `network remind` (issue 17): two replicas (two NetworkServices, as two processes
 * would build them) on one store, ticked at the same instants by an injected clock. Each occurrence is one round,
 * run by the replica that inserted its key; each unfinished district is told once per round.
 */

const actor = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Person ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});
const FAC = actor('T2', 'U_FAC', 'D9', true);
const DISTRICTS = [
  actor('T1', 'U_A', 'C1', true),
  actor('T1', 'U_B', 'C2', true),
  actor('teams:tenant-b', 'U_C', '19:c@thread.tacv2', true),
];
// The test clock starts on Monday 2026-11-23 15:00 UTC (10:00 in Detroit); the next Monday 9:00 in Detroit is
// 2026-11-30 14:00 UTC.
const NEXT_MONDAY_9 = new Date('2026-11-30T14:00:00Z');
const WEEK = 7 * 86_400_000;

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const sent: Array<{ to: Destination; text: string; by: string }> = [];
  const replica = (name: string) =>
    new NetworkService({
      store,
      clock,
      rubrics,
      ids: counterIds(),
      newCode: () => 'COOP2345WXYZ',
      k: 3,
      cron: cronParserEngine,
      timezone: 'America/Detroit',
      graceMs: 5 * 60_000,
      instanceId: name,
      notices: {
        sendNotice: async (to, text: RichText) => {
          await new Promise((r) => setTimeout(r, 5));
          sent.push({ to, text: plainText(text), by: name });
        },
      },
    });
  const one = replica('replica-1');
  const two = replica('replica-2');
  const service = makeService(store, clock);
  const commands = new CommandService(service, { network: one });
  const run = async (a: Actor, line: string) => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
    return 'text' in r ? plainText(r.text) : JSON.stringify(r);
  };
  await run(FAC, 'network create "Michigan CoOp"');
  for (const [i, d] of DISTRICTS.entries()) {
    await service.setupDistrict(d, { name: `District ${i}`, channelId: d.channelId as string });
    await run(d, 'network join COOP2345WXYZ');
  }
  /** Both replicas tick at `t` at the same moment. */
  const tickBoth = async (t: Date) => {
    clock.t = t;
    const [a, b] = await Promise.all([one.schedules.tick(t), two.schedules.tick(t)]);
    return { rounds: a.rounds + b.rounds, alreadyClaimed: a.alreadyClaimed + b.alreadyClaimed };
  };
  return { store, clock, sent, run, tickBoth };
}

const perDistrict = (sent: Array<{ to: Destination }>) =>
  Object.fromEntries(
    DISTRICTS.map((d) => [
      `${d.tenantId}/${d.channelId}`,
      sent.filter((s) => s.to.tenantId === d.tenantId && s.to.channelId === d.channelId).length,
    ]),
  );

test('two schedulers on one store send one reminder per occurrence', async () => {
  const w = await world();
  const reply = await w.run(FAC, 'network remind schedule "every Monday 9:00" "2026-27 Fall"');
  expect(reply).toContain('network remind runs every Monday at 09:00 (America/Detroit), about 2026-27 Fall');
  expect(reply).toContain('Next: ');
  // Nothing before the occurrence.
  expect(await w.tickBoth(new Date(NEXT_MONDAY_9.getTime() - 60_000))).toEqual({
    rounds: 0,
    alreadyClaimed: 0,
  });
  expect(w.sent).toEqual([]);
  // At the occurrence both replicas tick: one runs the round, the other finds it claimed.
  expect(await w.tickBoth(NEXT_MONDAY_9)).toEqual({ rounds: 1, alreadyClaimed: 1 });
  expect(perDistrict(w.sent)).toEqual({ 'T1/C1': 1, 'T1/C2': 1, 'teams:tenant-b/19:c@thread.tacv2': 1 });
  expect(new Set(w.sent.map((s) => s.by)).size).toBe(1);
  expect(w.sent[0]?.text).toContain('a reminder from the co-op network Michigan CoOp');
  // The next minutes' ticks (within the grace) find the round claimed: nothing more is sent.
  expect(await w.tickBoth(new Date(NEXT_MONDAY_9.getTime() + 60_000))).toEqual({
    rounds: 0,
    alreadyClaimed: 2,
  });
  expect(w.sent).toHaveLength(3);
  // One week later: the next occurrence, once again.
  expect(await w.tickBoth(new Date(NEXT_MONDAY_9.getTime() + WEEK + 30_000))).toEqual({
    rounds: 1,
    alreadyClaimed: 1,
  });
  expect(perDistrict(w.sent)).toEqual({ 'T1/C1': 2, 'T1/C2': 2, 'teams:tenant-b/19:c@thread.tacv2': 2 });
  // The rounds' claims are stored by occurrence key.
  expect((await w.store.kv.list(ROUND_CLAIMS)).map((c) => c.key).sort()).toEqual([
    expect.stringContaining('|2026-11-30T14:00:00.000Z'),
    expect.stringContaining('|2026-12-07T14:00:00.000Z'),
  ]);
  const show = await w.run(FAC, 'network remind schedule');
  expect(show).toContain('3 reminded.');
});

test('off stops it; a missed round older than the grace is not sent late', async () => {
  const w = await world();
  await w.run(FAC, 'network remind schedule every Monday 9:00');
  // Every replica was down at 14:00; the first tick 10 minutes later is past the 5-minute grace.
  expect(await w.tickBoth(new Date(NEXT_MONDAY_9.getTime() + 10 * 60_000))).toEqual({
    rounds: 0,
    alreadyClaimed: 0,
  });
  expect(await w.run(FAC, 'network remind off')).toContain('the scheduled reminder is off');
  expect(await w.tickBoth(new Date(NEXT_MONDAY_9.getTime() + WEEK))).toEqual({
    rounds: 0,
    alreadyClaimed: 0,
  });
  expect(w.sent).toEqual([]);
  expect(await w.run(FAC, 'network remind schedule')).toContain('no scheduled reminder');
});

test('without a cycle a round that cannot pick one sends nothing and says why', async () => {
  const w = await world();
  await w.run(FAC, 'network remind schedule "every Monday 9:00"');
  expect(await w.tickBoth(NEXT_MONDAY_9)).toEqual({ rounds: 1, alreadyClaimed: 1 });
  expect(w.sent).toEqual([]);
  expect(await w.run(FAC, 'network remind schedule')).toMatch(/Last round .*: nothing sent — Name the cycle/);
});

test('only facilitators set it; a bad schedule gets a clear error', async () => {
  const w = await world();
  const fails = (a: Actor, line: string) =>
    w.run(a, line).then(
      (t) => `ok: ${t}`,
      (e: Error) => e.message,
    );
  const coord = DISTRICTS[0] as Actor;
  expect(await fails(coord, 'network remind schedule "every Monday 9:00"')).toMatch(
    /There is no co-op network here/,
  );
  expect(await fails(coord, 'network remind off')).toMatch(/There is no co-op network here/);
  expect(await fails(FAC, 'network remind schedule "every Funday 9:00"')).toMatch(
    /"funday" is not a day of the week/,
  );
  expect(await fails(FAC, 'network remind schedule "* * * * *"')).toMatch(/at most once an hour/);
  expect(await w.tickBoth(NEXT_MONDAY_9)).toEqual({ rounds: 0, alreadyClaimed: 0 });
});
