import type { Store } from '../../src/app/ports';
import type { Building } from '../../src/domain/building';
import type { NudgeClaim, Snooze } from '../../src/domain/nudge';
import type { Schedule } from '../../src/domain/nudgeSchedule';
import { DEFAULT_POLICY } from '../../src/domain/schedule';
import { currentByBuilding, type SubmissionVersion } from '../../src/domain/submission';

/**
 * The nudge and reflection repositories (`store.nudges`, `store.reflections`) on one Store adapter: semantics,
 * exactly-once claims, submission versions in order, tenant/district isolation, and the stored layout (the
 * key-value namespaces and keys existing deployments hold records under). `open` returns a fresh, empty store.
 */
export function nudgeRepoContract(name: string, open: () => Promise<Store>) {
  describe(`Nudge repositories: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    // A Teams-style tenant id with characters that the key layout encodes.
    const T = 'teams:t 1';
    const building = (id: string, over: Partial<Building> = {}): Building => ({
      id,
      tenantId: T,
      districtId: 'D1',
      name: `School ${id}`,
      channelId: `19:${id}@thread.tacv2`,
      members: ['U1'],
      createdAt: '2026-11-02T13:00:00.000Z',
      createdBy: 'U_COORD',
      ...over,
    });
    const schedule = (id: string, over: Partial<Schedule> = {}): Schedule => ({
      id,
      tenantId: T,
      districtId: 'D1',
      expression: 'every Monday 8:00',
      cron: '0 8 * * 1',
      description: 'every Monday at 08:00',
      timezone: 'America/Detroit',
      buildingIds: null,
      startsAt: '2026-11-02T13:00:00.000Z',
      endsAt: null,
      periodKind: 'month',
      policy: DEFAULT_POLICY,
      escalateAfter: 3,
      createdAt: '2026-11-02T13:00:00.000Z',
      createdBy: 'U_COORD',
      ...over,
    });
    const version = (
      buildingId: string,
      v: number,
      over: Partial<SubmissionVersion> = {},
    ): SubmissionVersion => ({
      tenantId: T,
      districtId: 'D1',
      buildingId,
      periodId: '2026-11',
      version: v,
      data: {
        strategy: 'Lesson study',
        implementationMeasure: 'Walkthroughs',
        fidelityPercent: 70 + v,
        impactMeasure: 'Benchmark',
        impactValue: 50,
        interimTarget: 60,
        meaning: 'Rising',
        recommendations: 'Keep going',
      },
      submittedAt: `2026-11-0${Math.min(v, 9)}T15:00:00.000Z`,
      submittedBy: 'U1',
      ...over,
    });
    const claim = (buildingId: string, occurrence: string, over: Partial<NudgeClaim> = {}): NudgeClaim => ({
      buildingId,
      scheduleId: 's1',
      occurrence,
      claimedAt: '2026-11-02T13:00:05.000Z',
      instance: 'replica-1',
      status: 'claimed',
      ...over,
    });
    const snooze = (buildingId: string, over: Partial<Snooze> = {}): Snooze => ({
      tenantId: T,
      districtId: 'D1',
      buildingId,
      scheduleId: 's1',
      periodId: '2026-11',
      until: '2026-11-03T13:00:00.000Z',
      setBy: 'U1',
      setAt: '2026-11-02T13:00:00.000Z',
      ...over,
    });

    test('buildings: put, get, list, replace, remove; a channel belongs to one building', async () => {
      const { buildings } = store.nudges;
      expect(await buildings.get(T, 'D1', 'b1')).toBeNull();
      await buildings.put(building('b1'));
      await buildings.put(building('b2'));
      await buildings.put({ ...building('b1'), name: 'Renamed' });
      expect(await buildings.get(T, 'D1', 'b1')).toEqual({ ...building('b1'), name: 'Renamed' });
      expect((await buildings.list(T, 'D1')).map((b) => b.id)).toEqual(['b1', 'b2']);
      await buildings.remove(building('b2'));
      expect(await buildings.get(T, 'D1', 'b2')).toBeNull();
      expect((await buildings.list(T, 'D1')).map((b) => b.id)).toEqual(['b1']);

      const owners = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          buildings.claimChannel(T, '19:x@thread.tacv2', { districtId: 'D1', buildingId: `b${i}` }),
        ),
      );
      expect(owners.filter(Boolean)).toHaveLength(1);
      const winner = `b${owners.indexOf(true)}`;
      expect(await buildings.channelOwner(T, '19:x@thread.tacv2')).toEqual({
        districtId: 'D1',
        buildingId: winner,
      });
      expect(await buildings.channelOwner('T2', '19:x@thread.tacv2')).toBeNull();
      await buildings.releaseChannel(T, '19:x@thread.tacv2');
      expect(await buildings.channelOwner(T, '19:x@thread.tacv2')).toBeNull();
      expect(
        await buildings.claimChannel(T, '19:x@thread.tacv2', { districtId: 'D1', buildingId: 'b9' }),
      ).toBe(true);
    });

    test('schedules: put, get, list by district, list all, remove', async () => {
      const { schedules } = store.nudges;
      await schedules.put(schedule('s1'));
      await schedules.put(schedule('s2', { expression: 'daily at noon' }));
      await schedules.put(schedule('s3', { districtId: 'D2' }));
      await schedules.put({ ...schedule('s1'), escalateAfter: 5 });
      expect(await schedules.get(T, 'D1', 's1')).toEqual({ ...schedule('s1'), escalateAfter: 5 });
      expect((await schedules.list(T, 'D1')).map((s) => s.id).sort()).toEqual(['s1', 's2']);
      expect((await schedules.listAll()).map((s) => s.id).sort()).toEqual(['s1', 's2', 's3']);
      await schedules.remove(schedule('s2'));
      expect(await schedules.get(T, 'D1', 's2')).toBeNull();
      expect((await schedules.listAll()).map((s) => s.id).sort()).toEqual(['s1', 's3']);
    });

    test('submissions: versions listed in order per building; a version is added once', async () => {
      const { submissions } = store.nudges;
      // Added out of order (and past 9, where an unpadded key would sort 10 before 2).
      const order = [3, 11, 1, 10, 2, 9, 4, 12, 5, 8, 6, 7];
      for (const v of order) expect(await submissions.add(version('b1', v))).toBe(true);
      for (const v of [2, 1]) expect(await submissions.add(version('b2', v))).toBe(true);
      const listed = await submissions.list(T, 'D1', '2026-11');
      const of = (b: string) => listed.filter((v) => v.buildingId === b).map((v) => v.version);
      expect(of('b1')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(of('b2')).toEqual([1, 2]);
      expect(listed.find((v) => v.buildingId === 'b1' && v.version === 4)).toEqual(version('b1', 4));
      const current = currentByBuilding(listed);
      expect(current.get('b1')?.version).toBe(12);
      expect(current.get('b2')?.version).toBe(2);

      // Two teammates saving the same next version at once: exactly one wins, the other is told.
      const saves = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          submissions.add(
            version('b2', 3, { submittedBy: `U${i}`, submittedAt: '2026-11-09T15:00:00.000Z' }),
          ),
        ),
      );
      expect(saves.filter(Boolean)).toHaveLength(1);
      expect(await submissions.add(version('b1', 12, { submittedBy: 'U_LATE' }))).toBe(false);
      const again = await submissions.list(T, 'D1', '2026-11');
      expect(again.filter((v) => v.buildingId === 'b2').map((v) => v.version)).toEqual([1, 2, 3]);
      expect(again.find((v) => v.buildingId === 'b1' && v.version === 12)?.submittedBy).toBe('U1');
      expect(await submissions.list(T, 'D1', '2026-12')).toEqual([]);
    });

    test('nudge claims: exactly one of many concurrent claims of an occurrence wins; updates keep the one record', async () => {
      const { claims } = store.nudges;
      const occ = '2026-11-02T13:00:00.000Z';
      const wins = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          claims.claim(T, 'D1', '2026-11', claim('b1', occ, { instance: `replica-${i}` })),
        ),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const owner = `replica-${wins.indexOf(true)}`;
      expect(await claims.claim(T, 'D1', '2026-11', claim('b1', occ))).toBe(false);
      // Another building, occurrence, takeover or reminder is a claim of its own.
      expect(await claims.claim(T, 'D1', '2026-11', claim('b2', occ))).toBe(true);
      expect(await claims.claim(T, 'D1', '2026-11', claim('b1', `${occ}|takeover`))).toBe(true);
      expect(await claims.claim(T, 'D1', '2026-11', claim('b1', `reminder:${occ}`))).toBe(true);
      await claims.update(T, 'D1', '2026-11', claim('b1', occ, { instance: owner, status: 'sent' }));
      await claims.update(
        T,
        'D1',
        '2026-11',
        claim('b2', occ, { status: 'failed', error: 'channel 19:b2@thread.tacv2 is gone' }),
      );
      const listed = await claims.list(T, 'D1', '2026-11');
      expect(listed).toHaveLength(4);
      expect(listed.find((c) => c.buildingId === 'b1' && c.occurrence === occ)).toEqual(
        claim('b1', occ, { instance: owner, status: 'sent' }),
      );
      expect(listed.find((c) => c.buildingId === 'b2')).toMatchObject({ status: 'failed', error: /gone/ });
      expect(await claims.list(T, 'D1', '2026-12')).toEqual([]);
    });

    test("round claims: a round's digest and a building's escalation in a period are claimed once", async () => {
      const { rounds } = store.nudges;
      const occ = '2026-11-02T13:00:00.000Z';
      expect(await rounds.digestClaimed('s1', occ)).toBe(false);
      const digests = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rounds.claimDigest('s1', occ, { instance: `r${i}`, at: occ })),
      );
      expect(digests.filter(Boolean)).toHaveLength(1);
      expect(await rounds.digestClaimed('s1', occ)).toBe(true);
      expect(await rounds.digestClaimed('s1', '2026-11-09T14:00:00.000Z')).toBe(false);
      expect(await rounds.digestClaimed('s2', occ)).toBe(false);
      expect(await rounds.claimDigest('s2', occ, { instance: 'r1', at: occ, empty: true })).toBe(true);

      const esc = { at: occ, scheduleId: 's1' };
      const escalations = await Promise.all(
        Array.from({ length: 20 }, () => rounds.claimEscalation(T, 'D1', '2026-11', 'b1', esc)),
      );
      expect(escalations.filter(Boolean)).toHaveLength(1);
      expect(await rounds.claimEscalation(T, 'D1', '2026-12', 'b1', esc)).toBe(true);
      expect(await rounds.claimEscalation(T, 'D1', '2026-11', 'b2', esc)).toBe(true);
      expect(await rounds.claimEscalation(T, 'D2', '2026-11', 'b1', esc)).toBe(true);
      expect(await rounds.claimEscalation('T2', 'D1', '2026-11', 'b1', esc)).toBe(true);
    });

    test('snoozes: one per building, replaced by a newer one, listed, removed', async () => {
      const { snoozes } = store.nudges;
      await snoozes.put(snooze('b1'));
      await snoozes.put(snooze('b2'));
      await snoozes.put(snooze('b1', { until: '2026-11-09T13:00:00.000Z' }));
      expect(await snoozes.get(T, 'D1', 'b1')).toEqual(snooze('b1', { until: '2026-11-09T13:00:00.000Z' }));
      expect((await snoozes.listAll()).map((s) => s.buildingId)).toEqual(['b1', 'b2']);
      await snoozes.remove(snooze('b1'));
      expect(await snoozes.get(T, 'D1', 'b1')).toBeNull();
      expect((await snoozes.listAll()).map((s) => s.buildingId)).toEqual(['b2']);
    });

    test('reflections: one answer per member, row and question, with its time as a Date', async () => {
      const at = new Date('2026-11-23T10:00:00.000Z');
      await store.reflections.put('r1', { rowId: 'row-1', question: 1, memberId: 'U1', text: 'First', at });
      await store.reflections.put('r1', { rowId: 'row-1', question: 2, memberId: 'U1', text: 'Second', at });
      await store.reflections.put('r1', { rowId: 'row-1', question: 1, memberId: 'U2', text: 'Other', at });
      const later = new Date('2026-11-24T10:00:00.000Z');
      await store.reflections.put('r1', {
        rowId: 'row-1',
        question: 1,
        memberId: 'U1',
        text: 'Again',
        at: later,
      });
      const listed = await store.reflections.list('r1');
      expect(listed).toEqual([
        { rowId: 'row-1', question: 1, memberId: 'U1', text: 'Again', at: later },
        { rowId: 'row-1', question: 1, memberId: 'U2', text: 'Other', at },
        { rowId: 'row-1', question: 2, memberId: 'U1', text: 'Second', at },
      ]);
      expect(listed[0]?.at).toBeInstanceOf(Date);
      expect(await store.reflections.list('r2')).toEqual([]);
    });

    test("isolation: a read for district B (or another tenant) never returns district A's records", async () => {
      const n = store.nudges;
      await n.buildings.put(building('b1'));
      await n.schedules.put(schedule('s1'));
      await n.submissions.add(version('b1', 1));
      await n.claims.claim(T, 'D1', '2026-11', claim('b1', '2026-11-02T13:00:00.000Z'));
      await n.snoozes.put(snooze('b1'));
      await store.reflections.put('r1', {
        rowId: 'row-1',
        question: 1,
        memberId: 'U1',
        text: 'A',
        at: new Date(),
      });
      for (const [t, d] of [
        [T, 'D2'],
        ['T2', 'D1'],
        ['teams:t', '1|D1'], // no key confusion from the separator inside an id
      ] as const) {
        expect(await n.buildings.get(t, d, 'b1')).toBeNull();
        expect(await n.buildings.list(t, d)).toEqual([]);
        expect(await n.schedules.get(t, d, 's1')).toBeNull();
        expect(await n.schedules.list(t, d)).toEqual([]);
        expect(await n.submissions.list(t, d, '2026-11')).toEqual([]);
        expect(await n.claims.list(t, d, '2026-11')).toEqual([]);
        expect(await n.snoozes.get(t, d, 'b1')).toBeNull();
        // The same building id in district B is a record of its own.
        await n.buildings.put(building('b1', { tenantId: t, districtId: d, name: 'B' }));
        expect(await n.submissions.add(version('b1', 1, { tenantId: t, districtId: d }))).toBe(true);
        expect(await n.claims.claim(t, d, '2026-11', claim('b1', '2026-11-02T13:00:00.000Z'))).toBe(true);
      }
      expect((await n.buildings.get(T, 'D1', 'b1'))?.name).toBe('School b1');
      expect(await n.buildings.list(T, 'D1')).toHaveLength(1);
      expect(await n.submissions.list(T, 'D1', '2026-11')).toHaveLength(1);
      expect(await n.claims.list(T, 'D1', '2026-11')).toHaveLength(1);
      expect(await store.reflections.list('r2')).toEqual([]);
    });

    test('stored layout: the records sit under the namespaces and keys deployments already hold', async () => {
      const n = store.nudges;
      const occ = '2026-11-02T13:00:00.000Z';
      const t = 'teams%3At%201';
      await n.buildings.put(building('b 1'));
      await n.buildings.claimChannel(T, '19:b@thread.tacv2', { districtId: 'D1', buildingId: 'b 1' });
      await n.schedules.put(schedule('s 1'));
      await n.submissions.add(version('b 1', 7));
      await n.claims.claim(T, 'D1', '2026-11', claim('b 1', occ, { scheduleId: 's 1' }));
      await n.rounds.claimDigest('s 1', occ, { instance: 'r1', at: occ });
      await n.rounds.claimEscalation(T, 'D1', '2026-11', 'b 1', { at: occ, scheduleId: 's 1' });
      await n.snoozes.put(snooze('b 1'));
      await store.reflections.put('r1', {
        rowId: 'row-1',
        question: 2,
        memberId: 'U1',
        text: 'Why',
        at: new Date(occ),
      });
      const kv = store.kv;
      expect(await kv.get(`nudge.buildings|${t}|D1`, 'b 1')).toEqual(building('b 1'));
      expect(await kv.get(`nudge.building-channels|${t}`, '19:b@thread.tacv2')).toEqual({
        districtId: 'D1',
        buildingId: 'b 1',
      });
      expect(await kv.get('nudge.schedules', `${t}|D1|s%201`)).toEqual(schedule('s 1'));
      expect(await kv.get(`nudge.submissions|${t}|D1|2026-11`, 'b%201|000007')).toEqual(version('b 1', 7));
      expect(await kv.get(`nudge.claims|${t}|D1|2026-11`, `b%201|s%201|${occ}`)).toEqual(
        claim('b 1', occ, { scheduleId: 's 1' }),
      );
      expect(await kv.get('nudge.once|digest', `s%201|${occ}`)).toEqual({ instance: 'r1', at: occ });
      expect(await kv.get('nudge.once|escalation', `${t}|D1|2026-11|b%201`)).toEqual({
        at: occ,
        scheduleId: 's 1',
      });
      expect(await kv.get('nudge.snoozes', `${t}|D1|b%201`)).toEqual(snooze('b 1'));
      expect(await kv.get('reflection:r1', 'row-1|2|U1')).toEqual({
        rowId: 'row-1',
        question: 2,
        memberId: 'U1',
        text: 'Why',
        at: occ,
      });
    });

    test('stored layout: records written by earlier releases read back through the repositories', async () => {
      const kv = store.kv;
      const t = 'teams%3At%201';
      const occ = '2026-11-02T13:00:00.000Z';
      await kv.put(`nudge.buildings|${t}|D1`, 'b1', building('b1'));
      await kv.put('nudge.schedules', `${t}|D1|s1`, schedule('s1'));
      await kv.put(`nudge.submissions|${t}|D1|2026-11`, 'b1|000001', version('b1', 1));
      await kv.put(`nudge.claims|${t}|D1|2026-11`, `b1|s1|${occ}`, claim('b1', occ));
      await kv.put('nudge.once|digest', `s1|${occ}`, { instance: 'old', at: occ });
      await kv.put('nudge.snoozes', `${t}|D1|b1`, snooze('b1'));
      await kv.put('reflection:r1', 'row-1|1|U1', {
        rowId: 'row-1',
        question: 1,
        memberId: 'U1',
        text: 'x',
        at: occ,
      });
      const n = store.nudges;
      expect(await n.buildings.get(T, 'D1', 'b1')).toEqual(building('b1'));
      expect(await n.schedules.get(T, 'D1', 's1')).toEqual(schedule('s1'));
      expect(await n.submissions.list(T, 'D1', '2026-11')).toEqual([version('b1', 1)]);
      expect(await n.submissions.add(version('b1', 1))).toBe(false);
      expect(await n.claims.list(T, 'D1', '2026-11')).toEqual([claim('b1', occ)]);
      expect(await n.claims.claim(T, 'D1', '2026-11', claim('b1', occ))).toBe(false);
      expect(await n.rounds.digestClaimed('s1', occ)).toBe(true);
      expect(await n.snoozes.get(T, 'D1', 'b1')).toEqual(snooze('b1'));
      expect(await store.reflections.list('r1')).toEqual([
        { rowId: 'row-1', question: 1, memberId: 'U1', text: 'x', at: new Date(occ) },
      ]);
    });
  });
}
