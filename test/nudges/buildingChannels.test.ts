import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { type CommandResult, CommandService } from '../../src/app/commands';
import { BuildingService } from '../../src/app/nudges/buildingService';
import type { Destination, NudgeMessenger } from '../../src/app/nudges/nudgePorts';
import { NudgeRunner } from '../../src/app/nudges/nudgeRunner';
import { digestSections } from '../../src/app/nudges/nudgeTexts';
import type { DigestView, EscalationView, NudgeView } from '../../src/app/nudges/nudgeViews';
import { ScheduleService } from '../../src/app/nudges/scheduleService';
import type { Store } from '../../src/app/ports';
import type { Actor } from '../../src/app/schemas';
import { plainText, type RichText } from '../../src/app/text';
import { coordinator, counterIds, makeService, TestClock } from '../support/fixtures';
import { RecordingMessenger, validValues } from './support';

/**
 * Building channels: `building here` / `building move` typed in the building's own channel, the welcome and the
 * unreachable mark, `nudge now`, and nudges redrawn once the team has submitted or snoozed.
 */

/** Records nudges with a message id, their redraws, and notices; `failFor` channels refuse everything. */
class ChatMessenger implements NudgeMessenger {
  private readonly rec = new RecordingMessenger();
  readonly failFor = this.rec.failFor;
  notices: Array<{ to: Destination; text: string }> = [];
  updates: Array<{ to: Destination; messageId: string; view: NudgeView }> = [];
  nudges = () => this.rec.nudges();
  digests = () => this.rec.digests();
  sendDigest = (to: Destination, v: DigestView) => this.rec.sendDigest(to, v);
  sendEscalation = (to: Destination, v: EscalationView) => this.rec.sendEscalation(to, v);
  async sendNudge(to: Destination, view: NudgeView) {
    await this.rec.sendNudge(to, view);
    return { messageId: `m${this.rec.nudges().length}` };
  }
  async updateNudge(to: Destination, messageId: string, view: NudgeView) {
    this.updates.push({ to, messageId, view });
  }
  async sendNotice(to: Destination, text: RichText) {
    if (this.failFor.has(to.channelId)) throw new Error('not_in_channel');
    this.notices.push({ to, text: plainText(text) });
  }
}

let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
});
afterEach(async () => store.close());

function world(clock = new TestClock(new Date('2026-11-23T15:00:00Z')), chat = new ChatMessenger()) {
  const reviews = makeService(store, clock);
  const ids = counterIds();
  const nudges = store.nudges;
  const buildings = new BuildingService({ store, nudges, clock, ids, notices: chat, messenger: chat });
  const schedules = new ScheduleService({
    store,
    nudges,
    buildings,
    cron: cronParserEngine,
    clock,
    ids,
    messenger: chat,
  });
  const runner = new NudgeRunner({
    store,
    nudges,
    cron: cronParserEngine,
    messenger: chat,
    instanceId: 'i1',
    graceMs: 6 * 3600_000,
  });
  const commands = new CommandService(reviews, { nudges: { buildings, schedules } });
  const run = async (line: string, actor: Actor = coordinator): Promise<string> => {
    const r: CommandResult = await commands.run({ actor, channelId: actor.channelId ?? 'C1' }, line);
    return 'text' in r ? toMrkdwn(r.text) : JSON.stringify(r);
  };
  const fails = (line: string, actor: Actor = coordinator) =>
    run(line, actor).then(
      (t) => `unexpectedly answered: ${t}`,
      (e: Error) => e.message,
    );
  return { reviews, buildings, schedules, runner, commands, run, fails, chat, clock };
}

const inChannel = (channelId: string, over: Partial<Actor> = {}): Actor => ({
  ...coordinator,
  channelId,
  ...over,
});

test('building here: typed in the building channel, linked to the district the coordinator coordinates', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  expect(await w.run('building here "Oak Elementary" <@UB1|Bea>', inChannel('CB1'))).toBe(
    'Registered *Oak Elementary* (team channel <#CB1>, 1 member(s)).',
  );
  expect(w.chat.notices).toEqual([
    {
      to: { tenantId: 'T1', channelId: 'CB1' },
      text: expect.stringMatching(/channel of the Oak Elementary building team of Lakeview Schools/),
    },
  ]);
  expect(await w.run('building list')).toMatch(/Oak Elementary — <#CB1>, 1 member\(s\)/);
  // Not from the district channel, not by someone who coordinates nothing, and not twice.
  expect(await w.fails('building here "Pine"')).toMatch(/This is a district channel/);
  expect(await w.fails('building here "Pine"', inChannel('CB2', { userId: 'U_NOBODY' }))).toMatch(
    /Only a coordinator of the district can register or move a building team/,
  );
  expect(await w.fails('building here "Oak Elementary"', inChannel('CB2'))).toMatch(
    /already registered\. To give it another channel, run `building move "Oak Elementary"`/,
  );
  expect(await w.fails('building here "Pine"', inChannel('CB1'))).toMatch(/already the channel of another/);
});

