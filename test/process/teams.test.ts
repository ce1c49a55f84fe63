import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mdCell } from '../../src/app/reviews/resultsExport';
import { loadConfig } from '../../src/config';
import { levelLabel } from '../../src/domain/rubric';
import { type App, startApp } from '../../src/main';
import { waitFor } from '../slack/harness';
import { rubrics, TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsActivity,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from '../teams/support/activities';
import { type ConnectorCall, FakeConnector } from '../teams/support/fakeConnector';

/**
 * The toolkit's whole process in Teams, through POST /api/messages and a fake Bot Connector, with an injected clock:
 * Activity 1 picks on its card → a review split into two small groups → the groups' comparison → a whole-team
 * round → reflections → actions with owners (Teams mentions) → three buildings' Building Action Planning templates
 * (their cards) → the district's template prefilled from them → an owner's reminder → the next cycle's poll card
 * showing those actions and whether done; then the cycle's Markdown export (its signed download link) holds every
 * part. Asserts on content (texts, cards, stored data), not on which thread a message lands in.
 */
const RUBRIC = rubrics.get('culture-of-collaboration');
if (!RUBRIC) throw new Error('rubric culture-of-collaboration missing');
const TENANT = 'tenant-process';
const T = `teams:${TENANT}`;
const DISTRICT = '19:district@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const person = (key: string, name: string): TeamsUser => ({
  id: `29:${key}`,
  name,
  aadObjectId: `aad-${key}`,
});
const casey = person('casey', 'Casey Coordinator');
const ann = person('ann', 'Ann Able');
const bo = person('bo', 'Bo Baker');
const cy = person('cy', 'Cy Cole');
const di = person('di', 'Di Dane');
const ed = person('ed', 'Ed Eng');
const PEOPLE = [casey, ann, bo, cy, di, ed];
const clock = new TestClock(new Date('2026-11-24T14:00:00Z')); // Tuesday 09:00 in Detroit

let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fake.pagedMembers = PEOPLE;
  for (const p of PEOPLE) fake.directory.set(p.id, p);
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-process-teams-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'process-teams-test-secret-0123456789abcdef',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
    }),
    { clock, logger: testLogger() },
  );
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
});

const at = (channel: string): TeamsPlace => ({ serviceUrl: fake.url, tenant: TENANT, channel, bot: BOT });
const api = () => `${app.url}/api/messages`;
const posted = (calls: readonly ConnectorCall[]) =>
  calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/pagedmembers'));
const contentOf = (calls: readonly ConnectorCall[]) =>
  posted(calls)
    .map((c) => `${String(c.body.text ?? '')}\n${JSON.stringify(cardsOf([c]))}`)
    .join('\n');

/** Types a command (with people mentioned as `<at>Name</at>`) in a channel; what the bot posted while handling it. */
async function say(line: string, from: TeamsUser = casey, channel = DISTRICT, mentions: TeamsUser[] = []) {
  const mark = fake.calls.length;
  const base = teamsSay(at(channel), line, from);
  const activity = mentions.length
    ? teamsActivity(
        at(channel),
        {
          text: `<at>${BOT.name}</at> ${line}`,
          entities: [
            ...((base as { entities?: unknown[] }).entities ?? []),
            ...mentions.map((m) => ({
              type: 'mention',
              text: `<at>${m.name}</at>`,
              mentioned: { id: m.id, name: m.name },
            })),
          ],
        },
        from,
      )
    : base;
  expect((await postActivity(api(), activity)).status).toBe(200);
  await app.teams.idle();
  return contentOf(fake.calls.slice(mark));
}
async function install(channel: string) {
  expect((await postActivity(api(), teamsBotAdded(at(channel), casey))).status).toBe(200);
  await app.teams.idle();
}
async function click(from: TeamsUser, verb: string, data: Record<string, unknown>, channel = DISTRICT) {
  const r = await postActivity(api(), teamsInvoke(at(channel), from, verb, data));
  expect(r.json).toMatchObject({ statusCode: 200 });
  await app.teams.idle();
  return JSON.stringify((r.json as { value?: unknown } | null)?.value ?? {});
}
async function district() {
  const d = await app.store.districts.findByChannel(T, DISTRICT);
  if (!d) throw new Error('no district');
  return d;
}

