import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import { NudgeRunner } from '../../src/app/nudges/nudgeRunner';
import type { NudgeView } from '../../src/app/nudges/nudgeViews';
import { ScheduleService } from '../../src/app/nudges/scheduleService';
import { PlanService } from '../../src/app/plans/planService';
import type { Actor } from '../../src/app/schemas';
import { zonedTime } from '../../src/domain/schedule';
import { counterIds, rubrics } from '../support/fixtures';
import {
  coordinator,
  districtWithBuildings,
  makeNudges,
  RecordingMessenger,
  TestClock,
  validValues,
} from './support';

/**
 * Plan nudges (a schedule with `kind=plan`): the building teams that have not saved their Building Action Planning
 * template are nudged through the same runner as monitoring data — on the schedule, once per occurrence however
 * many replicas tick, a digest to the district — and a nudge is redrawn once its building saves its plan.
 */
class Messenger extends RecordingMessenger {
  updates: Array<{ to: Destination; id: string; view: NudgeView }> = [];
  /** The message id each channel's latest nudge got. */
  ids = new Map<string, string>();
  private n = 0;
  override async sendNudge(to: Destination, view: NudgeView) {
    await super.sendNudge(to, view);
    const messageId = `m${++this.n}`;
    this.ids.set(to.channelId, messageId);
    return { messageId };
  }
  async updateNudge(to: Destination, id: string, view: NudgeView) {
    this.updates.push({ to, id, view });
  }
}

const team = (i: number): Actor => ({
  tenantId: 'T1',
  userId: `UB${i}`,
  displayName: `Lead ${i}`,
  channelId: `CB${i}`,
  conversation: 'channel',
});

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock(new Date('2026-11-23T12:00:00Z'));
  const messenger = new Messenger();
  const h = makeNudges(store, clock, messenger, 'replica-1');
  const second = new NudgeRunner({
    store,
    nudges: store.nudges,
    cron: cronParserEngine,
    messenger,
    instanceId: 'replica-2',
    graceMs: 6 * 3600_000,
  });
  const { district, buildings } = await districtWithBuildings(h, 3);
  const plans = new PlanService({ store, rubrics, clock, messenger });
  const ids = { districtId: district.id, buildingIds: buildings.map((b) => b.buildingId) };
  return { store, clock, messenger, h, second, plans, ids };
}

test('a plan schedule nudges the buildings without a plan, once across replicas, with its own digest', async () => {
  const w = await world();
  const added = await w.h.schedules.add(coordinator, {
    channelId: 'C1',
    expression: 'every weekday at 9:00',
    subject: 'plan',
    escalateAfter: 2,
  });
  expect(added.subject).toBe('plan');
  // School 1 has its plan already; School 2 submitted monitoring data, which is not its plan.
  await w.plans.setEntry(team(1), 'building', { channelId: 'CB1', fn: '1', status: 'in-place' });
  const ref = { districtId: w.ids.districtId, buildingId: w.ids.buildingIds[1] };
  const form = await w.h.buildings.form(team(2), ref);
  await w.h.buildings.submit(team(2), { ...ref, periodId: form.periodId, version: 0, values: validValues });

  const nine = zonedTime('America/Detroit', 2026, 11, 24, 9, 0);
  w.clock.t = nine;
  const [r1, r2] = await Promise.all([w.h.runner.tick(nine), w.second.tick(nine)]);
  expect(r1.sent + r2.sent).toBe(2);
  expect(r1.skippedSubmitted + r2.skippedSubmitted).toBeGreaterThanOrEqual(1);
  // The next minute's ticks find the round done.
  const later = new Date(nine.getTime() + 60_000);
  expect((await w.h.runner.tick(later)).sent + (await w.second.tick(later)).sent).toBe(0);

  const nudges = w.messenger.nudges();
  expect(nudges.map((n) => n.to.channelId).sort()).toEqual(['CB2', 'CB3']);
  for (const n of nudges) expect(n.view).toMatchObject({ subject: 'plan', attempt: 1 });
  const digests = w.messenger.digests();
  expect(digests).toHaveLength(1);
  expect(digests[0]?.view.subject).toBe('plan');
  expect(digests[0]?.view.submitted.map((e) => e.name)).toEqual(['School 0001']);
  expect(digests[0]?.view.missing.map((e) => e.name)).toEqual(['School 0002', 'School 0003']);
  // Plan claims are kept apart from the monitoring-data nudges' (their count and escalation).
  const claims = (p: string) => w.store.nudges.claims.list('T1', w.ids.districtId, p);
  expect(await claims('2026-11')).toHaveLength(0);
  expect((await claims('plan:2026-11')).map((c) => c.status)).toEqual(['sent', 'sent']);

  // School 2 saves its plan: its nudge is redrawn as answered (in the background).
  w.clock.t = new Date(nine.getTime() + 3600_000);
  await w.plans.setEntry(team(2), 'building', {
    channelId: 'CB2',
    fn: '2',
    status: 'strengthen',
    actions: ['Monthly data meeting'],
  });
  await w.plans.redrawsDone();
  expect(w.messenger.updates).toHaveLength(1);
  const u = w.messenger.updates[0];
  expect(u?.to.channelId).toBe('CB2');
  expect(u?.view).toMatchObject({
    subject: 'plan',
    buildingName: 'School 0002',
    outcome: { kind: 'submitted', version: 1, by: 'UB2', byName: 'Lead 2' },
  });
  expect(u?.id).toBe(w.messenger.ids.get('CB2'));

  // Next weekday: only School 3 is left; its second nudge says so; a third round escalates it (escalate=2).
  const wed = zonedTime('America/Detroit', 2026, 11, 25, 9, 0);
  expect(await w.h.runner.tick(wed)).toMatchObject({ sent: 1, skippedSubmitted: 2, escalated: 0 });
  expect(w.messenger.nudges().at(-1)?.view).toMatchObject({ buildingName: 'School 0003', attempt: 2 });
  const thu = zonedTime('America/Detroit', 2026, 11, 26, 9, 0);
  expect(await w.h.runner.tick(thu)).toMatchObject({ sent: 1, escalated: 1 });
  expect(w.messenger.escalations()[0]?.view.buildings.map((b) => b.name)).toEqual(['School 0003']);
});

