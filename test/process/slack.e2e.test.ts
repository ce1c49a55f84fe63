import { ACTIVITY1_ACTION } from '../../src/adapters/slack/activity1Blocks';
import { mdCell } from '../../src/app/reviews/resultsExport';
import { levelLabel } from '../../src/domain/rubric';
import {
  type SlackHarness,
  startReviewViaSlack,
  startSlackHarness,
  voteViaSlack,
  waitFor,
} from '../slack/harness';
import { voteClick } from '../slack/signedClient';
import { rubrics, TestClock } from '../support/fixtures';

/**
 * The toolkit's whole process in Slack, through the real endpoint (signed slash commands, clicks and modal
 * submissions; the fake Slack Web API enforcing the published rate-limit tiers) with an injected clock: Activity 1
 * picks → a review split into two small groups → the groups' comparison → a whole-team round → reflections →
 * actions with owners → three buildings' Building Action Planning templates → the district's template prefilled
 * from them → an owner's reminder → the next cycle's poll showing those actions and whether done; then the
 * Markdown export of the cycle holds every part. Asserts on content (texts, stored data), not on threads.
 */
const dbName = `micip_process_slack_${process.pid}`;
const SECRET = 'test-signing-secret-process-0123';
const RUBRIC = rubrics.get('culture-of-collaboration');
if (!RUBRIC) throw new Error('rubric culture-of-collaboration missing');
const PEOPLE = ['U_COORD', 'UA', 'UB', 'UC', 'UD', 'UE'];
/** Tuesday 2026-11-24, 09:00 in Detroit. */
const clock = new TestClock(new Date('2026-11-24T14:00:00Z'));

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness(dbName, SECRET, { NUDGES: 'off' }, { tiers: true }, { clock });
  h.fake.channelMembers.set('C1', PEOPLE);
});

afterAll(async () => {
  await h?.stop();
});

const texts = (calls: ReturnType<typeof h.fake.of>) =>
  calls.map((c) => `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? '')}`);

/**
 * `/micip <text>` as `user` in `channel`; the first message after it (to them privately, or posted anywhere: a
 * reply may land in a thread) that matches `pattern`.
 */
async function say(text: string, pattern: RegExp, user = 'U_COORD', channel = 'C1'): Promise<string> {
  const mark = h.fake.calls.length;
  await h.slack.command({ text, user_id: user, channel_id: channel });
  const found = () =>
    texts(
      h.fake.calls
        .slice(mark)
        .filter(
          (c) =>
            (c.method === 'chat.postEphemeral' && c.args.user === user) ||
            c.method === 'chat.postMessage' ||
            c.method === 'response_url',
        ),
    ).find((t) => pattern.test(t));
  await waitFor(() => found() !== undefined, 15_000);
  return found() ?? '';
}

async function store() {
  const district = await h.app.store.districts.findByChannel('T1', 'C1');
  if (!district) throw new Error('no district');
  return { s: h.app.store, districtId: district.id };
}