test('the whole process in Teams, from Activity 1 to the next cycle, and the export of the cycle', async () => {
  await install(DISTRICT);
  expect(await say('setup "Lakeview Schools"')).toMatch(/now the district team/);
  await say('roster import');
  const { id: districtId } = await district();
  expect((await app.store.members.list(T, districtId)).map((m) => m.memberId).sort()).toEqual(
    PEOPLE.map((p) => p.aadObjectId).sort(),
  );

  // --- Activity 1 on its card ---
  const a1 = await say('activity1');
  const activityId =
    /"verb":"activity1","associatedInputs":"auto","data":\{"activityId":"([^"]+)"/.exec(a1)?.[1] ?? '';
  expect(activityId).not.toBe('');
  const picks: Array<[TeamsUser, number, string]> = [
    [ann, 2, 'Students own their learning when we plan together'],
    [bo, 2, 'Shared goals across buildings'],
    [cy, 1, 'Every learner gets the same support'],
  ];
  for (const [who, outcome, reason] of picks)
    expect(await click(who, 'activity1', { activityId, outcome: String(outcome), reason })).toContain(reason);

  // --- the review: the spread before round 1; two small groups ---
  const started = await say('review start "2026-27 Fall"');
  expect(started).toMatch(/Before round 1 — Activity 1/);
  expect(started).toMatch(/most chose outcome 2/);
  const review = (await app.store.reviews.listByDistrict(T, districtId))[0];
  const reviewId = review?.id ?? '';
  const rowIds = RUBRIC.rows.map((r) => r.id);
  const row1 = rowIds[0] as string;
  expect(await say('groups split 2')).toMatch(/split into 2 small groups/);
  const split = (await app.store.reviews.get(reviewId))?.groups?.groups ?? [];
  expect(split.map((g) => g.memberIds.length)).toEqual([3, 3]);
  const byAad = new Map(PEOPLE.map((p) => [p.aadObjectId, p]));
  const [groupA, groupB] = split.map((g) => g.memberIds.map((id) => byAad.get(id) as TeamsUser)) as [
    TeamsUser[],
    TeamsUser[],
  ];
  const vote = (who: TeamsUser, rowId: string, choice: number) =>
    click(who, 'vote', { reviewId, rowId, choice });
  for (const p of groupA) await vote(p, row1, 2);
  for (const p of groupB) await vote(p, row1, 3);
  for (const p of PEOPLE) for (const rowId of rowIds.slice(1)) await vote(p, rowId, 3);
  expect(await app.store.votes.listRound(reviewId, 1)).toHaveLength(PEOPLE.length * rowIds.length);
  await say('close');
  await waitFor(
    async () => (await app.store.reviews.get(reviewId))?.polls.every((p) => p.status !== 'voting') ?? false,
  );

  // --- the groups' comparison; then the whole team ---
  const compared = await say('groups compare');
  expect(compared).toMatch(/Group A.{0,40}: median 2 \(0·3·0·0\)/);
  expect(compared).toMatch(/Group B.{0,40}: median 3 \(0·0·3·0\)/);
  expect(compared).toMatch(/the groups differ by 1 level\(s\)/);
  expect(await say('groups clear')).toMatch(/are cleared/);
  await say('next');
  expect(await app.store.reviews.get(reviewId)).toMatchObject({ round: 2, roundStatus: 'open' });
  for (const p of PEOPLE) await vote(p, row1, 4);
  const round2 = await app.store.votes.listRound(reviewId, 2);
  expect(round2).toHaveLength(PEOPLE.length);
  expect(round2.every((v) => !v.group)).toBe(true);
  await say('close');
  await waitFor(async () => {
    const r = await app.store.reviews.get(reviewId);
    return r?.roundStatus === 'closed' && r.polls.every((p) => p.status !== 'voting');
  });
  expect((await app.store.reviews.get(reviewId))?.polls[0]?.outcome?.rating).toBe(4);

  // --- reflections, then actions with owners (mentioned) ---
  expect(await say('reflect 1 1 "We plan building by building"', ann)).toMatch(
    /Kept with the results of row 1/,
  );
  expect(await say('reflect 1 3 "Publish a shared planning calendar"', bo)).toMatch(/Kept with the results/);
  expect(
    await say(
      `action add 1 "Publish a shared planning calendar" owner=<at>${ann.name}</at> due=2026-11-26 target=4`,
      casey,
      DISTRICT,
      [ann],
    ),
  ).toMatch(/Action added/);
  expect(
    await say(
      `action add 2 "Monthly cross-building data meeting" owner=<at>${bo.name}</at> due=2027-01-15 target=4`,
      casey,
      DISTRICT,
      [bo],
    ),
  ).toMatch(/Action added/);
  const actions = await app.store.actions.listByDistrict(T, districtId);
  expect(actions.map((a) => [a.text, a.ownerId]).sort()).toEqual([
    ['Monthly cross-building data meeting', bo.aadObjectId],
    ['Publish a shared planning calendar', ann.aadObjectId],
  ]);

  // --- three buildings save their templates on the plan card; the district completes its own ---
  const buildings: Array<[string, string, TeamsUser, string]> = [
    ['Oak Elementary', '19:oak@thread.tacv2', person('olive', 'Olive Oak'), 'Oak: weekly data team meeting'],
    ['Pine Middle', '19:pine@thread.tacv2', person('pat', 'Pat Pine'), 'Pine: add a parent to the team'],
    ['Elm High', '19:elm@thread.tacv2', person('eli', 'Eli Elm'), 'Elm: name a data lead'],
  ];
  for (const [name, channel, lead, action] of buildings) {
    await install(channel);
    expect(await say(`building here "${name}"`, casey, channel)).toMatch(/Registered/);
    const form = await say('plan', lead, channel);
    expect(form).toContain('"verb":"plan-save"');
    const data = JSON.parse(
      /"verb":"plan-save","associatedInputs":"auto","data":(\{[^}]*\})/.exec(form)?.[1] ?? '{}',
    );
    const saved = await click(
      lead,
      'plan-save',
      { ...data, 'team.status': 'strengthen', 'team.actions': action },
      channel,
    );
    expect(saved).toContain('Saved version 1.');
  }
  const prefilled = await say('plan district');
  for (const [name, , , action] of buildings) {
    expect(prefilled).toContain(action);
    expect(prefilled).toContain(name);
  }
  expect(prefilled).toMatch(/3 strengthen/);
  expect(await say('plan district 1 create "Add a board member to the team"')).toMatch(/version 1/i);
  expect(await app.store.plans.listDistrict(T, districtId)).toHaveLength(4);

  // --- the owner's reminder (due within three days), then she marks it done ---
  clock.t = new Date('2026-11-25T14:00:00Z');
  const mark = fake.calls.length;
  expect(await app.actionReminders.tick(clock.now())).toMatchObject({ sent: 1, failed: 0 });
  await app.teams.idle();
  const reminder = contentOf(fake.calls.slice(mark));
  expect(reminder).toMatch(/Action reminder.*Ann Able.*Publish a shared planning calendar/s);
  expect(reminder).not.toContain('Monthly cross-building data meeting');
  const calendar = actions.find((a) => a.ownerId === ann.aadObjectId);
  expect(await say(`action done ${calendar?.id}`, ann)).toMatch(/Marked done/);

  // --- the next cycle: each row's poll card shows last cycle's actions and whether done ---
  const next = await say('review start "2027-28 Fall"');
  const cards = next.split('\n').filter((l) => l.includes('Last cycle'));
  const card = (title: string) => cards.find((c) => c.includes(title)) ?? '';
  expect(card(RUBRIC.rows[0]?.title ?? '')).toMatch(
    /2026-27 Fall.*1 of 1 done.*Publish a shared planning calendar/,
  );
  expect(card(RUBRIC.rows[1]?.title ?? '')).toMatch(
    /2026-27 Fall.*0 of 1 done.*Monthly cross-building data meeting/,
  );
  expect(cards.some((c) => c.includes(RUBRIC.rows[2]?.title ?? '-'))).toBe(false);

  // --- the Markdown export of the first cycle (its signed download link) holds every part ---
  const exported = await say('export md "2026-27 Fall"');
  const url = /\[Download [^\]]+\]\((http[^)\s]+)\)/.exec(exported)?.[1];
  expect(url).toMatch(/export\.md\?k=/);
  const md = await (await fetch(url as string)).text();
  expect(md).toContain('## Activity 1: the learner outcomes that resonate');
  expect(md).toMatch(/\*\*Outcome 2\*\* \(2\)/);
  expect(md).toContain('Students own their learning when we plan together');
  expect(md).toContain('## Small groups: round 1');
  expect(md).toMatch(/\| 1 \| [^|]+ \| 2 \(0·3·0·0\) \| 3 \(0·0·3·0\) \| differ by 1 level\(s\) \|/);
  expect(md).toContain(`## 1. ${RUBRIC.rows[0]?.title} — ${mdCell(levelLabel(RUBRIC, 4))}`);
  expect(md).toMatch(/\| 2 \| 0 \| 0 \| 0 \| 6 \| 0 \| 6 \| 4 \|/);
  expect(md).toContain('We plan building by building');
  expect(md).toMatch(/\| 1 \| Publish a shared planning calendar \| Ann Able \| 2026-11-26 \| [^|]+ \| done/);
  expect(md).toMatch(
    /\| 2 \| Monthly cross-building data meeting \| Bo Baker \| 2027-01-15 \| [^|]+ \| open \|/,
  );
  expect(md).toContain('## Action plans');
  for (const [, , , action] of buildings) expect(md).toContain(action);
  expect(md).toContain('Add a board member to the team');
});
