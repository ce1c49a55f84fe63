import { DEFAULT_RULE, quorumFor } from '../../src/domain/consensus';
import { type Level, levelLabel } from '../../src/domain/rubric';
import { rubrics } from '../support/fixtures';
import type { FakeSlack } from './fakeSlack';
import {
  roundClosed,
  type SlackHarness,
  startReviewViaSlack,
  startSlackHarness,
  voteViaSlack,
  waitFor,
} from './harness';

/**
 * A coordinator's whole cycle through the real Slack endpoint (signed slash commands and block actions, a fake
 * Slack Web API): `roster import` of a 40-member channel (one of them a bot), `review start` and its polls'
 * "0 of N voted" from the imported roster, a second start refused, votes, `remind` reaching exactly the
 * non-voters, `review cancel`, a new review whose row 2 finds no consensus, `close`, a decision and its
 * correction, and the export keeping the earlier decision.
 */

const dbName = `micip_slack_cycle_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

const RUBRIC = rubrics.get('culture-of-collaboration');
if (!RUBRIC) throw new Error('rubric culture-of-collaboration missing');
/** The rubric's rows, in order (row 1 first). */
const ROWS = RUBRIC.rows.map((r) => r.id);
const label = (level: Level) => levelLabel(RUBRIC, level);

/** The channel: the coordinator, 38 people and a bot — 40 members. */
const PEOPLE = Array.from({ length: 38 }, (_, i) => `UM${String(i + 1).padStart(2, '0')}`);
const BOT = 'UBOTX';
const CHANNEL = ['U_COORD', ...PEOPLE.slice(0, 20), BOT, ...PEOPLE.slice(20)];

let harness: SlackHarness;
let fake: FakeSlack;

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const completedFiles = () => [...fake.files.values()].filter((f) => f.completed);
const store = () => harness.app.store;

beforeAll(async () => {
  // With Slack's published rate limits enforced by the fake (a 429 is answered like Slack).
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  fake = harness.fake;
  fake.channelMembers.set('C1', CHANNEL);
  fake.bots.add(BOT);
});

afterAll(async () => {
  await harness?.stop();
});

/** Sends `/micip <text>` as `user` and returns the text of the next ephemeral message to them. */
async function command(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length > before, 15_000);
  return String(ephemeralsTo(user)[before]?.args.text ?? '');
}

/**
 * Sends `/micip <text>` as the coordinator and returns the first message after it, to them privately or in the
 * channel, that matches `pattern` (fails if none comes).
 */
async function commandAnswer(text: string, pattern: RegExp): Promise<string> {
  const mark = fake.calls.length;
  await harness.slack.command({ text, user_id: 'U_COORD' });
  const said = () =>
    fake.calls
      .slice(mark)
      .filter(
        (c) =>
          (c.method === 'chat.postEphemeral' && c.args.user === 'U_COORD') ||
          (c.method === 'chat.postMessage' && c.args.channel === 'C1'),
      )
      .map((c) => String(c.args.text ?? ''))
      .find((t) => pattern.test(t));
  await waitFor(() => said() !== undefined, 15_000);
  return said() ?? '';
}

const vote = (user: string, reviewId: string, rowId: string, choice: string) =>
  voteViaSlack(harness, { team: 'T1', channel: 'C1', user, reviewId, rowId, choice });

async function districtId(): Promise<string> {
  const d = await store().districts.findByChannel('T1', 'C1');
  if (!d) throw new Error('no district for C1');
  return d.id;
}

test('a coordinator’s whole cycle: roster, review, remind, cancel, a new review, close, decide and correct', async () => {
  // --- roster import: the channel's humans, the bot skipped ---
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  expect(CHANNEL).toHaveLength(40);
  const humans = CHANNEL.filter((u) => !fake.bots.has(u));
  const alreadyOn = (await store().members.list('T1', await districtId())).map((m) => m.memberId);
  const imported = await command('roster import');
  const added = humans.filter((u) => !alreadyOn.includes(u)).length;
  expect(imported).toMatch(
    new RegExp(
      `${added} added, ${alreadyOn.length} already on the roster, 1 bot\\(s\\) or deactivated account\\(s\\) skipped`,
    ),
  );
  const members = await store().members.list('T1', await districtId());
  expect(members.map((m) => m.memberId).sort()).toEqual([...humans].sort());
  expect(fake.of('users.info').map((c) => c.args.user)).toContain(BOT);

  // --- review start: each poll counts the roster (the coordinator included) ---
  const postsBefore = fake.of('chat.postMessage').length;
  const first = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  const review1 = await store().reviews.get(first.reviewId);
  expect([...(review1?.roster ?? [])].sort()).toEqual([...humans].sort());
  const M = humans.length;
  const polls = fake
    .of('chat.postMessage')
    .slice(postsBefore)
    .filter((c) => /^Rubric poll, row \d/.test(String(c.args.text)));
  expect(polls).toHaveLength(ROWS.length);
  for (const p of polls) {
    const blocks = JSON.stringify(p.args.blocks);
    expect(blocks).toMatch(new RegExp(`\\b0 of ${M}\\b`));
    expect(blocks).not.toMatch(new RegExp(`\\b0 of (?!${M}\\b)\\d+`));
  }

  // --- a second review start is refused, naming the open review ---
  const kvBefore = (await store().reviews.listByDistrict('T1', await districtId())).length;
  const refused = await command('review start "2026-28 Spring"');
  expect(refused).toMatch(/“2026-27 Fall” is still open/);
  expect(refused).toMatch(/review cancel "2026-27 Fall"/);
  expect(await store().reviews.listByDistrict('T1', await districtId())).toHaveLength(kvBefore);

  // --- some members vote: four on every row, one on row 1 only ---
  const fullVoters = [PEOPLE[0], PEOPLE[7], PEOPLE[21], PEOPLE[37]] as string[];
  const partialVoter = PEOPLE[12] as string;
  for (const u of fullVoters) for (const rowId of ROWS) await vote(u, first.reviewId, rowId, '3');
  await vote(partialVoter, first.reviewId, ROWS[0] as string, '2');
  await waitFor(async () => {
    const votes = await store().votes.listRound(first.reviewId, 1);
    return votes.length === fullVoters.length * ROWS.length + 1;
  }, 10_000);

  // --- remind reaches exactly the people on the roster who have not voted on every row ---
  const remindersBefore = fake.of('chat.postEphemeral').length;
  const expected = (review1?.roster ?? []).filter((u) => !fullVoters.includes(u)).sort();
  await harness.slack.command({ text: 'remind', user_id: 'U_COORD' });
  const isReminder = (t: string) => /Reminder/.test(t);
  const replies = () =>
    fake
      .of('chat.postEphemeral')
      .slice(remindersBefore)
      .filter((c) => c.args.user === 'U_COORD' && !isReminder(String(c.args.text)));
  await waitFor(() => replies().length === 1, 15_000);
  const reminders = () =>
    fake
      .of('chat.postEphemeral')
      .slice(remindersBefore)
      .filter((c) => isReminder(String(c.args.text)));
  await waitFor(() => reminders().length >= expected.length, 15_000);
  await new Promise((r) => setTimeout(r, 200)); // no late extra reminders
  expect(
    reminders()
      .map((c) => c.args.user)
      .sort(),
  ).toEqual(expected);
  expect(reminders().every((c) => c.args.channel === 'C1')).toBe(true);
  expect(String(replies()[0]?.args.text)).toMatch(new RegExp(`reminded ${expected.length} person\\(s\\)`));
  const toPartial = String(reminders().find((c) => c.args.user === partialVoter)?.args.text);
  expect(toPartial).toMatch(new RegExp(`${ROWS.length - 1} rows wait for your vote`));

  // --- cancel the review: kept, marked cancelled with the reason ---
  expect(await commandAnswer('review cancel "2026-27 Fall" "wrong year"', /was cancelled/)).toMatch(
    /2026-27 Fall.* was cancelled: wrong year\./,
  );
  const cancelled = await store().reviews.get(first.reviewId);
  expect(cancelled?.status).toBe('cancelled');
  expect(cancelled?.cancellation?.reason).toBe('wrong year');
  expect(cancelled?.cancellation?.by).toBe('U_COORD');

  // --- a new review; row 2 gets a quorum of votes split between two levels: no consensus ---
  const second = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2025-26 Fall" rounds=1');
  expect(second.reviewId).not.toBe(first.reviewId);
  const review2 = await store().reviews.get(second.reviewId);
  expect(review2?.maxRounds).toBe(1);
  const roster2 = review2?.roster ?? [];
  const quorum = quorumFor(review2?.rule ?? DEFAULT_RULE, roster2.length);
  const row2 = ROWS[1] as string;
  const voters2 = roster2.slice(0, quorum);
  for (const [i, u] of voters2.entries()) await vote(u, second.reviewId, row2, i % 2 === 0 ? '2' : '3');
  await waitFor(async () => (await store().votes.listRound(second.reviewId, 1)).length === voters2.length);

  await harness.slack.command({ text: 'close', user_id: 'U_COORD' });
  await waitFor(() => roundClosed(harness, second.reviewId), 15_000);
  const closed = await store().reviews.get(second.reviewId);
  const poll2 = closed?.polls.find((p) => p.rowId === row2);
  expect(['unsettled', 'needs-decision']).toContain(poll2?.status);
  expect(poll2?.outcome ?? null).toBeNull();

  // --- decide, then correct the decision ---
  const recorded = await commandAnswer('decide 2 2 "note"', /^(Recorded|Corrected)/);
  expect(recorded).toMatch(/^Recorded: row 2 /);
  expect(recorded).toContain(label(2));
  const corrected = await commandAnswer('decide 2 3 "better note"', /^(Recorded|Corrected)/);
  expect(corrected).toMatch(/^Corrected: row 2 /);
  expect(corrected).toContain(`is now rated ${label(3)} (was ${label(2)};`);
  const decided = (await store().reviews.get(second.reviewId))?.polls.find((p) => p.rowId === row2);
  expect(decided?.outcome).toMatchObject({ rating: 3, how: 'decision', note: 'better note' });
  expect(decided?.outcome?.corrected).toEqual([expect.objectContaining({ rating: 2, note: 'note' })]);

  // --- the Markdown export shows the decision and the earlier one it corrects ---
  const files = completedFiles().length;
  await harness.slack.command({ text: 'export md', user_id: 'U_COORD' });
  await waitFor(() => completedFiles().length === files + 1, 15_000);
  const md = completedFiles().at(-1);
  expect(md?.filename).toMatch(/\.md$/);
  expect(md?.completed?.channel).toBe('C1');
  const text = String(md?.bytes ?? '');
  expect(text).toContain('2025-26 Fall');
  expect(text).toMatch(/recorded decision after round 1[^\n]*: better note; corrects /);
  expect(text).toMatch(new RegExp(`; corrects ${escapeRegExp(label(2))}( by [^:\\n]+)?: note`));
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});