test('the whole process in Slack, from Activity 1 to the next cycle, and the export of the cycle', async () => {
  await say('setup "Lakeview Schools"', /now the district team/);
  await say('roster import', /added/);

  // --- Activity 1: three people pick the learner outcome that resonates, and say why ---
  const mark = h.fake.of('chat.postMessage').length;
  await h.slack.command({ text: 'activity1', user_id: 'U_COORD' });
  await waitFor(() => h.fake.of('chat.postMessage').length > mark);
  const a1 = h.fake.of('chat.postMessage').at(-1);
  const a1Blocks = JSON.parse(JSON.stringify(a1?.args.blocks)) as Array<Record<string, unknown>>;
  const buttons = a1Blocks.flatMap((b) =>
    b.accessory ? [b.accessory as { action_id: string; value: string }] : [],
  );
  const picks: Array<[string, number, string]> = [
    ['UA', 2, 'Students own their learning when we plan together'],
    ['UB', 2, 'Shared goals across buildings'],
    ['UC', 1, 'Every learner gets the same support'],
  ];
  for (const [user, outcome, reason] of picks) {
    const opened = h.fake.of('views.open').length;
    const b = buttons[outcome - 1];
    await h.slack.payload({
      ...voteClick({ user, actionId: b?.action_id ?? '', value: b?.value ?? '' }),
      message: { ts: '1.0', blocks: a1Blocks },
    });
    await waitFor(() => h.fake.of('views.open').length > opened);
    const view = JSON.parse(JSON.stringify(h.fake.of('views.open').at(-1)?.args.view)) as Record<
      string,
      unknown
    >;
    const saved = await h.slack.payload({
      type: 'view_submission',
      team: { id: 'T1', domain: 'lakeview' },
      user: { id: user, username: user, name: user, team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: `trig.${user}`,
      view: {
        ...view,
        id: `V${user}`,
        team_id: 'T1',
        state: { values: { reason: { text: { type: 'plain_text_input', value: reason } } } },
      },
    });
    expect(JSON.parse(saved.body)).toMatchObject({ response_action: 'update' });
  }
  expect(buttons.map((b) => b.action_id)).toEqual([1, 2, 3].map((n) => `${ACTIVITY1_ACTION.pick}_${n}`));

  // --- the review: Activity 1's spread before round 1; two small groups ---
  const before = h.fake.of('chat.postMessage').length;
  const { reviewId, rowIds } = await startReviewViaSlack(h, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  expect(texts(h.fake.of('chat.postMessage').slice(before)).join('\n')).toMatch(
    /Before round 1 — Activity 1.*outcome 1: \*1\* · outcome 2: \*2\* · outcome 3: \*0\* \(3 people\).*most chose outcome 2/,
  );
  await say('groups split 2', /split into 2 small groups/);
  const { s, districtId } = await store();
  const split = (await s.reviews.get(reviewId))?.groups?.groups ?? [];
  expect(split.map((g) => g.memberIds.length)).toEqual([3, 3]);
  const [groupA, groupB] = split.map((g) => g.memberIds) as [string[], string[]];

  // Round 1 in the groups: they rate row 1 a level apart, and agree on the other rows.
  const vote = (user: string, rowId: string, choice: string) =>
    voteViaSlack(h, { team: 'T1', channel: 'C1', user, reviewId, rowId, choice });
  const row1 = RUBRIC.rows[0]?.id as string;
  expect(rowIds).toContain(row1);
  for (const u of groupA) await vote(u, row1, '2');
  for (const u of groupB) await vote(u, row1, '3');
  for (const u of PEOPLE) for (const rowId of rowIds.filter((r) => r !== row1)) await vote(u, rowId, '3');
  await waitFor(
    async () => (await s.votes.listRound(reviewId, 1)).length === PEOPLE.length * rowIds.length,
    20_000,
  );
  expect((await s.votes.listRow(reviewId, row1, 1)).map((v) => v.group).sort()).toEqual([
    'Group A',
    'Group A',
    'Group A',
    'Group B',
    'Group B',
    'Group B',
  ]);
  await h.slack.command({ text: 'close', user_id: 'U_COORD' });
  await waitFor(
    async () => (await s.reviews.get(reviewId))?.polls.every((p) => p.status !== 'voting') ?? false,
    15_000,
  );

  // --- the groups' comparison, then the whole team goes on ---
  const compared = await say('groups compare', /Small groups of/);
  expect(compared).toMatch(/Group A: median 2 \(0·3·0·0\)/);
  expect(compared).toMatch(/Group B: median 3 \(0·0·3·0\)/);
  expect(compared).toMatch(/the groups differ by 1 level\(s\)/);
  await say('groups clear', /are cleared/);
  await h.slack.command({ text: 'next', user_id: 'U_COORD' });
  await waitFor(async () => {
    const r = await s.reviews.get(reviewId);
    return r?.round === 2 && r.roundStatus === 'open';
  }, 15_000);
  // Round 2's polls are new messages: the same choice as in round 1 (group B's 3) right after `next` is a vote.
  for (const u of PEOPLE)
    expect(
      (
        await h.slack.payload(
          voteClick({ user: u, actionId: 'micip_vote_3', value: `${reviewId}|${row1}`, ts: '2.0' }),
        )
      ).status,
    ).toBe(200);
  await waitFor(async () => (await s.votes.listRound(reviewId, 2)).length === PEOPLE.length, 15_000);
  expect((await s.votes.listRound(reviewId, 2)).every((v) => !v.group)).toBe(true);
  await h.slack.command({ text: 'close', user_id: 'U_COORD' });
  await waitFor(async () => {
    const r = await s.reviews.get(reviewId);
    return r?.roundStatus === 'closed' && r.polls.every((p) => p.status !== 'voting');
  }, 15_000);
  const rated = await s.reviews.get(reviewId);
  expect(rated?.polls.find((p) => p.rowId === row1)?.outcome?.rating).toBe(3);

  // --- reflection, then actions with owners ---
  await say('reflect 1 1 "We plan building by building"', /Kept with the results of row 1/, 'UA');
  await say('reflect 1 3 "Publish a shared planning calendar"', /Kept with the results of row 1/, 'UB');
  await say(
    'action add 1 "Publish a shared planning calendar" owner=<@UA|ann> due=2026-11-26 target=4',
    /Action added/,
  );
  await say(
    'action add 2 "Monthly cross-building data meeting" owner=<@UB|bo> due=2027-01-15 target=4',
    /Action added/,
  );
  const actions = await s.actions.listByDistrict('T1', districtId);
  expect(actions.map((a) => [a.text, a.ownerId])).toEqual(
    expect.arrayContaining([
      ['Publish a shared planning calendar', 'UA'],
      ['Monthly cross-building data meeting', 'UB'],
    ]),
  );

  // --- three buildings submit their Building Action Planning templates; the district completes its own ---
  const buildings: Array<[string, string, string, string]> = [
    ['Oak Elementary', 'CB1', 'UO', 'Oak: weekly data team meeting'],
    ['Pine Middle', 'CB2', 'UP', 'Pine: add a parent to the team'],
    ['Elm High', 'CB3', 'UL', 'Elm: name a data lead'],
  ];
  for (const [name, ch, lead] of buildings)
    await say(`building add "${name}" <#${ch}|x> <@${lead}|lead>`, /Registered/);
  for (const [, ch, lead, action] of buildings)
    await say(`plan 1 strengthen "${action}"`, /version 1/i, lead, ch);
  const district = await say('plan district', /District Action Planning template/);
  for (const [name, , , action] of buildings) {
    expect(district).toContain(action);
    expect(district).toContain(name);
  }
  expect(district).toMatch(/3 strengthen/);
  await say('plan district 1 create "Add a board member to the team"', /version 1/i);
  const plans = await s.plans.listDistrict('T1', districtId);
  expect(plans.map((p) => p.buildingId === null)).toEqual(
    expect.arrayContaining([true, false, false, false]),
  );
  expect(plans).toHaveLength(4);

  // --- the owner's reminder (due within three days), then she marks it done ---
  clock.t = new Date('2026-11-25T14:00:00Z');
  const posts = h.fake.of('chat.postMessage').length;
  expect(await h.app.actionReminders.tick(clock.now())).toMatchObject({ sent: 1, failed: 0 });
  await waitFor(() => h.fake.of('chat.postMessage').length > posts);
  const reminder = texts(h.fake.of('chat.postMessage').slice(posts)).join('\n');
  expect(reminder).toMatch(/Action reminder.*<@UA>.*Publish a shared planning calendar/);
  expect(reminder).not.toContain('Monthly cross-building data meeting');
  const calendar = actions.find((a) => a.ownerId === 'UA');
  await say(`action done ${calendar?.id}`, /Marked done/, 'UA');

  // --- the next cycle: each row's poll shows last cycle's actions and whether done ---
  const next = h.fake.of('chat.postMessage').length;
  await startReviewViaSlack(h, 'T1', 'C1', 'U_COORD', '"2027-28 Fall"');
  const polls = h.fake
    .of('chat.postMessage')
    .slice(next)
    .filter((c) => /^Rubric poll, row \d/.test(String(c.args.text)));
  const poll = (n: number) =>
    texts(polls.filter((c) => String(c.args.text).startsWith(`Rubric poll, row ${n}`))).join('');
  expect(poll(1)).toMatch(
    /Last cycle.s actions\*? \(2026-27 Fall\): 1 of 1 done — ✓ Publish a shared planning calendar/,
  );
  expect(poll(2)).toMatch(
    /Last cycle.s actions\*? \(2026-27 Fall\): 0 of 1 done — ○ Monthly cross-building data meeting/,
  );
  expect(poll(3)).not.toMatch(/Last cycle/);

  // --- the Markdown export of the first cycle holds every part ---
  const files = [...h.fake.files.values()].filter((f) => f.completed).length;
  await h.slack.command({ text: 'export md "2026-27 Fall"', user_id: 'U_COORD' });
  await waitFor(() => [...h.fake.files.values()].filter((f) => f.completed).length === files + 1, 15_000);
  const md = String([...h.fake.files.values()].filter((f) => f.completed).at(-1)?.bytes ?? '');
  // Activity 1's outcomes and reasons
  expect(md).toContain('## Activity 1: the learner outcomes that resonate');
  expect(md).toMatch(/\*\*Outcome 2\*\* \(2\)/);
  expect(md).toContain('Students own their learning when we plan together');
  // the small groups' comparison
  expect(md).toContain('## Small groups: round 1');
  expect(md).toMatch(/\| 1 \| [^|]+ \| 2 \(0·3·0·0\) \| 3 \(0·0·3·0\) \| differ by 1 level\(s\) \|/);
  // the ratings (row 1 after the whole-team round)
  expect(md).toContain(`## 1. `);
  expect(md).toContain(`## 1. ${RUBRIC.rows[0]?.title} — ${mdCell(levelLabel(RUBRIC, 3))}`);
  expect(md).toMatch(/\| 2 \| 0 \| 0 \| 6 \| 0 \| 0 \| 6 \| 3 \|/);
  // reflections
  expect(md).toContain('We plan building by building');
  // the actions, with owners and whether done
  expect(md).toMatch(/\| 1 \| Publish a shared planning calendar \| [^|]+ \| 2026-11-26 \| [^|]+ \| done/);
  expect(md).toMatch(
    /\| 2 \| Monthly cross-building data meeting \| [^|]+ \| 2027-01-15 \| [^|]+ \| open \|/,
  );
  // the action plans: the three buildings' and the district's
  expect(md).toContain('## Action plans');
  for (const [, , , action] of buildings) expect(md).toContain(action);
  expect(md).toContain('Add a board member to the team');
}, 150_000);

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(h.fake.limited).toEqual([]);
});
