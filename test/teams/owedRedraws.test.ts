import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { OwedRedraws } from '../../src/adapters/owedRedraws';
import { rubrics } from '../support/fixtures';
import { startReview, startTeamsBot, type TeamsBotHarness } from './support/botHarness';
import { FakeConnector } from './support/fakeConnector';

/**
 * Two replicas of the Teams bot on one store: A owes a shared poll card a redraw (its update answered 429 with
 * Retry-After 60 s) and goes silent, as a killed process does (no stop, no more heartbeats); B draws the card from
 * the latest stored state once A has been silent `ADOPT_MS`. Through POST /api/messages and a fake Bot Connector.
 */
const TENANT = 'tenant-owed';
const CHANNEL = '19:owed@thread.tacv2';
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const ann = { id: '29:ann', name: 'Ann Member', aadObjectId: 'aad-ann' };
const ROW = (rubrics.get('culture-of-collaboration')?.rows ?? [])[0]?.id ?? '';
const ADOPT_MS = 1500;

let store: NedbStore;
let fake: FakeConnector;
let a: TeamsBotHarness;
let b: TeamsBotHarness;
let owedA: OwedRedraws;
/** A's wait for the Retry-After, ended by the test once B has drawn the card (so that A can stop). */
let endRetryWait: () => void = () => undefined;

const owed = (owner: string) =>
  new OwedRedraws({
    kv: store.kv,
    namespace: 'teams-owed-redraws',
    owner,
    now: Date.now,
    adoptAfterMs: ADOPT_MS,
    log: () => undefined,
  });

beforeAll(async () => {
  store = new NedbStore(null);
  await store.init();
  fake = await new FakeConnector().start();
  const where = { tenant: TENANT, channel: CHANNEL };
  owedA = owed('A');
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms < 10_000) setTimeout(resolve, ms);
      else endRetryWait = resolve;
    });
  a = await startTeamsBot(where, { queue: { baseDelayMs: 20, sleep }, owed: owedA }, { store, fake });
  b = await startTeamsBot(where, { owed: owed('B') }, { store, fake });
  await b.bot.start();
});

afterAll(async () => {
  endRetryWait();
  await b?.stop();
  await a?.stop();
  await fake?.stop();
  await store?.close();
});

test('a card a silent replica owed a redraw is drawn by the other, with every stored vote', async () => {
  const { updates, vote, firstVoteDrawn } = await startReview(a, casey, 'Owed Schools', '2026-27 Fall');
  await firstVoteDrawn(casey, ROW, 3);
  // Ann's vote is stored and answered; A's update of the card is answered 429 (Retry-After 60 s), and A is silent
  // from now on.
  fake.failures.push({ status: 429, retryAfter: '60' });
  await owedA.heartbeat(); // A's last heartbeat (it is not started, so it writes no other)
  const t0 = Date.now();
  await vote(ann, ROW, 3);
  // The fake records the update it answered 429 too: the redraw is a second one with both votes.
  const withBoth = () => updates().filter((u) => /2 of \d+ ha/.test(u));
  while (withBoth().length < 2 && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
  expect(withBoth()).toHaveLength(2);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(ADOPT_MS);
  // B lets the card go one interval (1 s) after drawing it: then no mark of B's is left.
  const marksOfB = async () =>
    (await store.kv.list<{ owner: string }>('teams-owed-redraws')).filter((m) => m.value.owner === 'B');
  const t1 = Date.now();
  while ((await marksOfB()).length && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50));
  expect(await marksOfB()).toEqual([]);
}, 20_000);
