import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { type CommandResult, CommandService } from '../../src/app/commands';
import type { Store } from '../../src/app/ports';
import type { Actor } from '../../src/app/schemas';
import { coordinator, makeNudges, TestClock, validValues } from './support';

let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
});
afterEach(async () => store.close());

test('building, schedule and submissions commands', async () => {
  const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
  const h = makeNudges(store, clock);
  const commands = new CommandService(h.reviews, {
    nudges: { buildings: h.buildings, schedules: h.schedules },
  });
  // Replies as Slack shows them (RichText rendered as mrkdwn), so that the assertions read like the messages.
  const asSlack = (r: CommandResult) => ('text' in r ? { ...r, text: toMrkdwn(r.text) } : r);
  const run = async (line: string, actor: Actor = coordinator) =>
    asSlack(await commands.run({ actor, channelId: 'C1' }, line));
  await run('setup "Lakeview Schools"');
  expect(await run('building add "Oak Elementary" #CB1 <@UB1|Bea> <@UB2>')).toEqual({
    kind: 'text',
    text: 'Registered *Oak Elementary* (team channel <#CB1>, 2 member(s)).',
  });
  await run('building add "Pine Middle" #CB2');
  await expect(run('building add "No Channel"')).rejects.toMatchObject({
    message: expect.stringMatching(/Usage: building add/),
  });
  await run('building rename "Pine Middle" "Pine Middle School"');
  expect(await run('building members "Pine Middle School" <@UP1|Pat> <@UP2>')).toMatchObject({
    text: '*Pine Middle School* team: <@UP1>, <@UP2>.',
  });
  await expect(run('building members "Pine Middle School" Pat')).rejects.toMatchObject({
    code: 'invalid-input',
  });
  expect((await run('building list')).kind === 'text' && (await run('building list'))).toMatchObject({
    text: expect.stringMatching(/Oak Elementary — <#CB1>, 2 member\(s\)[\s\S]*Pine Middle School — <#CB2>/),
  });

  const added = await run(
    'schedule add "every Monday 8:00" for "Oak Elementary" until=2027-06-15 holidays=2026-11-30 escalate=2',
  );
  expect(added).toMatchObject({ kind: 'text' });
  const addedText = (added as { text: string }).text;
  expect(addedText).toMatch(/every Monday at 08:00 \(America\/Detroit\) for 1 building/);
  expect(addedText).toMatch(
    /Next runs:\n {2}• Tue 2026-12-01 07:00 EST\n {2}• Mon 2026-12-07 08:00 EST\n {2}• Mon 2026-12-14 08:00 EST/,
  );
  await expect(run('schedule add "every Moonday 8:00"')).rejects.toMatchObject({
    code: 'invalid-input',
    message: expect.stringMatching(/Try "every Monday 8:00"/),
  });
  await expect(run('schedule add "0 8 * * 1" bogus=1')).rejects.toMatchObject({
    message: /not a schedule option/,
  });
  const preview = (await run('schedule preview "30 7 * * 1-5" weekends quiet=off')) as { text: string };
  expect(preview.text).toMatch(
    /Preview \(nothing saved\)[\s\S]*Next runs:\n {2}• Tue 2026-11-24 07:30 EST\n {2}• Wed 2026-11-25 07:30 EST/,
  );
  const list = (await run('schedule list')) as { text: string };
  expect(list.text.match(/Next runs/g)).toHaveLength(1);
  const id = /`(s_[^`]+)`/.exec(list.text)?.[1] as string;

  const district = await h.reviews.districtForChannel(coordinator, 'C1');
  const oak = (await h.buildings.list(coordinator, 'C1')).find((b) => b.name === 'Oak Elementary');
  await h.buildings.submit(
    { tenantId: 'T1', userId: 'UB1', displayName: '' },
    { districtId: district.id, buildingId: oak?.buildingId, periodId: '2026-11', values: validValues },
  );
  const subs = (await run('submissions')) as { text: string };
  expect(subs.text).toMatch(
    /November 2026[\s\S]*1 of 2 building teams have submitted[\s\S]*✅ Oak Elementary — version 1[\s\S]*⏳ Pine Middle School/,
  );
  await expect(run('submissions 2026-13')).rejects.toMatchObject({ code: 'invalid-input' });

  const other = { tenantId: 'T1', userId: 'U_OTHER', displayName: '' };
  await expect(run('schedule add "every Monday 8:00"', other)).rejects.toMatchObject({
    code: 'not-coordinator',
  });
  expect(await run(`schedule remove ${id}`)).toMatchObject({
    text: expect.stringMatching(/Removed schedule/),
  });
  expect(await run('building remove "Pine Middle School"')).toMatchObject({
    text: expect.stringMatching(/Removed/),
  });
  expect(((await run('help')) as { text: string }).text).toMatch(/schedule add\|preview/);
});
