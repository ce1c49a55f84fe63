import { rubrics } from '../support/fixtures';
import { startReview, startTeamsBot, type TeamsBotHarness } from './support/botHarness';

/**
 * A process that stops (a deploy, a scale-down) redraws the shared poll cards still waiting for their interval
 * before it goes, rather than leave them to another process (./owedRedraws.test.ts), which finds them only after a
 * silence. Through POST /api/messages and a fake Bot Connector.
 */
const TENANT = 'tenant-stop';
const CHANNEL = '19:stop@thread.tacv2';
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const ann = { id: '29:ann', name: 'Ann Member', aadObjectId: 'aad-ann' };
const ROW = (rubrics.get('culture-of-collaboration')?.rows ?? [])[0]?.id ?? '';

let h: TeamsBotHarness;

beforeAll(async () => {
  // A card redrawn a moment ago waits 5 s before its next update.
  h = await startTeamsBot({ tenant: TENANT, channel: CHANNEL }, { cardUpdateIntervalMs: 5000 });
});

afterAll(async () => {
  await h.stop();
});

test('stopping redraws a shared poll card whose update was waiting for its interval', async () => {
  const { bot } = h;
  const { updates, vote, firstVoteDrawn } = await startReview(h, casey, 'Stop Schools', '2026-27 Fall');
  await firstVoteDrawn(casey, ROW, 3);
  // The second vote's update waits 5 s for the card's interval (the card is drawn at most once per interval, a
  // vote after an update included); the process stops before that.
  await vote(ann, ROW, 3);
  await new Promise((r) => setTimeout(r, 300));
  expect(updates()).toHaveLength(1);
  const t0 = Date.now();
  await bot.stop();
  expect(Date.now() - t0).toBeLessThan(4000);
  expect(updates()).toHaveLength(2);
  expect(updates()[1]).toMatch(/2 of \d+ ha/);
});
