import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { PlanService } from '../../src/app/plans/planService';
import { overviewText } from '../../src/app/plans/planViews';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import {
  checkEntries,
  districtPrefill,
  functionsOf,
  latestPlans,
  sideBySide,
} from '../../src/domain/balance';
import { coordinator, makeNudges, TestClock } from '../nudges/support';
import { rubrics } from '../support/fixtures';

const content = rubrics.get('culture-of-collaboration')?.balance as NonNullable<
  ReturnType<typeof rubrics.get>
>['balance'] &
  object;

const at = (userId: string, channelId: string): Actor => ({
  tenantId: 'T1',
  userId,
  displayName: userId,
  channelId,
  conversation: 'channel',
});
/** Oak's team (UB1, in CB1), Pine's (UB2, in CB2); the district channel is C1; U_MEMBER is a district member. */
const oak = at('UB1', 'CB1');
const pine = at('UB2', 'CB2');

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const h = makeNudges(store, clock);
  await h.reviews.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  for (const [name, ch, m] of [
    ['Oak ES', 'CB1', 'UB1'],
    ['Pine MS', 'CB2', 'UB2'],
    ['Elm HS', 'CB3', 'UB3'],
  ] as const)
    await h.buildings.register(coordinator, { channelId: 'C1', name, buildingChannelId: ch, members: [m] });
  const plans = new PlanService({ store, rubrics, clock });
  const commands = new CommandService(h.reviews, {
    plans,
    nudges: { buildings: h.buildings, schedules: h.schedules },
  });
  const run = (a: Actor, line: string) => commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
  const say = async (a: Actor, line: string) => {
    const r = await run(a, line);
    return 'text' in r ? plainText(r.text) : 'message' in r ? plainText(r.message) : '';
  };
  await run(at('U_MEMBER', 'C1'), 'perspective district');
  return { store, clock, plans, run, say };
}

describe('domain: the templates and their checks', () => {
  test('entries: in the table order; an action is needed to create or strengthen; limits by field', () => {
    const ok = checkEntries(content, 'building', [
      { functionId: 'barriers', status: 'in-place', actions: [] },
      { functionId: 'team', status: 'create', actions: ['  Name a data lead ', ''] },
    ]);
    expect(ok).toEqual([
      { functionId: 'team', status: 'create', actions: ['Name a data lead'] },
      { functionId: 'barriers', status: 'in-place', actions: [] },
    ]);
    const refused = (entries: Parameters<typeof checkEntries>[2]) => {
      try {
        checkEntries(content, 'building', entries);
      } catch (e) {
        return { message: (e as Error).message, fields: (e as { fields: object }).fields };
      }
      return null;
    };
    expect(refused([{ functionId: 'team', status: 'strengthen', actions: [] }])).toEqual({
      message: '"Teams and membership" is to strengthen: say at least one action. Nothing was saved.',
      fields: { 'team.actions': 'is to strengthen: say at least one action' },
    });
    expect(refused([{ functionId: 'needs', status: 'create', actions: ['x'.repeat(301)] }])?.fields).toEqual({
      'needs.actions': 'has an action longer than 300 characters',
    });
    expect(
      refused([{ functionId: 'needs', status: 'create', actions: Array(11).fill('a') }])?.fields,
    ).toEqual({
      'needs.actions': 'has 11 actions; at most 10',
    });
    expect(refused([{ functionId: 'nope', status: 'create', actions: ['a'] }])?.fields).toEqual({
      'nope.status': 'is not a function of this template',
    });
  });

  test('side by side and the district prefill count what each building said about the same row', () => {
    const b = [
      { id: 'b2', name: 'Pine' },
      { id: 'b1', name: 'Oak' },
      { id: 'b3', name: 'Elm' },
    ];
    const v = (buildingId: string, entries: Parameters<typeof checkEntries>[2], version = 1) => ({
      tenantId: 'T',
      districtId: 'D',
      buildingId,
      version,
      entries,
      submittedAt: '2026-11-23T15:00:00.000Z',
      submittedBy: 'U',
    });
    const latest = latestPlans([
      v('b1', [{ functionId: 'team', status: 'in-place', actions: [] }]),
      v('b1', [{ functionId: 'team', status: 'create', actions: ['Oak a'] }], 2),
      v('b2', [{ functionId: 'team', status: 'strengthen', actions: ['Pine a', 'Pine b'] }]),
    ]);
    const s = sideBySide(content, b, latest);
    expect(s.buildings.map((x) => [x.name, x.version])).toEqual([
      ['Oak', 2],
      ['Pine', 1],
    ]);
    expect(s.statuses[0]).toEqual(['create', 'strengthen']);
    expect(s.statuses[1]).toEqual([null, null]);
    expect(s.notSubmitted.map((x) => x.name)).toEqual(['Elm']);
    const p = districtPrefill(content, b, latest);
    expect(p.map((x) => x.fn.id)).toEqual(functionsOf(content, 'district').map((f) => f.id));
    expect(p[0]?.counts).toEqual({ 'in-place': 0, create: 1, strengthen: 1 });
    expect(p[0]?.actions.map((a) => `${a.building}:${a.action}`)).toEqual([
      'Oak:Oak a',
      'Pine:Pine a',
      'Pine:Pine b',
    ]);
    expect(p[0]?.buildingFunction?.text).toMatch(/^Identify the building continuous improvement team/);
  });
});

