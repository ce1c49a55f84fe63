import type * as http from 'node:http';
import express from 'express';
import { validateCard } from '../../src/adapters/cards/validate';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { mountTeams, type TeamsBot } from '../../src/adapters/teams';
import { KV } from '../../src/adapters/teams/bot';
import type { Store } from '../../src/app/ports';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import { asker, makeService } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { type ConnectorCall, FakeConnector } from './support/fakeConnector';

/**
 * End-to-end through POST /api/messages: real Bot Framework activity JSON in, a local fake Bot Connector on
 * 127.0.0.1 out. Auth is off here (no MicrosoftAppId, TEAMS_LOCAL_NO_AUTH, loopback); the auth-on cases are in
 * guard.test.ts.
 */
const uri = process.env.MONGODB_URI as string;
const dbName = `micip_teams_e2e_${process.pid}`;
const TENANT = 'tenant-aaa';
const CHANNEL = '19:district@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const users = {
  casey: { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' },
  ann: { id: '29:ann', name: 'Ann Member', aadObjectId: 'aad-ann' },
  ben: { id: '29:ben', name: 'Ben Member', aadObjectId: 'aad-ben' },
  cara: { id: '29:cara', name: 'Cara Member', aadObjectId: 'aad-cara' },
};
type User = (typeof users)[keyof typeof users];

