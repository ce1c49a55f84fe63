import type { Building } from '../../src/domain/building';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, voteViaSlack, waitFor } from './harness';
import { voteClick } from './signedClient';

/**
 * The first vote's perspective question through the real Slack endpoint (MongoDB store, fake Slack Web API with the
 * tiers): a member whose perspective is unknown gets their vote's confirmation with "Are you rating as the district
 * team or for a building?" and a button per answer, once per review; the click stores it on the member (building
 * linked), in an anonymous review too.
 */

const dbName = `micip_slack_perspective_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let harness: SlackHarness;
let fake: FakeSlack;

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
type Block = {
  type: string;
  text?: { text: string };
  elements?: Array<{ text: { text: string }; value: string; action_id: string }>;
};
const blocksOf = (c: { args: Record<string, unknown> } | undefined) => (c?.args.blocks ?? []) as Block[];

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  fake = harness.fake;
});

afterAll(async () => {
  await harness?.stop();
});

async function command(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length > before, 15_000);
  return String(ephemeralsTo(user)[before]?.args.text ?? '');
}

test('a first vote asks the perspective once; the answer links the member to their building', async () => {
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  await command('roster add <@U1>');
  const store = harness.app.store;
  const district = await store.districts.findByChannel('T1', 'C1');
  const oak: Building = {
    id: 'b-oak',
    tenantId: 'T1',
    districtId: district?.id ?? '',
    name: 'Oak <Elementary>',
    channelId: 'C-OAK',
    members: [],
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: 'U_COORD',
  };
  await store.nudges.buildings.put(oak);
  const { reviewId, rowIds } = await startReviewViaSlack(
    harness,
    'T1',
    'C1',
    'U_COORD',
    '"2026-27 Fall" anonymous',
  );

  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U1',
    reviewId,
    rowId: rowIds[0] as string,
    choice: '3',
  });
  await waitFor(() => ephemeralsTo('U1').length === 1, 15_000);
  const first = ephemeralsTo('U1')[0];
  expect(String(first?.args.text)).toMatch(/^Your vote on row \d .* is recorded/);
  const blocks = blocksOf(first);
  expect(blocks[1]?.text?.text).toBe('*Are you rating as the district team or for a building?*');
  const buttons = blocks[2]?.elements ?? [];
  expect(buttons.map((b) => b.text.text)).toEqual(['The district team', 'Oak <Elementary>']);
  expect(buttons.map((b) => b.value)).toEqual([`${reviewId}|district`, `${reviewId}|building:b-oak`]);

  // The next vote's confirmation does not ask again.
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U1',
    reviewId,
    rowId: rowIds[1] as string,
    choice: '2',
  });
  await waitFor(() => ephemeralsTo('U1').length === 2, 15_000);
  expect(ephemeralsTo('U1')[1]?.args.blocks).toBeUndefined();

  const oakButton = buttons[1];
  const r = await harness.slack.payload(
    voteClick({ user: 'U1', actionId: oakButton?.action_id ?? '', value: oakButton?.value ?? '' }),
  );
  expect(r.status).toBe(200);
  await waitFor(() => ephemeralsTo('U1').length === 3, 15_000);
  expect(String(ephemeralsTo('U1')[2]?.args.text)).toBe(
    'Noted: you rate for Oak &lt;Elementary&gt; (the building perspective).',
  );
  expect(await store.members.get('T1', district?.id ?? '', 'U1')).toMatchObject({
    perspective: 'building',
    buildingId: 'b-oak',
  });

  // A forged answer (a building of no district here) is refused with a reason, and nothing changes.
  await harness.slack.payload(
    voteClick({ user: 'U1', actionId: 'micip_perspective_1', value: `${reviewId}|building:b-x` }),
  );
  await waitFor(() => ephemeralsTo('U1').length === 4, 15_000);
  expect(String(ephemeralsTo('U1')[3]?.args.text)).toMatch(/no longer registered/);
  expect((await store.members.get('T1', district?.id ?? '', 'U1'))?.buildingId).toBe('b-oak');
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});
