import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import { CommandService } from '../../src/app/commands';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { ReminderMessenger, Store } from '../../src/app/ports';
import { ReminderSchedules } from '../../src/app/reviews/reminderSchedules';
import type { ReminderView } from '../../src/app/reviews/reminders';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { coordinator, makeService, member, rubrics, TestClock } from '../support/fixtures';

/**
 * `remind every Monday 9:00` / `remind off` (issue 15): while a review is open, the roster's non-voters get the
 * reminder `remind` sends, at that time in the district's time zone (DST included), exactly once per occurrence
 * however many replicas tick. The clock is injected; ticks are given their `now`.
 */

const rowIds = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);
const person = (id: string) => ({ channelId: 'C1', memberId: id, displayName: `Person ${id}` });
const GRACE_MS = 10 * 60_000;

function recorder(isPrivate = true) {
  const calls: Array<{ place: Destination; view: ReminderView }> = [];
  const messenger: ReminderMessenger = {
    private: isPrivate,
    remind: async (place, view) => {
      calls.push({ place, view });
      return { unreachable: [] };
    },
  };
  return { messenger, calls };
}

/** One replica's runner over `store` (its own instance id), delivering through `messenger`. */
const replica = (
  store: Store,
  service: ReviewService,
  clock: TestClock,
  name: string,
  messenger: ReminderMessenger | null,
) =>
  new ReminderSchedules({
    store,
    clock,
    access: service.access,
    cron: cronParserEngine,
    reminders: service.reminders,
    districtForChannel: (a, c) => service.districtForChannel(a, c),
    messenger: () => messenger,
    instanceId: name,
    graceMs: GRACE_MS,
  });

/** A Detroit district with U1-U3 on the roster, the clock at `start`; `remind` wired to `replica A`. */
async function setup(start: string) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock(new Date(start));
  const service = makeService(store, clock);
  await service.setupDistrict(coordinator, {
    name: 'Lakeview Schools',
    channelId: 'C1',
    timezone: 'America/Detroit',
  });
  for (const id of ['U1', 'U2', 'U3']) await service.rosters.add(coordinator, person(id));
  const a = recorder();
  const runnerA = replica(store, service, clock, 'A', a.messenger);
  const commands = new CommandService(service, { reminderSchedules: runnerA });
  const say = async (line: string, actor: Actor = coordinator) => {
    const r = await commands.run({ actor, channelId: 'C1' }, line);
    return 'text' in r ? plainText(r.text) : 'message' in r ? plainText(r.message) : '';
  };
  return { store, clock, service, say, a, runnerA };
}

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
  );

test('set, shown with the next time in the district zone, and off; coordinators only; bad phrases refused', async () => {
  const { say } = await setup('2026-11-23T15:00:00Z'); // Monday 10:00 EST
  expect(await say('remind schedule')).toMatch(/^No scheduled reminders/);
  expect(await say('remind every Monday 9:00')).toBe(
    "Scheduled reminders: every Monday at 09:00 (America/Detroit) while a review is open, to the roster's non-voters; next: Mon 2026-11-30 09:00 EST. `remind off` stops them.",
  );
  expect(await say('remind schedule')).toMatch(/every Monday at 09:00 .*next: Mon 2026-11-30 09:00 EST/);
  expect(await fail(say('remind every Monday 9:00', member(1)))).toMatchObject({
    code: 'not-coordinator',
  });
  expect(await fail(say('remind every Funday 9:00'))).toMatchObject({
    code: 'invalid-input',
    message: expect.stringContaining('"funday" is not a day of the week'),
  });
  expect(await fail(say('remind every'))).toMatchObject({ code: 'invalid-input' });
  expect(await say('remind off')).toBe('Scheduled reminders are off.');
  expect(await say('remind off')).toBe('There were no scheduled reminders.');
});

