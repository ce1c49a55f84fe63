import { rubrics } from '../support/fixtures';
import { startReview, startTeamsBot, type TeamsBotHarness } from './support/botHarness';

/**
 * A shared poll card is drawn at most once per interval (1 s by default), always from the latest stored state —
 * also when each vote comes after the last update has finished. Through POST /api/messages and a fake Bot Connector.
 */
const TENANT = 'tenant-pace';
const CHANNEL = '19:pace@thread.tacv2';
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const person = (i: number) => ({ id: `29:p${i}`, name: `Member ${i}`, aadObjectId: `aad-p${i}` });
const ROW = (rubrics.get('culture-of-collaboration')?.rows ?? [])[0]?.id ?? '';

let h: TeamsBotHarness;

beforeAll(async () => {
  h = await startTeamsBot({ tenant: TENANT, channel: CHANNEL }, { cardUpdateIntervalMs: 1000 });
});

afterAll(async () => {
  await h.stop();
});

test('votes 300 ms apart redraw the shared card at most once a second, ending on every vote', async () => {
  const { fake, bot } = h;
  const { vote, firstVoteDrawn } = await startReview(h, casey, 'Pace Schools', '2026-27 Fall');
  await firstVoteDrawn(casey, ROW, 3);
  for (let i = 1; i <= 6; i++) {
    await new Promise((r) => setTimeout(r, 300));
    await vote(person(i), ROW, 2);
  }
  await new Promise((r) => setTimeout(r, 1200));
  await bot.idle();
  const puts = fake.calls.filter((c) => c.method === 'PUT');
  const gaps = puts.slice(1).map((c, i) => c.at - (puts[i]?.at ?? 0));

  // 7 votes over ~2 s: 3 or 4 updates, not one per vote; each at least an interval (less a timer's jitter) apart.
  expect(puts.length).toBeGreaterThanOrEqual(3);
  expect(puts.length).toBeLessThanOrEqual(4);
  for (const g of gaps) expect(g).toBeGreaterThanOrEqual(950);
  expect(JSON.stringify(puts.at(-1)?.body)).toMatch(/7 of \d+ ha/);
});