let fake: FakeConnector;
let store: Store;
let service: ReviewService;
let server: http.Server;
let url: string;
let bot: TeamsBot;
let seq = 0;
let slowDone = false;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  store = await MongoStore.connect({ uri, dbName });
  await store.init();
  service = makeService(store);
  const web = express();
  bot = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true },
    service,
    store,
    cardUpdateIntervalMs: 100,
    queue: { baseDelayMs: 20 },
    logger: testLogger(),
    actions: [
      {
        // A card action of another feature whose work takes longer than Teams waits for an invoke's answer.
        verbs: ['slow.test'],
        handle: async () => {
          await new Promise((r) => setTimeout(r, 5500));
          slowDone = true;
          return { type: 'AdaptiveCard', version: '1.5', body: [] };
        },
      },
      {
        verbs: ['echo.test'],
        handle: async (actor, verb, data) => ({
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text: `${verb} by ${actor.userId}: ${JSON.stringify(data)}` }],
        }),
      },
    ],
  });
  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  await new Promise<void>((resolve) => {
    server = web.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/messages`;
});

afterAll(async () => {
  await bot.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.stop();
  await (store as MongoStore).db.dropDatabase();
  await store.close();
});

function activity(over: Record<string, unknown>, from: User = users.casey, tenant = TENANT) {
  return {
    type: 'message',
    id: `act-in-${++seq}`,
    timestamp: new Date().toISOString(),
    serviceUrl: fake.url,
    channelId: 'msteams',
    from,
    recipient: BOT,
    conversation: {
      id: `${CHANNEL};messageid=1700000000000`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: tenant,
    },
    channelData: {
      tenant: { id: tenant },
      channel: { id: CHANNEL },
      team: { id: '19:team@thread.tacv2' },
    },
    ...over,
  };
}

/** A channel message mentioning the bot, as Teams sends it. */
const say = (text: string, from: User = users.casey, extra: Record<string, unknown> = {}) =>
  activity(
    {
      text: `<at>MICIP</at> ${text}`,
      textFormat: 'plain',
      entities: [
        { type: 'mention', text: '<at>MICIP</at>', mentioned: BOT },
        { type: 'clientInfo', locale: 'en-US' },
      ],
      ...extra,
    },
    from,
  );

const vote = (
  from: User,
  reviewId: string,
  rowId: string,
  choice: unknown,
  extra: Record<string, unknown> = {},
) =>
  activity(
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'vote', data: { reviewId, rowId, choice, ...extra } },
        trigger: 'manual',
      },
    },
    from,
  );

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Record<string, unknown>, text };
}

const texts = (calls: ConnectorCall[]) => calls.map((c) => String(c.body.text ?? ''));
const cardsOf = (calls: ConnectorCall[]) =>
  calls.flatMap((c) =>
    ((c.body.attachments as Array<{ contentType: string; content: Record<string, unknown> }>) ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content),
  );

async function settle() {
  await bot.idle();
}

let reviewId = '';
let rows: string[] = [];

test('bot added to a channel: conversation reference stored, welcome posted proactively', async () => {
  fake.clear();
  const res = await post(
    activity({
      type: 'conversationUpdate',
      membersAdded: [BOT, users.ann, users.ben],
      conversation: { id: CHANNEL, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: {
        tenant: { id: TENANT },
        channel: { id: CHANNEL },
        team: { id: '19:team@thread.tacv2' },
        eventType: 'teamMemberAdded',
      },
    }),
  );
  expect(res.status).toBe(200);
  await settle();
  const ref = await store.kv.get<{ reference: { serviceUrl: string; conversation: { id: string } } }>(
    KV.conversation,
    `teams:${TENANT}|${CHANNEL}`,
  );
  expect(ref?.reference.serviceUrl).toBe(fake.url);
  expect(ref?.reference.conversation.id).toBe(CHANNEL);
  expect(fake.calls).toHaveLength(1);
  expect(fake.calls[0]?.method).toBe('POST');
  expect(fake.calls[0]?.conversationId).toBe(CHANNEL);
  expect(texts(fake.calls)[0]).toContain('help');
});

test('typed commands: mentions normalised, role checks and help', async () => {
  fake.clear();
  expect((await post(say('setup "Lakeview Schools"'))).status).toBe(200);
  expect(texts(fake.calls)[0]).toContain('district team of **Lakeview Schools**');
  // Replies go to the thread the message came from.
  expect(fake.calls[0]?.conversationId).toBe(`${CHANNEL};messageid=1700000000000`);

  fake.clear();
  await post(say('review start "2026-27 Fall"', users.ann));
  expect(texts(fake.calls)[0]).toContain('Only a coordinator');

  fake.clear();
  await post(say('help', users.ann));
  expect(texts(fake.calls)[0]).toContain('Coordinator commands are hidden');
  expect(texts(fake.calls)[0]).not.toContain('review start');

  fake.clear();
  // "@Ann" in Teams arrives as <at>Ann Member</at> with a mention entity: becomes <@aad-ann|Ann Member>.
  await post(
    say('member add <at>Ann Member</at> building', users.casey, {
      entities: [
        { type: 'mention', text: '<at>MICIP</at>', mentioned: BOT },
        {
          type: 'mention',
          text: '<at>Ann Member</at>',
          mentioned: { id: users.ann.id, name: users.ann.name },
        },
      ],
    }),
  );
  expect(texts(fake.calls)[0]).toBe('Ann Member is a member (building perspective).');
  const district = await service.districtForChannel(asker(`teams:${TENANT}`, 'x', CHANNEL), CHANNEL);
  // The mention names Ann by her Teams id; she was seen with her AAD id when added, so that is the member id.
  const ann = await store.members.get(`teams:${TENANT}`, district.id, users.ann.aadObjectId);
  expect(ann?.perspective).toBe('building');

  // Cara was in the team before the bot: her mention is resolved to her AAD id through the team roster.
  fake.clear();
  fake.directory.set(users.cara.id, users.cara);
  await post(
    say('coordinator add <at>Cara Member</at>', users.casey, {
      entities: [
        { type: 'mention', text: '<at>MICIP</at>', mentioned: BOT },
        {
          type: 'mention',
          text: '<at>Cara Member</at>',
          mentioned: { id: users.cara.id, name: users.cara.name },
        },
      ],
    }),
  );
  expect(fake.calls.filter((c) => c.method === 'GET').map((c) => c.path)).toEqual([
    `/v3/conversations/${encodeURIComponent('19:team@thread.tacv2')}/members/${encodeURIComponent(users.cara.id)}`,
  ]);
  expect(texts(fake.calls).at(-1)).toBe('Cara Member is now a coordinator.');
  expect((await store.members.get(`teams:${TENANT}`, district.id, users.cara.aadObjectId))?.roles).toEqual([
    'coordinator',
  ]);
  await post(
    say('coordinator remove <at>Cara Member</at>', users.casey, {
      entities: [
        { type: 'mention', text: '<at>MICIP</at>', mentioned: BOT },
        {
          type: 'mention',
          text: '<at>Cara Member</at>',
          mentioned: { id: users.cara.id, name: users.cara.name },
        },
      ],
    }),
  );

  // Someone the team roster does not know: refused, nothing written.
  fake.clear();
  const before = await store.members.list(`teams:${TENANT}`, district.id);
  await post(
    say('coordinator add <at>Ghost</at>', users.casey, {
      entities: [
        { type: 'mention', text: '<at>MICIP</at>', mentioned: BOT },
        { type: 'mention', text: '<at>Ghost</at>', mentioned: { id: '29:ghost', name: 'Ghost' } },
      ],
    }),
  );
  expect(texts(fake.calls).at(-1)).toBe('I could not find Ghost in this team, so nothing was changed.');
  expect(await store.members.list(`teams:${TENANT}`, district.id)).toEqual(before);

  fake.clear();
  await post(say('frobnicate'));
  expect(texts(fake.calls)[0]).toContain("I don't know the command");
});

test('review start posts one valid poll card per row in the channel and remembers each card', async () => {
  fake.clear();
  const res = await post(say('review start "2026-27 Fall" rounds=2'));
  expect(res.status).toBe(200);
  await settle();
  expect(texts(fake.calls)[0]).toContain('Review **2026-27 Fall** started');
  const cards = cardsOf(fake.calls);
  expect(cards).toHaveLength(6);
  for (const c of cards) expect(validateCard(c)).toEqual([]);
  // Poll cards are new posts in the channel, not replies in the command's thread.
  expect(fake.calls.slice(1).every((c) => c.conversationId === CHANNEL && c.activityId === null)).toBe(true);
  const reviews = await service.listReviews(asker(`teams:${TENANT}`, 'x', CHANNEL), CHANNEL);
  reviewId = reviews[0]?.id as string;
  rows = (reviews[0]?.polls ?? []).map((p) => p.rowId);
  const stored = await store.kv.get<{ activityId: string }>(KV.pollCard, `${reviewId}|${rows[0]}`);
  expect(stored?.activityId).toMatch(/^act-/);
});

test('an Action.Execute vote returns the refreshed personal card and updates the shared card', async () => {
  fake.clear();
  const res = await post(vote(users.ann, reviewId, rows[0] as string, 3, { evidence: 'PLC minutes, Oct' }));
  expect(res.status).toBe(200);
  expect(res.json.statusCode).toBe(200);
  expect(res.json.type).toBe('application/vnd.microsoft.card.adaptive');
  const card = res.json.value as Record<string, unknown>;
  expect(validateCard(card)).toEqual([]);
  const json = JSON.stringify(card);
  expect(json).toContain('Your vote: Evolving (with evidence)');
  expect(json).toContain('1 of 3 have voted.');
  // Automatic refresh for people who used the bot here; Ben was only added to the team so far.
  const refreshIds = (card.refresh as { userIds: string[] }).userIds;
  expect(refreshIds).toEqual(expect.arrayContaining([users.ann.id, users.casey.id]));
  expect(refreshIds).not.toContain(users.ben.id);
  await settle();
  const updates = fake.calls.filter((c) => c.method === 'PUT');
  expect(updates).toHaveLength(1);
  const stored = await store.kv.get<{ activityId: string }>(KV.pollCard, `${reviewId}|${rows[0]}`);
  expect(updates[0]?.activityId).toBe(stored?.activityId);
  const shared = JSON.stringify(cardsOf(updates)[0]);
  expect(shared).toContain('1 of 3 have voted.');
  expect(shared).not.toContain('Your vote');
  const votes = await store.votes.listRow(reviewId, rows[0] as string, 1);
  expect(votes.map((v) => [v.memberId, v.choice, v.evidence])).toEqual([['aad-ann', 3, 'PLC minutes, Oct']]);
});

test('a duplicate invoke and a double click never double a vote; card updates are coalesced', async () => {
  fake.clear();
  const v = vote(users.ben, reviewId, rows[0] as string, 4);
  const [a, b, c] = await Promise.all([post(v), post(v), post({ ...v, id: 'another-click' })]);
  for (const r of [a, b, c]) expect(r.json.statusCode).toBe(200);
  await settle();
  const votes = await store.votes.listRow(reviewId, rows[0] as string, 1);
  expect(votes.filter((x) => x.memberId === 'aad-ben')).toHaveLength(1);
  expect(votes).toHaveLength(2);
  const updates = fake.calls.filter((x) => x.method === 'PUT');
  expect(updates.length).toBeGreaterThanOrEqual(1);
  expect(updates.length).toBeLessThanOrEqual(3);
  expect(JSON.stringify(cardsOf(updates).at(-1))).toContain('2 of 4 have voted.');
});

test('refresh invoke shows each viewer their own choice', async () => {
  const res = await post(
    activity(
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: {
          action: { type: 'Action.Execute', verb: 'refresh', data: { reviewId, rowId: rows[0] } },
          trigger: 'automatic',
        },
      },
      users.ben,
    ),
  );
  expect(JSON.stringify(res.json.value)).toContain('Your vote: Accomplished');
});

test('a vote whose write outlasts the time Teams gives an invoke is answered in time as not confirmed, and counts when it lands', async () => {
  fake.clear();
  const row = rows[3] as string;
  const put = store.votes.put.bind(store.votes);
  // Teams gives an invoke about 5 s; this write takes longer.
  store.votes.put = async (v) => {
    await new Promise((r) => setTimeout(r, 5500));
    return put(v);
  };
  try {
    const t0 = Date.now();
    const r = await post(vote(users.ann, reviewId, row, 2));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.json.statusCode).toBe(503);
    expect(r.json.type).toBe('application/vnd.microsoft.error');
    expect(JSON.stringify(r.json.value)).toMatch(/cannot confirm it yet.*Voting again is safe/);
    expect(await store.votes.get(reviewId, row, 1, 'aad-ann')).toBeNull();
    // It lands after the answer: it counts, and the shared card is redrawn with it.
    const deadline = Date.now() + 15000;
    while (!(await store.votes.get(reviewId, row, 1, 'aad-ann')) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
    }
    expect((await store.votes.get(reviewId, row, 1, 'aad-ann'))?.choice).toBe(2);
    const voted = (await store.votes.listRow(reviewId, row, 1)).length;
    const lastUpdate = () =>
      JSON.stringify(cardsOf(fake.calls.filter((c) => c.method === 'PUT')).at(-1) ?? null);
    while (!lastUpdate().includes(`${voted} of 4 have voted.`) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(lastUpdate()).toContain(`${voted} of 4 have voted.`);
    await settle();
  } finally {
    store.votes.put = put;
  }
});

test('any card action still working when Teams stops waiting (about 5 s) is answered in time as slow', async () => {
  const t0 = Date.now();
  const r = await post(
    activity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { verb: 'slow.test', data: {} } },
    }),
  );
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(r.json.statusCode).toBe(503);
  expect(JSON.stringify(r.json.value)).toMatch(/taking longer than it should/);
  expect(slowDone).toBe(false);
  // Its work goes on.
  while (!slowDone && Date.now() - t0 < 10000) await new Promise((res) => setTimeout(res, 50));
  expect(slowDone).toBe(true);
});

test("invokes naming another tenant's review, or malformed, are refused and write nothing", async () => {
  fake.clear();
  const before = await store.votes.listRound(reviewId, 1);
  const other = activity(
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'vote', data: { reviewId, rowId: rows[1], choice: 2 } },
      },
    },
    users.cara,
    'tenant-evil',
  );
  const r1 = await post(other);
  expect(r1.status).toBe(200);
  expect(r1.json).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  expect(JSON.stringify(r1.json)).toContain('does not exist here');

  const bad = [
    { action: { verb: 'vote', data: { reviewId, rowId: rows[1], choice: 9 } } },
    { action: { verb: 'vote', data: { reviewId } } },
    { action: { verb: 'explode', data: { reviewId, rowId: rows[1] } } },
    { action: 'vote' },
    'vote',
    null,
  ];
  for (const value of bad) {
    const r = await post(activity({ type: 'invoke', name: 'adaptiveCard/action', value }, users.cara));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(r.text).not.toMatch(/at .*\.ts:\d+/);
  }
  await settle();
  expect(await store.votes.listRound(reviewId, 1)).toEqual(before);
  expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);
});

test('Action.Submit fallback (clients without Universal Actions) records the vote', async () => {
  fake.clear();
  const r = await post(
    activity(
      { value: { verb: 'vote', reviewId, rowId: rows[1], choice: 'unsure', evidence: '' } },
      users.cara,
    ),
  );
  expect(r.status).toBe(200);
  await settle();
  const votes = await store.votes.listRow(reviewId, rows[1] as string, 1);
  expect(votes.map((v) => [v.memberId, v.choice])).toEqual([['aad-cara', 'unsure']]);
  expect(fake.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
});

test('status, close and results: cards posted, every poll card redrawn with its result', async () => {
  fake.clear();
  await post(say('status'));
  // The status line with its "Show results" button (a card: a message cannot hold buttons), then the status card.
  const status = cardsOf(fake.calls);
  expect(status).toHaveLength(2);
  for (const c of status) expect(validateCard(c as object)).toEqual([]);
  expect(JSON.stringify(status[0])).toContain(
    JSON.stringify({ verb: 'command', payload: `results ${reviewId}` }),
  );
  expect(JSON.stringify(status[1])).toContain('Review 2026-27 Fall');
  // Clicking it (Action.Submit: a message with the button's data) runs `results` for whoever clicked.
  fake.clear();
  await post(activity({ value: { verb: 'command', payload: `results ${reviewId}` } }, users.casey));
  await settle();
  expect(cardsOf(fake.calls).some((c) => JSON.stringify(c).includes('Results — 2026-27 Fall'))).toBe(true);
  fake.clear();

  // Two more votes on row 1 so it reaches consensus at close (quorum 3).
  await post(vote(users.cara, reviewId, rows[0] as string, 4));
  await post(vote(users.casey, reviewId, rows[0] as string, 4));
  await settle();
  fake.clear();
  await post(say('close'));
  await settle();
  expect(texts(fake.calls)[0]).toContain('Round 1 closed');
  const updates = fake.calls.filter((c) => c.method === 'PUT');
  expect(new Set(updates.map((u) => u.activityId)).size).toBe(6);
  const all = cardsOf(updates);
  expect(all.some((c) => JSON.stringify(c).includes('Result: Accomplished'))).toBe(true);
  for (const c of all) {
    expect(validateCard(c)).toEqual([]);
    expect(JSON.stringify(c)).not.toContain('Action.Execute"');
  }
  const results = cardsOf(fake.calls.filter((c) => c.method === 'POST'));
  expect(results.some((c) => JSON.stringify(c).includes('Results — 2026-27 Fall'))).toBe(true);

  // Voting on a stale card after close: the answer is the current (closed) card with the reason; nothing written.
  const late = await post(vote(users.ann, reviewId, rows[2] as string, 2));
  expect(late.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  const lateCard = late.json.value as Record<string, unknown>;
  expect(validateCard(lateCard)).toEqual([]);
  expect(JSON.stringify(lateCard)).toMatch(/closed/i);
  expect(JSON.stringify(lateCard)).toContain('"color":"Attention"');
  expect(JSON.stringify(lateCard)).not.toContain('Action.Execute"');
  expect(await store.votes.listRow(reviewId, rows[2] as string, 1)).toEqual([]);
});

test('proactive post to a channel the bot was added to; refused for unknown channels', async () => {
  fake.clear();
  const res = await bot.postToChannel(`teams:${TENANT}`, CHANNEL, {
    type: 'message',
    text: 'Reminder: vote!',
  });
  expect(res?.id).toMatch(/^act-/);
  expect(fake.calls).toHaveLength(1);
  expect(fake.calls[0]).toMatchObject({ method: 'POST', conversationId: CHANNEL, activityId: null });
  expect(fake.calls[0]?.body.text).toBe('Reminder: vote!');
  await expect(
    bot.postToChannel(`teams:${TENANT}`, '19:unknown@thread.tacv2', { type: 'message' }),
  ).rejects.toThrow(/added to that channel/);
});

test('a send that meets 429 / 502 / 412 / 504 is retried and delivered once', async () => {
  fake.clear();
  fake.failures = [{ status: 429, retryAfter: '0' }, { status: 502 }, { status: 412 }, { status: 504 }];
  const res = await bot.postToChannel(`teams:${TENANT}`, CHANNEL, { type: 'message', text: 'after retries' });
  expect(res?.id).toMatch(/^act-/);
  expect(fake.calls).toHaveLength(5);
  expect(fake.calls.every((c) => c.body.text === 'after retries')).toBe(true);
});

test('sends to one conversation never exceed 7 in any second', async () => {
  fake.clear();
  const sends = Array.from({ length: 16 }, (_, i) =>
    bot.postToChannel(`teams:${TENANT}`, CHANNEL, { type: 'message', text: `burst ${i}` }),
  );
  await Promise.all(sends);
  expect(fake.calls).toHaveLength(16);
  // Every message delivered once, and never more than 7 within any 1,000 ms window.
  expect(texts(fake.calls).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `burst ${i}`).sort());
  const at = fake.calls.map((c) => c.at);
  for (let i = 7; i < at.length; i++)
    expect((at[i] as number) - (at[i - 7] as number)).toBeGreaterThanOrEqual(1000);
});

test('card verbs of other features (e.g. nudges) are routed to their handler', async () => {
  const r = await post(
    activity(
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'echo.test', data: { x: 1 } } },
      },
      users.ann,
    ),
  );
  expect(r.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect(JSON.stringify(r.json.value)).toContain('echo.test by aad-ann: {\\"x\\":1}');
});
