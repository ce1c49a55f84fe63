import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import { NudgeRunner } from '../../src/app/nudges/nudgeRunner';
import { digestSections, entryStatus } from '../../src/app/nudges/nudgeTexts';
import type { DigestEntry, DigestView } from '../../src/app/nudges/nudgeViews';
import type { Store } from '../../src/app/ports';
import { plainText } from '../../src/app/text';
import { DomainError } from '../../src/domain/errors';
import { zonedTime } from '../../src/domain/schedule';
import {
  coordinator,
  districtWithBuildings,
  makeNudges,
  RecordingMessenger,
  TestClock,
  validValues,
} from './support';

const TZ = 'America/Detroit';
let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
});
afterEach(async () => {
  await store.close();
});

const err = async (p: Promise<unknown>): Promise<DomainError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
};

describe('building teams', () => {
  test('register, list, rename, remove; only coordinators; one building per channel', async () => {
    const h = makeNudges(store, new TestClock());
    const { buildings } = await districtWithBuildings(h, 2);
    expect((await h.buildings.list(coordinator, 'C1')).map((b) => b.name)).toEqual([
      'School 0001',
      'School 0002',
    ]);
    const renamed = await h.buildings.rename(coordinator, {
      channelId: 'C1',
      building: 'school 0001',
      name: 'Oak Elementary',
    });
    expect(renamed).toMatchObject({ buildingId: buildings[0]?.buildingId, name: 'Oak Elementary' });
    expect(
      (
        await err(
          h.buildings.register(coordinator, { channelId: 'C1', name: 'Pine', buildingChannelId: 'CB2' }),
        )
      ).code,
    ).toBe('conflict');
    expect(
      (
        await err(
          h.buildings.register(coordinator, { channelId: 'C1', name: 'Pine', buildingChannelId: 'C1' }),
        )
      ).fields,
    ).toHaveProperty('buildingChannelId');
    const other = { tenantId: 'T1', userId: 'U_OTHER', displayName: 'Other' };
    expect(
      (await err(h.buildings.register(other, { channelId: 'C1', name: 'Pine', buildingChannelId: 'CB9' })))
        .code,
    ).toBe('not-coordinator');
    expect(
      (await err(h.buildings.remove(coordinator, { channelId: 'C1', building: 'Nowhere High' }))).code,
    ).toBe('invalid-input');
    await h.buildings.remove(coordinator, { channelId: 'C1', building: '#CB2' });
    expect((await h.buildings.list(coordinator, 'C1')).map((b) => b.name)).toEqual(['Oak Elementary']);
    // The channel is free again.
    await h.buildings.register(coordinator, { channelId: 'C1', name: 'Pine', buildingChannelId: 'CB2' });
    // Another tenant cannot see them.
    expect((await err(h.buildings.list({ ...coordinator, tenantId: 'T2' }, 'C1'))).code).toBe(
      'unknown-district',
    );
  });
});