test('a monitoring schedule next to a plan schedule: each counts its own nudges; snoozes stay with monitoring', async () => {
  const w = await world();
  await w.h.schedules.add(coordinator, { channelId: 'C1', expression: 'every weekday at 9:00' });
  await w.h.schedules.add(coordinator, {
    channelId: 'C1',
    expression: 'every weekday at 10:00',
    subject: 'plan',
  });
  w.clock.t = zonedTime('America/Detroit', 2026, 11, 24, 8, 0);
  // School 1 snoozes its monitoring nudges for a week: the plan nudges still reach it.
  const b1 = { districtId: w.ids.districtId, buildingId: w.ids.buildingIds[0] };
  await w.h.schedules.snooze(team(1), { ...b1, length: '1w' });
  const mon = await w.h.runner.tick(zonedTime('America/Detroit', 2026, 11, 24, 9, 0));
  expect(mon).toMatchObject({ sent: 2, skippedSnoozed: 1 });
  const plan = await w.h.runner.tick(zonedTime('America/Detroit', 2026, 11, 24, 10, 0));
  expect(plan).toMatchObject({ sent: 3, skippedSnoozed: 0 });
  const byKind = (subject: 'plan' | undefined) =>
    w.messenger.nudges().filter((n) => n.view.subject === subject);
  expect(byKind(undefined)).toHaveLength(2);
  expect(byKind('plan').every((n) => n.view.attempt === 1)).toBe(true);
  expect(w.messenger.digests().map((d) => d.view.subject ?? 'monitoring')).toEqual(['monitoring', 'plan']);
  // A monitoring submission redraws monitoring nudges only; a plan saved redraws plan nudges only.
  await w.plans.setEntry(team(2), 'building', { channelId: 'CB2', fn: '1', status: 'in-place' });
  await w.plans.redrawsDone();
  expect(w.messenger.updates.map((u) => [u.to.channelId, u.view.subject])).toEqual([['CB2', 'plan']]);
});

test('`schedule add … kind=plan` through the command; a wrong kind is refused clearly', async () => {
  const { CommandService } = await import('../../src/app/commands');
  const { plainText } = await import('../../src/app/text');
  const w = await world();
  const commands = new CommandService(w.h.reviews, {
    plans: w.plans,
    nudges: { buildings: w.h.buildings, schedules: w.h.schedules },
  });
  const say = async (line: string) => {
    try {
      const r = await commands.run({ actor: coordinator, channelId: 'C1' }, line);
      return 'text' in r ? plainText(r.text) : '';
    } catch (e) {
      return `refused: ${(e as Error).message}`;
    }
  };
  expect(await say('schedule add "every Monday 8:00" kind=plan')).toMatch(
    /^Added schedule \S+: .*for every building, asking for the Building Action Planning template;/,
  );
  expect(await say('schedule add "every Monday 8:00" kind=budget')).toMatch(
    /^refused: "kind" is plan \(the Building Action Planning template\) or monitoring \(got "budget"\)/,
  );
  expect(await say('schedule list')).toMatch(/asking for the Building Action Planning template/);
});

test('a weekly plan schedule changes neither the monitoring period nor `nudge now` (monitoring data)', async () => {
  const w = await world();
  await w.h.schedules.add(coordinator, {
    channelId: 'C1',
    expression: 'every weekday at 9:00',
    subject: 'plan',
    period: 'week',
  });
  w.clock.t = zonedTime('America/Detroit', 2026, 11, 24, 11, 0);
  // The monitoring status and form stay monthly (the district's default), not the plan schedule's weeks.
  expect((await w.h.buildings.status(coordinator, 'C1')).period.id).toBe('2026-11');
  const form = await w.h.buildings.form(team(1), {
    districtId: w.ids.districtId,
    buildingId: w.ids.buildingIds[0],
  });
  expect(form.periodId).toBe('2026-11');
  // `nudge now` sends monitoring-data nudges, counted in the monthly period.
  const schedules = new ScheduleService({
    store: w.store,
    nudges: w.store.nudges,
    buildings: w.h.buildings,
    cron: cronParserEngine,
    clock: w.clock,
    ids: counterIds(),
    messenger: w.messenger,
  });
  const now = await schedules.nudgeNow(coordinator, 'C1');
  expect(now.periodLabel).toMatch(/November 2026/);
  expect(w.messenger.nudges().every((n) => n.view.subject === undefined)).toBe(true);
  expect(await w.store.nudges.claims.list('T1', w.ids.districtId, '2026-11')).toHaveLength(3);
});