test('a coordinator of two districts names the district; a wrong name lists theirs', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  await w.run('setup "Hillside Schools"', inChannel('C2'));
  expect(await w.fails('building here "Oak"', inChannel('CB1'))).toMatch(
    /You coordinate more than one district \(Hillside Schools, Lakeview Schools\): name it/,
  );
  expect(await w.fails('building here "Oak" "Riverside"', inChannel('CB1'))).toMatch(
    /not coordinate a district named "Riverside"\. You coordinate: Hillside Schools, Lakeview Schools/,
  );
  await w.run('building here "Oak" "hillside schools"', inChannel('CB1'));
  expect(await w.run('building list', inChannel('C2'))).toMatch(/Oak — <#CB1>/);
  expect(await w.run('building list')).toMatch(/No building teams yet/);
});

test('Teams: a typed #name is refused with the way to do it; nothing is stored', async () => {
  const w = world();
  const teamsCoord = inChannel('19:district@thread.tacv2', { tenantId: 'teams:t1' });
  await w.run('setup "Lakeview Schools"', teamsCoord);
  expect(await w.fails('building add "Oak" #oak-team', teamsCoord)).toMatch(
    /"#oak-team" is not a channel the app can reach \(in Teams a typed #name is only text\)\. Run `building here "Oak"` in the building team's own channel/,
  );
  expect(await w.run('building list', teamsCoord)).toMatch(/No building teams yet/);
  // The real channel id still works, and so does `building here` in that channel.
  expect(await w.run('building add "Oak" 19:oak@thread.tacv2', teamsCoord)).toMatch(/Registered \*Oak\*/);
  expect(await w.run('building here "Pine"', { ...teamsCoord, channelId: '19:pine@thread.tacv2' })).toMatch(
    /Registered \*Pine\*/,
  );
});

test('a channel the app cannot post in: told at once, shown as unreachable, moved, cleared by a send', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  w.chat.failFor.add('CB1');
  const reply = await w.run('building add "Oak" #CB1');
  expect(reply).toMatch(
    /Registered \*Oak\* \(team channel <#CB1>, 0 member\(s\)\), but :warning: I could not post there: not_in_channel\. Until I can, its nudges will not arrive\. Add the MICIP app to that channel .* then run `nudge now` "Oak" in the district channel\./,
  );
  expect(await w.run('building list')).toMatch(/Oak — <#CB1>.* — ⚠️ unreachable: not_in_channel/);
  expect(await w.run('submissions')).toMatch(/⏳ Oak — <#CB1> — ⚠️ unreachable: not_in_channel/);
  // Re-adding is refused with the way to re-point it; `building move` in the new channel does.
  expect(await w.fails('building add "Oak" #CB9')).toMatch(/run `building move "Oak"` in that channel/);
  expect(await w.run('building move "Oak"', inChannel('CB9'))).toBe(
    'Moved *Oak* (team channel <#CB9>, 0 member(s)).',
  );
  expect(await w.run('building list')).not.toMatch(/unreachable/);
  // The old channel is free again.
  expect(await w.run('building add "Pine" #CB1')).toMatch(/Registered \*Pine\* .*could not post there/);
  // A later send that arrives clears the mark: the app was added to CB1, a nudge goes out.
  w.chat.failFor.delete('CB1');
  expect(await w.run('nudge now "Pine"')).toMatch(/Nudged 1 building team\(s\) for November 2026: Pine\./);
  expect(await w.run('building list')).not.toMatch(/unreachable/);
});

test('the digest lists a building unreachable since its registration, with the `nudge now` fix', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  await w.run('building add "Oak" #CB1');
  w.chat.failFor.add('CB2');
  await w.run('building add "Pine" #CB2');
  const district = await w.reviews.districtForChannel(coordinator, 'C1');
  const pine = (await w.buildings.list(coordinator, 'C1')).find((b) => b.name === 'Pine');
  await w.run('schedule add "every Monday 8:00"');
  // Pine is snoozed, so the round does not try it: the digest still says it cannot be reached, and why.
  await w.schedules.snooze(coordinator, {
    districtId: district.id,
    buildingId: pine?.buildingId,
    length: '1w',
  });
  w.clock.t = new Date('2026-11-30T13:00:00Z');
  expect(await w.runner.tick(w.clock.now())).toMatchObject({ sent: 1, failed: 0, digests: 1 });
  const digest = w.chat.digests()[0]?.view;
  expect(digest?.missing.map((e) => [e.name, e.undelivered])).toEqual([
    ['Oak', null],
    ['Pine', 'not_in_channel'],
  ]);
  expect(digestSections(digest as DigestView)[2]?.heading).toMatch(
    /Could not be reached \(1\): add the MICIP app .* then "nudge now" here nudges them at once/,
  );
});

test('nudge now: the buildings that have not submitted, once per press across replicas, counted', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  for (const [name, ch] of [
    ['Oak', 'CB1'],
    ['Pine', 'CB2'],
    ['Elm', 'CB3'],
  ])
    await w.run(`building add "${name}" #${ch}`);
  const district = await w.reviews.districtForChannel(coordinator, 'C1');
  const oak = (await w.buildings.list(coordinator, 'C1')).find((b) => b.name === 'Oak');
  await w.buildings.submit(
    { tenantId: 'T1', userId: 'UB1', displayName: '' },
    { districtId: district.id, buildingId: oak?.buildingId, periodId: '2026-11', values: validValues },
  );
  w.chat.failFor.add('CB3');
  // Two replicas handle the same press (a retried delivery) at once: each building is nudged once.
  const replica = world(w.clock, w.chat);
  const [a, b] = await Promise.all([w.run('nudge now'), replica.run('nudge now')]);
  expect(w.chat.nudges().map((n) => n.to.channelId)).toEqual(['CB2']);
  const replies = [a, b].join('\n');
  expect(replies.match(/Nudged 1 building team\(s\) for November 2026: Pine\./g)).toHaveLength(1);
  expect(replies).toMatch(/:warning: Could not reach 1: Elm \(channel CB3 is gone\)/);
  expect(replies).toMatch(/Nudged a moment ago, so not again: Elm, Pine\./);
  expect(replies).toMatch(/Already submitted: Oak\./);
  // 50 s later, in the next minute: still the same press for the buildings just nudged.
  w.clock.advance(50_000);
  expect(await w.run('nudge now "Pine"')).toMatch(/Nudged a moment ago, so not again: Pine/);
  // Later presses nudge again, and count: Pine's next nudge is its third this period.
  w.clock.advance(120_000);
  expect(await w.run('nudge now "Pine"')).toMatch(/Nudged 1 building team\(s\) for November 2026: Pine\./);
  w.clock.advance(120_000);
  await w.run('nudge now "Pine"');
  expect(w.chat.nudges().map((n) => n.view.attempt)).toEqual([1, 2, 3]);
  // Coordinators only, from the district channel.
  expect(await w.fails('nudge now', inChannel('C1', { userId: 'U_NOBODY' }))).toMatch(
    /Only a coordinator of this district can nudge building teams/,
  );
  expect(await w.fails('nudge now "Maple"')).toMatch(/There is no building "Maple"/);
  expect(await w.fails('nudge later')).toMatch(/Usage: nudge now/);
});

test('a posted nudge is redrawn when the team submits or snoozes', async () => {
  const w = world();
  await w.run('setup "Lakeview Schools"');
  await w.run('building add "Oak" #CB1');
  await w.run('nudge now');
  const district = await w.reviews.districtForChannel(coordinator, 'C1');
  const oak = (await w.buildings.list(coordinator, 'C1'))[0];
  const teacher = { tenantId: 'T1', userId: 'UB1', displayName: '' };
  await w.schedules.snooze(teacher, { districtId: district.id, buildingId: oak?.buildingId, length: '1d' });
  await w.buildings.redrawsDone();
  expect(w.chat.updates).toEqual([
    {
      to: { tenantId: 'T1', channelId: 'CB1' },
      messageId: 'm1',
      view: expect.objectContaining({
        buildingName: 'Oak',
        outcome: { kind: 'snoozed', until: 'Tue 2026-11-24 10:00 EST' },
      }),
    },
  ]);
  w.clock.advance(3600_000);
  await w.buildings.submit(teacher, {
    districtId: district.id,
    buildingId: oak?.buildingId,
    periodId: '2026-11',
    values: validValues,
  });
  await w.buildings.redrawsDone();
  expect(w.chat.updates[1]).toEqual({
    to: { tenantId: 'T1', channelId: 'CB1' },
    messageId: 'm1',
    view: expect.objectContaining({
      outcome: { kind: 'submitted', version: 1, at: '2026-11-23T16:00:00.000Z', by: 'UB1', byName: '' },
    }),
  });
});