describe('plans through the commands and the service', () => {
  test('a building team sets functions from its channel: each save a version, the history kept', async () => {
    const w = await world();
    const first = await w.run(oak, 'plan');
    expect(first.kind === 'plan' && first.plan.version).toBe(0);
    expect(first.kind === 'plan' && first.plan.canSave).toBe(true);
    expect(first.kind === 'plan' && first.plan.functions).toHaveLength(7);
    await w.run(oak, 'plan 1 strengthen "Add a parent representative" "Meet monthly"');
    w.clock.advance(60_000);
    const r = await w.run(oak, 'plan 4 in-place');
    if (r.kind !== 'plan') throw new Error('expected a plan');
    expect(r.plan.version).toBe(2);
    expect(r.plan.history.map((h) => [h.version, h.submittedBy])).toEqual([
      [1, 'UB1'],
      [2, 'UB1'],
    ]);
    expect(r.plan.functions[0]).toMatchObject({
      status: 'strengthen',
      actions: ['Add a parent representative', 'Meet monthly'],
    });
    expect(r.plan.functions[3]).toMatchObject({ status: 'in-place', actions: [] });
    expect(r.plan.history[1]?.submittedAt).toBe(w.clock.now().toISOString());
    // The earlier version is kept as it was.
    const stored = await w.store.plans.list('T1', r.plan.districtId, r.plan.buildingId);
    expect(stored.map((v) => v.entries.length)).toEqual([1, 2]);
  });

  test('the form saves every function at once; bad input is refused by field and nothing is written', async () => {
    const w = await world();
    const f = await w.plans.buildingForm(pine, { channelId: 'CB2' });
    const values = {
      'team.status': 'create',
      'team.actions': 'Name a lead\n\nInvite a parent',
      'needs.status': 'in-place',
    };
    await expect(
      w.plans.save(pine, {
        districtId: f.districtId,
        buildingId: f.buildingId,
        version: 0,
        values: { ...values, 'goals.actions': 'no status' },
      }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      fields: { 'goals.status': 'choose in place, create or strengthen' },
    });
    await expect(
      w.plans.save(pine, {
        districtId: f.districtId,
        buildingId: f.buildingId,
        version: 0,
        values: { ...values, 'barriers.status': 'create' },
      }),
    ).rejects.toMatchObject({ fields: { 'barriers.actions': 'is to create: say at least one action' } });
    expect(await w.store.plans.list('T1', f.districtId, f.buildingId)).toEqual([]);
    const saved = await w.plans.save(pine, {
      districtId: f.districtId,
      buildingId: f.buildingId,
      version: 0,
      values,
    });
    expect(saved.functions[0]).toMatchObject({
      status: 'create',
      actions: ['Name a lead', 'Invite a parent'],
    });
    // A save from the form drawn before it (version 0) is a conflict: the teammate's version is not overwritten.
    await expect(
      w.plans.save(pine, { districtId: f.districtId, buildingId: f.buildingId, version: 0, values }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await w.store.plans.list('T1', f.districtId, f.buildingId)).toHaveLength(1);
  });

  test('plans: functions × buildings and who has not submitted; plan district prefilled; a coordinator saves it', async () => {
    const w = await world();
    await w.run(oak, 'plan 1 create "Oak: name a data lead"');
    await w.run(pine, 'plan 1 strengthen "Pine: meet monthly"');
    await w.run(pine, 'plan 2 in-place');
    const overview = await w.say(coordinator, 'plans');
    expect(overview).toContain('1. Teams and membership — Oak ES: create · Pine MS: strengthen');
    expect(overview).toContain('2. Needs, assets and root cause — Oak ES: not answered · Pine MS: in place');
    expect(overview).toContain('Not submitted yet: Elm HS');
    expect(await w.say(at('U_MEMBER', 'C1'), 'plans')).toBe(overview);
    const d = await w.run(coordinator, 'plan district');
    if (d.kind !== 'plan') throw new Error('expected a plan');
    expect(d.plan.side).toBe('district');
    expect(d.plan.canSave).toBe(true);
    expect(d.plan.functions[0]?.buildings?.counts).toEqual({ 'in-place': 0, create: 1, strengthen: 1 });
    expect(d.plan.functions[0]?.buildings?.actions.map((a) => a.action)).toEqual([
      'Oak: name a data lead',
      'Pine: meet monthly',
    ]);
    expect(plainText(d.message)).toContain('– Oak ES (create): Oak: name a data lead');
    const saved = await w.run(coordinator, 'plan district 1 strengthen "Board member on the team"');
    expect(saved.kind === 'plan' && saved.plan.version).toBe(1);
    expect(await w.say(coordinator, 'plans')).toContain('District plan: version 1');
    // A member reads the district form but cannot save it.
    const asMember = await w.run(at('U_MEMBER', 'C1'), 'plan district');
    expect(asMember.kind === 'plan' && asMember.plan.canSave).toBe(false);
    await expect(w.run(at('U_MEMBER', 'C1'), 'plan district 2 create "x"')).rejects.toThrow(
      /Only a coordinator/,
    );
  });

  test('who may: the team in its channel saves; a coordinator reads; a district member and an outsider cannot', async () => {
    const w = await world();
    await w.run(oak, 'plan 1 create "Oak secret action"');
    // Oak's member outside Oak's channel, Pine's member in Oak's channel, a district member there: refused.
    await expect(w.run(at('UB1', 'CB2'), 'plan 1 create "x"')).rejects.toThrow(
      /Only the building team, in its own channel/,
    );
    await expect(w.run(at('UB2', 'CB1'), 'plan')).rejects.toThrow(/no longer registered/);
    await expect(w.run(at('U_MEMBER', 'CB1'), 'plan 1 create "x"')).rejects.toThrow(/Only the building team/);
    // A coordinator reads a building's plan (read-only) and cannot save the team's template.
    const asCoord = await w.run({ ...coordinator, channelId: 'CB1' }, 'plan');
    expect(asCoord.kind === 'plan' && asCoord.plan.canSave).toBe(false);
    expect(plainText(asCoord.kind === 'plan' ? asCoord.message : (undefined as never))).toContain(
      'Oak secret action',
    );
    await expect(w.run({ ...coordinator, channelId: 'CB1' }, 'plan 1 create "x"')).rejects.toThrow(
      /Only the building team/,
    );
    // Outsiders: another workspace, a channel that is nobody's.
    await expect(w.run({ ...oak, tenantId: 'T9' }, 'plan')).rejects.toThrow(/not a building team's channel/);
    await expect(w.run(at('U_X', 'C9'), 'plans')).rejects.toThrow(/not set up as a district team/);
    await expect(w.run(at('U_X', 'C9'), 'plan district')).rejects.toThrow(/not set up as a district team/);
    // In the district channel, `plan` says what to use there.
    await expect(w.run(coordinator, 'plan')).rejects.toThrow(/"plans" shows every building's plan/);
    expect(
      await w.store.plans.listDistrict(
        'T1',
        (await w.plans.districtForm(coordinator, { channelId: 'C1' })).districtId,
      ),
    ).toHaveLength(1);
  });

  test('hostile action text is stored as typed and stays a user value in every reply', async () => {
    const w = await world();
    const hostile =
      '<!channel> *bold* [x](https://evil.test) =HYPERLINK("http://e") <script>alert(1)</script> \u202Eabc';
    await w.run(oak, `plan 1 create "${hostile.replace(/"/g, "'")}"`);
    const d = await w.run(coordinator, 'plan district');
    if (d.kind !== 'plan') throw new Error('expected a plan');
    const stored = d.plan.functions[0]?.buildings?.actions[0]?.action;
    expect(stored).toBe(hostile.replace(/"/g, "'"));
    // Every span carrying the action is a user span (escaped by each renderer), never the product's words.
    const spans = d.message.spans.filter((s) => 'text' in s && s.text.includes('<!channel>'));
    expect(spans.map((s) => s.kind)).toEqual(['user']);
    const o = overviewText(await w.plans.overview(coordinator, { channelId: 'C1' }));
    expect(o.spans.filter((s) => s.kind === 'plain' && /Oak ES/.test(s.text))).toEqual([]);
    // Control characters are refused, with nothing written.
    await expect(w.run(oak, 'plan 2 create "bell\u0007"')).rejects.toMatchObject({ code: 'invalid-input' });
    expect(
      await w.store.plans.list(
        'T1',
        d.plan.districtId,
        (await w.plans.buildingForm(oak, { channelId: 'CB1' })).buildingId,
      ),
    ).toHaveLength(1);
  });

  test('usage: a status word is required', async () => {
    const w = await world();
    await expect(w.run(oak, 'plan 2 maybe "x"')).rejects.toThrow(/Give the function's number and a status/);
    await expect(w.run(oak, 'plan 9 create "x"')).rejects.toThrow(
      /There is no function "9": give its number, 1 to 7/,
    );
  });
});