describe('monitoring-data submissions', () => {
  test('field-level errors, nothing written; edits keep history; stale edits conflict; closed periods refuse', async () => {
    const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
    const h = makeNudges(store, clock);
    const { district, buildings } = await districtWithBuildings(h, 1);
    const b = buildings[0]?.buildingId as string;
    const member = { tenantId: 'T1', userId: 'UB1', displayName: 'Bea Building' };
    const base = { districtId: district.id, buildingId: b, periodId: '2026-11' };

    const bad = await err(
      h.buildings.submit(member, {
        ...base,
        values: {
          ...validValues,
          strategy: '  ',
          fidelityPercent: '120',
          impactValue: 'lots',
          interimTarget: '',
        },
      }),
    );
    expect(bad.code).toBe('invalid-input');
    expect(bad.fields).toEqual({
      strategy: 'must not be empty',
      fidelityPercent: 'must be at most 100',
      impactValue: 'must be a number',
      interimTarget: 'is required',
    });
    expect((await h.buildings.form(member, base)).version).toBe(0);

    const v1 = await h.buildings.submit(member, { ...base, values: validValues });
    expect(v1).toMatchObject({
      version: 1,
      editable: true,
      values: { fidelityPercent: '72', impactValue: '58' },
    });
    clock.advance(3600_000);
    const v2 = await h.buildings.submit(member, {
      ...base,
      version: 1,
      values: { ...validValues, fidelityPercent: '75' },
    });
    expect(v2.version).toBe(2);
    expect(v2.history.map((x) => x.version)).toEqual([1, 2]);
    expect((await h.buildings.form(member, base)).values.fidelityPercent).toBe('75');

    // A form drawn from version 1 is stale now.
    expect((await err(h.buildings.submit(member, { ...base, version: 1, values: validValues }))).code).toBe(
      'conflict',
    );
    // Two teammates saving the same version at once: one wins, one is told.
    const race = await Promise.allSettled([
      h.buildings.submit(member, { ...base, version: 2, values: validValues }),
      h.buildings.submit(coordinator, { ...base, version: 2, values: validValues }),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await h.nudges.submissions.list('T1', district.id, '2026-11')).length).toBe(3);

    // Not on the team and not a coordinator.
    const stranger = { tenantId: 'T1', userId: 'U_X', displayName: '' };
    expect((await err(h.buildings.submit(stranger, { ...base, version: 3, values: validValues }))).code).toBe(
      'not-member',
    );

    // December 1st 00:00 in Detroit closes November.
    clock.t = zonedTime(TZ, 2026, 12, 1, 0, 0);
    expect(
      (await err(h.buildings.submit(member, { ...base, version: 3, values: validValues }))).message,
    ).toMatch(/November 2026 period has closed/);
    const closed = await h.buildings.form(member, base);
    expect(closed).toMatchObject({ editable: false, version: 3 });
    expect(closed.history).toHaveLength(3);
    expect(
      (await err(h.buildings.submit(member, { ...base, periodId: '2027-01', values: validValues }))).code,
    ).toBe('invalid-state');
    expect(
      (await err(h.buildings.submit(member, { ...base, periodId: 'soon', values: validValues }))).fields,
    ).toHaveProperty('period');
  });
});

describe('schedules', () => {
  test('adding echoes the next three runs; invalid expressions are refused with an example', async () => {
    const clock = new TestClock(new Date('2026-11-23T15:00:00Z')); // Monday 10:00 EST
    const h = makeNudges(store, clock);
    await districtWithBuildings(h, 2);
    const view = await h.schedules.add(coordinator, {
      channelId: 'C1',
      expression: 'every Monday 8:00',
      holidays: ['2026-11-30'],
      endsOn: '2027-06-15',
    });
    expect(view).toMatchObject({
      cron: '0 8 * * 1',
      timezone: TZ,
      buildings: 'all',
      quietHours: '20:00-07:00',
    });
    expect(view.nextRuns).toEqual([
      'Tue 2026-12-01 07:00 EST',
      'Mon 2026-12-07 08:00 EST',
      'Mon 2026-12-14 08:00 EST',
    ]);
    const some = await h.schedules.add(coordinator, {
      channelId: 'C1',
      expression: '30 7 * * 1-5',
      buildings: ['School 0002'],
      quiet: 'off',
      weekends: true,
      timezone: 'America/Los_Angeles',
    });
    expect(some.buildings).toHaveLength(1);
    expect(some.nextRuns[0]).toBe('Mon 2026-11-23 07:30 PST'); // 15:00Z is 07:00 in Los Angeles
    expect((await h.schedules.list(coordinator, 'C1')).map((s) => s.cron)).toEqual([
      '0 8 * * 1',
      '30 7 * * 1-5',
    ]);

    const bad = await err(
      h.schedules.add(coordinator, { channelId: 'C1', expression: 'every Monday at eight' }),
    );
    expect(bad.message).toMatch(/Try "every Monday 8:00"/);
    expect(
      (
        await err(
          h.schedules.add(coordinator, { channelId: 'C1', expression: '0 8 * * 1', endsOn: '2026-01-01' }),
        )
      ).fields,
    ).toHaveProperty('endsOn');
    expect(
      (
        await err(
          h.schedules.add(coordinator, { channelId: 'C1', expression: '0 8 * * 1', timezone: 'Mars/Base' }),
        )
      ).fields,
    ).toHaveProperty('timezone');
    expect(
      (
        await err(
          h.schedules.add(coordinator, { channelId: 'C1', expression: '0 8 * * 1', buildings: ['Atlantis'] }),
        )
      ).code,
    ).toBe('invalid-input');
    const other = { tenantId: 'T1', userId: 'U_OTHER', displayName: '' };
    expect((await err(h.schedules.add(other, { channelId: 'C1', expression: '0 8 * * 1' }))).code).toBe(
      'not-coordinator',
    );
    await h.schedules.remove(coordinator, 'C1', some.scheduleId);
    expect(await h.schedules.list(coordinator, 'C1')).toHaveLength(1);
    expect(
      (await h.schedules.preview(coordinator, { channelId: 'C1', expression: 'every weekday at 7:45' }))
        .nextRuns,
    ).toHaveLength(3);
    expect(await h.schedules.list(coordinator, 'C1')).toHaveLength(1); // preview stores nothing
  });
});