test('across the DST change: 09:00 Detroit is 13:00Z before and 14:00Z after; only non-voters, once', async () => {
  // Tue 2026-10-27; DST ends Sun 2026-11-01 (EDT UTC-4 → EST UTC-5).
  const { store, service, clock, say, a, runnerA } = await setup('2026-10-27T12:00:00Z');
  await say('remind every Monday 9:00');
  const { reviewId } = await service.startReview(coordinator, { channelId: 'C1', cycle: '2026-27 Fall' });
  for (const rowId of rowIds) await service.castVote(member(1), { reviewId, rowId, choice: 3 });
  const b = recorder();
  const runnerB = replica(store, service, clock, 'B', b.messenger);
  const tickBoth = async (iso: string) => {
    clock.t = new Date(iso);
    const now = new Date(iso);
    return Promise.all([runnerA.tick(now), runnerB.tick(now)]);
  };
  const sent = () => [...a.calls, ...b.calls];

  await tickBoth('2026-11-02T13:00:00Z'); // 08:00 EST: not yet (it would be 09:00 EDT)
  expect(sent()).toHaveLength(0);
  const [ra, rb] = await tickBoth('2026-11-02T14:00:00Z'); // 09:00 EST
  expect(sent()).toHaveLength(1);
  expect((ra?.sent ?? 0) + (rb?.sent ?? 0)).toBe(1);
  expect((ra?.alreadyClaimed ?? 0) + (rb?.alreadyClaimed ?? 0)).toBe(1);
  const round = sent()[0];
  expect(round?.place).toEqual({ tenantId: 'T1', channelId: 'C1' });
  expect(round?.view.reminders.map((r) => r.userId).sort()).toEqual([coordinator.userId, 'U2', 'U3'].sort());
  // Later ticks within the grace and the next minute do not send it again.
  await tickBoth('2026-11-02T14:01:00Z');
  await tickBoth('2026-11-02T14:09:00Z');
  expect(sent()).toHaveLength(1);
  // The next Monday (EST), again once.
  await tickBoth('2026-11-09T14:00:30Z');
  expect(sent()).toHaveLength(2);
});

test('the week before the change it goes at 13:00Z (09:00 EDT)', async () => {
  const { store, service, clock, say, a, runnerA } = await setup('2026-10-20T12:00:00Z');
  await say('remind every Monday 9:00');
  await service.startReview(coordinator, { channelId: 'C1', cycle: '2026-27 Fall' });
  const b = recorder();
  const runnerB = replica(store, service, clock, 'B', b.messenger);
  const counts: number[] = [];
  for (const iso of ['2026-10-26T12:59:00Z', '2026-10-26T13:00:00Z', '2026-10-26T13:02:00Z']) {
    clock.t = new Date(iso);
    await Promise.all([runnerA.tick(new Date(iso)), runnerB.tick(new Date(iso))]);
    counts.push(a.calls.length + b.calls.length);
  }
  expect(counts).toEqual([0, 1, 1]);
});

test('nothing goes out without an open review, after a cancel, after remind off, or past the grace', async () => {
  const { service, clock, say, a, runnerA } = await setup('2026-11-23T15:00:00Z');
  await say('remind every Monday 9:00');
  const tick = async (iso: string) => {
    clock.t = new Date(iso);
    return runnerA.tick(new Date(iso));
  };
  await tick('2026-11-30T14:00:00Z'); // no review yet
  expect(a.calls).toHaveLength(0);
  const { reviewId } = await service.startReview(coordinator, { channelId: 'C1', cycle: '2026-27 Fall' });
  await tick('2026-12-07T14:20:00Z'); // 20 minutes late: past the grace
  expect(a.calls).toHaveLength(0);
  await tick('2026-12-14T14:00:00Z');
  expect(a.calls).toHaveLength(1);
  await say('remind off');
  await tick('2026-12-21T14:00:00Z');
  expect(a.calls).toHaveLength(1);
  await say('remind every Monday 9:00');
  await service.cancelReview(coordinator, { reviewId, reason: 'test' });
  await tick('2026-12-28T14:00:00Z');
  expect(a.calls).toHaveLength(1);
});

test('an anonymous review is not reminded through a chat that would name people (claim says why)', async () => {
  const { store, service, clock, say } = await setup('2026-11-23T15:00:00Z');
  await say('remind every Monday 9:00');
  await service.startReview(coordinator, { channelId: 'C1', cycle: '2026-27 Fall', anonymous: true });
  const channelOnly = recorder(false);
  const runner = replica(store, service, clock, 'C', channelOnly.messenger);
  clock.t = new Date('2026-11-30T14:00:00Z');
  const report = await runner.tick(clock.now());
  expect(report).toMatchObject({ sent: 0, failed: 1 });
  expect(channelOnly.calls).toHaveLength(0);
  const claims = await store.kv.list<{ state: string; reason: string }>('remind-occurrence');
  expect(claims.map((c) => c.value.state)).toEqual(['failed']);
  expect(claims[0]?.value.reason).toMatch(/anonymous/);
});