describe('the nudge runner', () => {
  async function setup(n: number, escalateAfter = 2) {
    const clock = new TestClock(new Date('2026-11-23T15:00:00Z')); // Mon 10:00 EST
    const h = makeNudges(store, clock);
    const d = await districtWithBuildings(h, n);
    await h.schedules.add(coordinator, {
      channelId: 'C1',
      expression: 'every weekday at 9:00',
      escalateAfter,
    });
    return { h, clock, ...d };
  }
  const at = (y: number, m: number, d: number, hh: number, mm = 0) => zonedTime(TZ, y, m, d, hh, mm);

  test('each unsubmitted building gets one nudge per round; submitted ones are skipped; one digest', async () => {
    const { h, district, buildings } = await setup(3);
    h.clock.t = at(2026, 11, 24, 8, 59);
    expect((await h.runner.tick(h.clock.now())).sent).toBe(0);
    h.clock.t = at(2026, 11, 24, 9, 0);
    await h.buildings.submit(
      { tenantId: 'T1', userId: 'UB2', displayName: '' },
      {
        districtId: district.id,
        buildingId: buildings[1]?.buildingId,
        periodId: '2026-11',
        values: validValues,
      },
    );
    const r = await h.runner.tick(h.clock.now());
    expect(r).toMatchObject({ rounds: 1, sent: 2, skippedSubmitted: 1, digests: 1 });
    expect(
      h.messenger
        .nudges()
        .map((n) => n.to.channelId)
        .sort(),
    ).toEqual(['CB1', 'CB3']);
    expect(h.messenger.nudges()[0]?.view).toMatchObject({
      periodId: '2026-11',
      attempt: 1,
      districtName: 'Lakeview Schools',
    });
    const digest = h.messenger.digests()[0];
    expect(digest?.to).toEqual({ tenantId: 'T1', channelId: 'C1' });
    expect(digest?.view.submitted.map((e) => e.name)).toEqual(['School 0002']);
    expect(digest?.view.missing.map((e) => [e.name, e.nudges])).toEqual([
      ['School 0001', 1],
      ['School 0003', 1],
    ]);
    expect(digest?.view.nextRuns[0]).toBe('Wed 2026-11-25 09:00 EST');
    // Later ticks in the grace window send nothing more.
    for (let i = 1; i <= 5; i++) {
      h.clock.advance(60_000);
      expect((await h.runner.tick(h.clock.now())).sent).toBe(0);
    }
    expect(h.messenger.sent).toHaveLength(3);
  });

  test('snooze skips rounds until it ends, then one reminder; escalation after N missed nudges, once', async () => {
    const { h, district, buildings } = await setup(2, 2);
    const b1 = buildings[0]?.buildingId as string;
    h.clock.t = at(2026, 11, 24, 9, 0); // Tue
    await h.runner.tick(h.clock.now());
    expect(h.messenger.nudges()).toHaveLength(2);
    h.clock.t = at(2026, 11, 24, 10, 0);
    const s = await h.schedules.snooze(
      { tenantId: 'T1', userId: 'UB1', displayName: '' },
      { districtId: district.id, buildingId: b1, length: '1d' },
    );
    expect(plainText(s.text)).toMatch(/Wed 2026-11-25 10:00 EST/);
    await expect(
      h.schedules.snooze(
        { tenantId: 'T1', userId: 'U_STRANGER', displayName: '' },
        { districtId: district.id, buildingId: buildings[1]?.buildingId, length: '1w' },
      ),
    ).rejects.toMatchObject({ code: 'not-member' });
    expect(await h.nudges.snoozes.get('T1', district.id, buildings[1]?.buildingId as string)).toBeNull();
    h.clock.t = at(2026, 11, 25, 9, 0); // Wed round: building 1 snoozed
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ sent: 1, skippedSnoozed: 1 });
    h.clock.t = at(2026, 11, 25, 10, 0); // snooze ends → one reminder
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ reminders: 1, sent: 0 });
    h.clock.t = at(2026, 11, 25, 10, 1);
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ reminders: 0 });
    const reminder = h.messenger.nudges().find((n) => n.view.reminder);
    expect(reminder?.view).toMatchObject({ buildingId: b1, attempt: 2 });
    // Building 2 was nudged Tue and Wed (2 missed); Thu's round escalates it, once.
    h.clock.t = at(2026, 11, 26, 9, 0);
    const thu = await h.runner.tick(h.clock.now());
    expect(thu.escalated).toBe(2); // building 1 also had 2 (Tue nudge + reminder)
    const esc = h.messenger.escalations();
    expect(esc).toHaveLength(1);
    expect(esc[0]?.to.channelId).toBe('C1');
    expect(esc[0]?.view.buildings.map((b) => b.name)).toEqual(['School 0001', 'School 0002']);
    h.clock.t = at(2026, 11, 27, 9, 0);
    expect((await h.runner.tick(h.clock.now())).escalated).toBe(0);
    expect(h.messenger.digests().at(-1)?.view.escalated).toEqual([]);
  });

  test('a failed delivery is recorded and reported, not retried into a duplicate; others still go out', async () => {
    const { h, district } = await setup(3);
    const errors: string[] = [];
    (h.runner as unknown as { d: { onError: (w: string) => void } }).d.onError = (w) => errors.push(w);
    h.messenger.failFor.add('CB2');
    h.clock.t = at(2026, 11, 24, 9, 0);
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ sent: 2, failed: 1 });
    expect(errors).toEqual([expect.stringContaining('School 0002')]);
    const claims = await h.nudges.claims.list('T1', district.id, '2026-11');
    expect(claims.map((c) => c.status).sort()).toEqual(['failed', 'sent', 'sent']);
    // The digest says which building could not be reached and why, not that it was nudged like the others.
    const digest = h.messenger.digests().at(-1)?.view;
    expect(digest?.missing.map((e) => [e.name, e.undelivered])).toEqual([
      ['School 0001', null],
      ['School 0002', 'channel CB2 is gone'],
      ['School 0003', null],
    ]);
    const sections = digestSections(digest as DigestView);
    expect(sections.find((x) => x.kind === 'undelivered')?.entries.map((e) => e.name)).toEqual([
      'School 0002',
    ]);
    expect(entryStatus(digest?.missing[1] as DigestEntry, (digest as DigestView).timezone)).toBe(
      '1 nudge(s), this nudge not delivered: channel CB2 is gone',
    );
    h.clock.advance(60_000);
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ sent: 0, failed: 0 });
    // The next round reaches it once the app is in its channel, and the digest no longer lists it as unreachable.
    h.messenger.failFor.clear();
    h.clock.t = at(2026, 11, 25, 9, 0);
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ sent: 3, failed: 0 });
    expect(
      h.messenger
        .digests()
        .at(-1)
        ?.view.missing.every((e) => e.undelivered === null),
    ).toBe(true);
  });

  test('a district without building teams gets no nudges and no digest; weekly periods set the form default', async () => {
    const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
    const h = makeNudges(store, clock);
    const district = await h.reviews.setupDistrict(coordinator, { name: 'Empty', channelId: 'C1' });
    await h.schedules.add(coordinator, {
      channelId: 'C1',
      expression: 'every weekday at 9:00',
      period: 'week',
    });
    h.clock.t = at(2026, 11, 24, 9, 0);
    expect(await h.runner.tick(h.clock.now())).toMatchObject({ sent: 0, digests: 0, errors: 0 });
    expect(h.messenger.sent).toHaveLength(0);
    const b = await h.buildings.register(coordinator, {
      channelId: 'C1',
      name: 'Oak',
      buildingChannelId: 'CB1',
    });
    const form = await h.buildings.form(coordinator, { districtId: district.id, buildingId: b.buildingId });
    expect(form).toMatchObject({ periodId: '2026-W48', periodLabel: 'week of 2026-11-23' });
  });

  test('a replica that dies between claiming and sending: after the lease another replica sends that nudge once', async () => {
    const { h, district } = await setup(3);
    // Replica A: its send to CB2 never completes (the process is gone); its other sends go through.
    const hung = new RecordingMessenger();
    const realSend = hung.sendNudge.bind(hung);
    hung.sendNudge = (to, v) => (to.channelId === 'CB2' ? new Promise<undefined>(() => {}) : realSend(to, v));
    const a = new NudgeRunner({
      store,
      nudges: h.nudges,
      cron: cronParserEngine,
      messenger: hung,
      instanceId: 'A',
      graceMs: 6 * 3600_000,
    });
    const b = new NudgeRunner({
      store,
      nudges: h.nudges,
      cron: cronParserEngine,
      messenger: h.messenger,
      instanceId: 'B',
      graceMs: 6 * 3600_000,
      leaseMs: 150,
    });
    const now = at(2026, 11, 24, 9, 0);
    void a.tick(now); // never settles
    for (let i = 0; i < 200 && (await h.nudges.claims.list('T1', district.id, '2026-11')).length < 3; i++)
      await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    const rb = await b.tick(now);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140); // waited for the lease
    expect(rb).toMatchObject({ sent: 1, digests: 1, failed: 0 });
    const delivered = [...hung.nudges(), ...h.messenger.nudges()].map((n) => n.to.channelId).sort();
    expect(delivered).toEqual(['CB1', 'CB2', 'CB3']); // each once
    expect(h.messenger.nudges()[0]?.view).toMatchObject({ buildingName: 'School 0002', attempt: 1 });
    const digest = h.messenger.digests()[0]?.view;
    expect(digest?.missing.map((m) => m.nudges)).toEqual([1, 1, 1]);
    const claims = await h.nudges.claims.list('T1', district.id, '2026-11');
    expect(
      claims.filter((c) => c.buildingId === digest?.missing[1]?.buildingId).map((c) => c.status),
    ).toEqual(['sent', 'sent']);
    // Later ticks (either replica) send nothing more.
    expect((await b.tick(new Date(now.getTime() + 60_000))).sent).toBe(0);
  });

  test('after downtime the missed rounds are sent once (within the grace period), not once per missed tick', async () => {
    const { h } = await setup(2);
    // Every instance down from Monday until Thursday 11:00; grace 6 h: only Thursday 09:00 is due.
    h.clock.t = at(2026, 11, 26, 11, 0);
    const r = await h.runner.tick(h.clock.now());
    expect(r).toMatchObject({ rounds: 1, sent: 2, digests: 1 });
    expect(h.messenger.nudges().every((n) => n.view.attempt === 1)).toBe(true);
    // Down again from Thursday 8:00 until Friday 16:00 (past Friday's grace): nothing.
    h.clock.t = at(2026, 11, 27, 16, 0);
    expect((await h.runner.tick(h.clock.now())).rounds).toBe(0);
  });
});
