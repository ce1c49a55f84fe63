import { MongoClient } from 'mongodb';
import { ACTION } from '../../src/adapters/slack/blocks';
import { INSTALLATIONS_NS } from '../../src/adapters/slack/installations';
import { loadConfig } from '../../src/config';
import { NOT_ENOUGH } from '../../src/domain/network';
import { type App, startApp } from '../../src/main';
import { FakeSlack } from '../slack/fakeSlack';
import { waitFor } from '../slack/harness';
import { SignedClient, voteClick } from '../slack/signedClient';
import { rubrics, TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import {
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from '../teams/support/activities';
import { FakeConnector } from '../teams/support/fakeConnector';

/**
 * The co-op network end to end, in one product process (src/main.ts's startApp, both chat adapters on its HTTP
 * server): six districts — three on Slack in two workspaces installed through OAuth (signed slash commands and
 * block actions to /slack/events, a local fake Slack Web API), three on Teams in two tenants (activities to
 * /api/messages, a local fake Bot Connector) — each finish a review through the real vote paths, `close` and
 * `decide`. With k = 5 and four districts finished, no reply, page or export shows a rating of another district;
 * with six, the chat view, the network page and the export count exactly the districts' settled ratings. Then
 * peers and a connect request across platforms: the request reaches the other district's channel and says nothing
 * about who asks until a coordinator there accepts.
 */
const uri = process.env.MONGODB_URI as string;
const dbName = `micip_network_e2e_${process.pid}`;
const SECRET = 'network-e2e-signing-secret-0123';
// Not the cycle the product's own help text gives as an example, so that finding it in a reply means something.
const CYCLE = '2027 Spring co-op';
const RUBRIC = rubrics.get('culture-of-collaboration');
const ROWS = RUBRIC?.rows ?? [];
const LEVELS = ['Beginning', 'Developing', 'Evolving', 'Accomplished'];
const clock = new TestClock(new Date('2026-11-24T14:00:00Z'));
/** Finishing the reviews is some 150 signed requests and activities: slow on a loaded machine. */
const SLOW_MS = 240_000;

type Platform = 'slack' | 'teams';
interface District {
  key: string;
  name: string;
  platform: Platform;
  /** Slack team id, or the AAD tenant id (the product's tenant is `teams:<id>`). */
  workspace: string;
  channel: string;
  coordinator: { id: string; name: string };
  named: boolean;
  contact: boolean;
  /** The rating each of the six rows should settle at (1–4). */
  plan: number[];
  /** The row (0-based) whose votes split, so that a coordinator records its rating with `decide`. */
  split: number;
}

const district = (
  key: string,
  platform: Platform,
  workspace: string,
  channel: string,
  o: { named?: boolean; contact?: boolean; plan: number[]; split: number },
): District => ({
  key,
  name: `${key} Schools`,
  platform,
  workspace,
  channel,
  coordinator:
    platform === 'slack'
      ? { id: `U${key.toUpperCase()}C`, name: `${key}coord` }
      : { id: `29:${key.toLowerCase()}-coord`, name: `${key} Coordinator` },
  named: o.named ?? false,
  contact: o.contact ?? true,
  plan: o.plan,
  split: o.split,
});

// Two Slack workspaces (T91: Aspen, Birch; T82: Cedar), two Teams tenants (tenant-a: Dogwood, Elm; tenant-b: Fir).
const D = {
  aspen: district('Aspen', 'slack', 'T91', 'C91ASPEN', { plan: [2, 2, 3, 1, 2, 3], split: 0 }),
  birch: district('Birch', 'slack', 'T91', 'C91BIRCH', { plan: [3, 4, 2, 2, 3, 3], split: 1 }),
  dogwood: district('Dogwood', 'teams', 'tenant-a', '19:dogwood@thread.tacv2', {
    named: true,
    plan: [2, 4, 3, 1, 2, 4],
    split: 2,
  }),
  elm: district('Elm', 'teams', 'tenant-a', '19:elm@thread.tacv2', { plan: [3, 2, 4, 2, 3, 3], split: 3 }),
  // The last two finish after the first four: until then the network has four contributing districts.
  cedar: district('Cedar', 'slack', 'T82', 'C82CEDAR', {
    contact: false,
    plan: [1, 3, 2, 2, 4, 2],
    split: 4,
  }),
  fir: district('Fir', 'teams', 'tenant-b', '19:fir@thread.tacv2', { plan: [4, 3, 1, 3, 2, 2], split: 5 }),
};
const ALL = Object.values(D);
const FIRST_FOUR = [D.aspen, D.birch, D.dogwood, D.elm];
const NAMES = new RegExp(ALL.flatMap((d) => [d.name, d.key, d.coordinator.name]).join('|'));
const FACILITATOR = { team: 'T91', id: 'UFAC', channel: 'D91FAC' };

let fake: FakeSlack;
let connector: FakeConnector;
let app: App;
let base = '';
let slack: SignedClient;
let code = '';

const tenantOf = (d: District) => (d.platform === 'slack' ? d.workspace : `teams:${d.workspace}`);
const teamsPlace = (d: District): TeamsPlace => ({
  serviceUrl: connector.url,
  tenant: d.workspace,
  channel: d.channel,
  bot: { id: '28:micip-bot', name: 'MICIP' },
});
const teamsUser = (id: string, name: string): TeamsUser => ({ id, name, aadObjectId: `aad-${id}` });
/** Each Teams district is its own team (the installer is kept per team). */
const inTeam = <T extends { channelData: Record<string, unknown> }>(a: T, d: District): T => ({
  ...a,
  channelData: { ...a.channelData, team: { id: `19:team-${d.key}@thread.tacv2` } },
});

/** Installs the app in a Slack workspace through the real OAuth flow; the fake answers for `team`. */
async function install(team: string): Promise<void> {
  fake.failNext('oauth.v2.access', {
    status: 200,
    body: {
      ok: true,
      app_id: 'A1',
      authed_user: { id: `UINST${team}` },
      scope: 'commands,chat:write,chat:write.public,users:read,files:write',
      token_type: 'bot',
      access_token: `xoxb-${team}`,
      bot_user_id: `UBOT${team}`,
      team: { id: team, name: `Workspace ${team}` },
      enterprise: null,
      is_enterprise_install: false,
    },
  });
  const page = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  const link =
    /href="(https:\/\/slack\.com[^"]+)"/.exec(await page.text())?.[1]?.replace(/&amp;/g, '&') ?? '';
  const state = new URL(link).searchParams.get('state') as string;
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const done = await fetch(`${base}/slack/oauth_redirect?code=c-${team}&state=${encodeURIComponent(state)}`, {
    headers: { cookie },
  });
  expect(done.status).toBe(200);
}

/** What the app said to `user` (ephemeral) or in `channel` (a message) since `from` calls, with the tokens used. */
const slackSaid = (user: string, channel: string, from: number) =>
  fake.calls
    .slice(from)
    .filter(
      (c) =>
        (c.method === 'chat.postEphemeral' && c.args.user === user) ||
        (c.method === 'chat.postMessage' && c.args.channel === channel),
    );

/**
 * A signed `/micip <text>` from `user` in a channel of `team`; resolves with the reply's text (sent with that
 * team's token): the first ephemeral to `user`, or with `match` the first ephemeral or channel message matching it.
 */
async function slashAs(
  team: string,
  channel: string,
  user: string,
  name: string,
  text: string,
  match?: RegExp,
) {
  const from = fake.calls.length;
  const r = await slack.command({
    team_id: team,
    team_domain: team.toLowerCase(),
    channel_id: channel,
    channel_name: channel.startsWith('D') ? 'directmessage' : 'district-team',
    user_id: user,
    user_name: name,
    text,
  });
  expect(r.status).toBe(200);
  const replies = () =>
    slackSaid(user, channel, from).filter((c) =>
      match ? match.test(String(c.args.text ?? '')) : c.method === 'chat.postEphemeral',
    );
  await waitFor(() => replies().length > 0, 10_000);
  const reply = replies()[0];
  expect(reply?.token).toBe(`xoxb-${team}`);
  return String(reply?.args.text ?? '');
}

/** The Teams replies (and proactive posts) in a channel since `from` calls. */
const teamsTexts = (channel: string, from = 0) =>
  connector.calls
    .slice(from)
    .filter((c) => c.method === 'POST' && c.conversationId.startsWith(channel))
    .map((c) => String(c.body.text ?? ''));

async function teamsPost(activity: unknown) {
  const r = await postActivity(`${base}/api/messages`, activity);
  await app.teams.idle();
  return r;
}

/** `@MICIP <text>` from `user` in a Teams district's channel; resolves with the bot's replies there. */
async function teamsSayAs(d: District, user: TeamsUser, text: string): Promise<string> {
  const from = connector.calls.length;
  const r = await teamsPost(inTeam(teamsSay(teamsPlace(d), text, user), d));
  expect(r.status).toBeLessThan(300);
  return teamsTexts(d.channel, from).join('\n');
}

const coordTeams = (d: District) => teamsUser(d.coordinator.id, d.coordinator.name);

/** A command from the district's coordinator, in its channel, on its platform: the reply's text. */
function asCoordinator(d: District, text: string, match?: RegExp): Promise<string> {
  return d.platform === 'slack'
    ? slashAs(d.workspace, d.channel, d.coordinator.id, d.coordinator.name, text, match)
    : teamsSayAs(d, coordTeams(d), text);
}
const asFacilitator = (text: string) =>
  slashAs(FACILITATOR.team, FACILITATOR.channel, FACILITATOR.id, 'fay', text);

async function reviewOf(d: District) {
  const found = await app.store.districts.findByChannel(tenantOf(d), d.channel);
  const reviews = found ? await app.store.reviews.listByDistrict(found.tenantId, found.id) : [];
  return reviews[0] ?? null;
}

/** Three people vote on every row (on the split row two at the plan's level and one elsewhere); close; decide. */
async function finishReview(d: District): Promise<void> {
  const started = await asCoordinator(
    d,
    `review start "${CYCLE}" quorum=3 quorum-share=0 rounds=1`,
    /started/,
  );
  expect(started).toMatch(/started/);
  await waitFor(async () => (await reviewOf(d)) !== null, 10_000);
  const review = await reviewOf(d);
  const reviewId = review?.id as string;
  if (d.platform === 'slack') {
    // The six polls are posted before anyone clicks.
    await waitFor(
      () => fake.of('chat.postMessage').filter((c) => c.args.channel === d.channel).length >= 6,
      15_000,
    );
  }
  for (const [i, row] of ROWS.entries()) {
    const level = d.plan[i] as number;
    const other = level === 4 ? 3 : level + 1;
    for (let v = 0; v < 3; v++) {
      const choice = i === d.split && v === 2 ? other : level;
      if (d.platform === 'slack') {
        const r = await slack.payload(
          voteClick({
            team: d.workspace,
            channel: d.channel,
            user: `U${d.key.toUpperCase()}V${v}`,
            name: `${d.key.toLowerCase()}voter${v}`,
            actionId: `${ACTION.vote}_${choice}`,
            value: `${reviewId}|${row.id}`,
          }),
        );
        expect(r.status).toBe(200);
      } else {
        const voter = teamsUser(`29:${d.key.toLowerCase()}-voter${v}`, `${d.key} Voter ${v}`);
        const r = await teamsPost(
          inTeam(teamsInvoke(teamsPlace(d), voter, 'vote', { reviewId, rowId: row.id, choice }), d),
        );
        expect(r.json).toMatchObject({ statusCode: 200 });
      }
    }
  }
  // Slack clicks are answered at once and written from a queue: all 18 votes are stored before the close.
  await waitFor(async () => (await app.store.votes.listRound(reviewId, 1)).length === 18, 15_000);
  expect(await asCoordinator(d, 'close', /closed/i)).toMatch(/closed/i);
  await waitFor(async () => (await reviewOf(d))?.polls.every((p) => p.status !== 'voting') === true);
  const decided = await asCoordinator(
    d,
    `decide ${d.split + 1} ${d.plan[d.split]} "we talked it through"`,
    /recorded|rated|complete/i,
  );
  expect(decided).toMatch(/recorded|rated|complete/i);
  await waitFor(async () => (await reviewOf(d))?.status === 'complete', 10_000);
}

/** Each row's settled rating as the district's stored review holds it (consensus or a recorded decision). */
async function settled(d: District): Promise<Array<number | null>> {
  const review = await reviewOf(d);
  return ROWS.map((row) => {
    const p = review?.polls.find((x) => x.rowId === row.id);
    return typeof p?.outcome?.rating === 'number' ? p.outcome.rating : null;
  });
}

/** Per row: districts at each level, then "not settled". */
async function expectedCounts(ds: District[]): Promise<number[][]> {
  const counts = ROWS.map(() => [0, 0, 0, 0, 0]);
  for (const d of ds) {
    (await settled(d)).forEach((rating, i) => {
      const c = counts[i] as number[];
      c[rating === null ? 4 : rating - 1] = (c[rating === null ? 4 : rating - 1] ?? 0) + 1;
    });
  }
  return counts;
}

/** The rows' counts in a chat view, in the rubric's row order (null: the row's line shows no counts). */
function countsInChat(text: string): Array<number[] | null> {
  return ROWS.map((row) => {
    const line = text.split('\n').find((l) => l.includes(row.title)) ?? '';
    const m = new RegExp(`${LEVELS.map((l) => `${l} (\\d+)`).join(' · ')} · not settled (\\d+)`).exec(line);
    return m ? m.slice(1).map(Number) : null;
  });
}

/** The rows' counts on the network page (null: no count cells in the row). */
function countsInPage(html: string): Array<number[] | null> {
  return ROWS.map((row) => {
    const tr = new RegExp(`<tr><th scope="row">${row.title}</th>(.*?)</tr>`).exec(html)?.[1] ?? '';
    const cells = [...tr.matchAll(/<td class="count">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    return cells.length ? cells : null;
  });
}

/** The network page behind the signed link a `network` reply gives (Slack `<url|…>`, Teams `[…](url)`). */
async function pageFrom(reply: string): Promise<string> {
  const url = /(https?:\/\/[^\s|>)]+\/dashboard\/network\?k=[^\s|>)]+)/.exec(reply)?.[1];
  expect(url).toBeDefined();
  const res = await fetch((url as string).replace('//localhost:', '//127.0.0.1:').replace(/&amp;/g, '&'));
  expect(res.status).toBe(200);
  return res.text();
}

interface ExportFigure {
  cycle: string;
  rowId: string;
  levels: Record<string, number>;
  notSettled: number;
}

/** The facilitator's `network export json`, as the bytes uploaded to Slack. */
async function exportJson(): Promise<{ text: string; json: unknown }> {
  const before = fake.files.size;
  const r = await slack.command({
    team_id: FACILITATOR.team,
    channel_id: FACILITATOR.channel,
    channel_name: 'directmessage',
    user_id: FACILITATOR.id,
    user_name: 'fay',
    text: 'network export json',
  });
  expect(r.status).toBe(200);
  await waitFor(() => [...fake.files.values()].slice(before).some((f) => f.completed !== null), 10_000);
  const text = [...fake.files.values()].at(-1)?.bytes?.toString('utf8') ?? '';
  return { text, json: JSON.parse(text) };
}

beforeAll(async () => {
  fake = await new FakeSlack().start();
  connector = await new FakeConnector().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret-for-tests',
      SLACK_API_URL: fake.url,
      TEAMS_SERVICE_URLS: connector.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
      NETWORK_MIN_DISTRICTS: '5',
      NUDGES: 'off',
      WEB_CONSOLE: 'off',
    }),
    { logger: testLogger(), clock },
  );
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  slack = new SignedClient(`${base}/slack/events`, SECRET);
  for (const d of ALL) if (d.platform === 'slack') fake.admins.add(d.coordinator.id);
  fake.admins.add(FACILITATOR.id);
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  await connector?.stop();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

test(
  'two Slack workspaces install the app; six districts on two platforms join one network',
  async () => {
    await install('T91');
    await install('T82');
    expect((await app.store.kv.list(INSTALLATIONS_NS)).map((i) => i.key).sort()).toEqual(['T:T82', 'T:T91']);

    const created = await asFacilitator('network create "Great Lakes CoOp"');
    code = /network join ([A-Z0-9-]+)/.exec(created)?.[1] ?? '';
    expect(code).not.toBe('');

    for (const d of ALL) {
      if (d.platform === 'teams') {
        expect((await teamsPost(inTeam(teamsBotAdded(teamsPlace(d), coordTeams(d)), d))).status).toBeLessThan(
          300,
        );
      }
      expect(await asCoordinator(d, `setup "${d.name}"`)).toContain(d.name);
      expect(await asCoordinator(d, `network join ${code}${d.named ? ' named' : ''}`)).toContain(
        'joined the co-op network',
      );
      if (d.contact) expect(await asCoordinator(d, 'network contact on')).toContain('open to contact');
    }
  },
  SLOW_MS,
);

describe('four districts finished, k = 5: "not enough districts yet", no rating of another district anywhere', () => {
  test(
    'the first four finish their reviews (votes, close, a recorded decision)',
    async () => {
      for (const d of FIRST_FOUR) {
        await finishReview(d);
        expect(await settled(d)).toEqual(d.plan);
      }
    },
    SLOW_MS,
  );

  test('chat views: a member district sees only its own ratings; the facilitator sees no cycle at all', async () => {
    for (const d of [D.aspen, D.elm]) {
      const view = await asCoordinator(d, 'network');
      expect(view).toContain(NOT_ENOUGH);
      expect(countsInChat(view)).toEqual(ROWS.map(() => null));
      // Its own ratings, row by row, and nothing else's.
      for (const [i, row] of ROWS.entries()) {
        const line = view.split('\n').find((l) => l.includes(row.title)) ?? '';
        expect(line).toContain(`your district: ${LEVELS[(d.plan[i] as number) - 1]}`);
        expect(line.replace(/your district: \w+/, '')).not.toMatch(new RegExp(LEVELS.join('|')));
      }
      const page = await pageFrom(view);
      expect(page).toContain(NOT_ENOUGH);
      expect(countsInPage(page)).toEqual(ROWS.map(() => null));
      // Each row is there, with the district's own rating as its last cell.
      expect(
        ROWS.map(
          (row) => new RegExp(`<tr><th scope="row">${row.title}</th>.*?<td>(\\w+)</td></tr>`).exec(page)?.[1],
        ),
      ).toEqual(d.plan.map((l) => LEVELS[l - 1]));
    }
    const fac = await asFacilitator('network');
    expect(fac).toContain(NOT_ENOUGH);
    expect(fac).not.toMatch(new RegExp(LEVELS.join('|')));
    expect(fac).not.toContain(CYCLE);
    expect(fac.replace('named: Dogwood Schools', '')).not.toMatch(NAMES);
    const status = await asFacilitator('network status');
    expect(status).not.toMatch(new RegExp(LEVELS.join('|')));
    expect(status).not.toContain(CYCLE);
  });

  test('the export leaves the cycle out', async () => {
    const { text } = await exportJson();
    expect(text).not.toContain(CYCLE);
    expect(text).not.toMatch(/vision-mission-beliefs|Vision, mission/);
  });
});

describe('six districts finished: the network view counts exactly their settled ratings', () => {
  test(
    'the last two finish',
    async () => {
      for (const d of [D.cedar, D.fir]) {
        await finishReview(d);
        expect(await settled(d)).toEqual(d.plan);
      }
    },
    SLOW_MS,
  );

  test('the chat views (Slack and Teams), the page and the export equal the districts’ settled ratings', async () => {
    const expected = await expectedCounts(ALL);
    // Every row counts all six districts, none unsettled.
    for (const c of expected) expect(c.reduce((a, b) => a + b, 0)).toBe(6);
    for (const d of [D.birch, D.fir]) {
      const view = await asCoordinator(d, 'network');
      expect(view).toContain(`${CYCLE} (6 districts)`);
      expect(countsInChat(view)).toEqual(expected);
      expect(countsInPage(await pageFrom(view))).toEqual(expected);
    }
    const fac = await asFacilitator('network');
    expect(countsInChat(fac)).toEqual(expected);
    // Only the named district is named, never beside a rating.
    expect(fac).toContain('named: Dogwood Schools; 5 not named');
    for (const line of fac.split('\n').filter((l) => /Beginning \d/.test(l))) expect(line).not.toMatch(NAMES);
    const { text, json } = await exportJson();
    const figures = (json as { networks: Array<{ figures: ExportFigure[] }> }).networks[0]?.figures ?? [];
    expect(
      ROWS.map((row) => {
        const f = figures.find((x) => x.rowId === row.id && x.cycle === CYCLE);
        return f ? [...LEVELS.map((l) => f.levels[l] ?? -1), f.notSettled] : null;
      }),
    ).toEqual(expected);
    // The one district that chose to be named is listed as a member, nowhere else.
    expect(text.replace('"namedDistricts": [\n        "Dogwood Schools"', '')).not.toMatch(NAMES);
  });
});

/** The lists of a `network peers` reply: each peer's handle, name (only if it chose `named`) and level. */
function peersIn(reply: string) {
  const [helpers = '', similar = ''] = reply.split(/Similar struggles/);
  const list = (s: string) =>
    [...s.matchAll(/• \*{0,2}(District [A-Z])\*{0,2}(?: \(([^)]+)\))? — (\w+)/g)].map((m) => ({
      handle: m[1] as string,
      name: m[2] ?? null,
      level: m[3] as string,
    }));
  return { helpers: list(helpers), similar: list(similar) };
}

/** Who `asker` should be shown for a row, from the districts' stored ratings: open to contact, name only if named. */
async function expectedPeers(asker: District, row: number) {
  const mine = (await settled(asker))[row] as number;
  const helpers: Array<{ name: string | null; level: string }> = [];
  const similar: Array<{ name: string | null; level: string }> = [];
  for (const d of ALL) {
    if (d === asker || !d.contact) continue;
    const level = (await settled(d))[row];
    if (typeof level !== 'number') continue;
    const peer = { name: d.named ? d.name : null, level: LEVELS[level - 1] as string };
    if (level >= 3) helpers.push(peer);
    else if (level === mine) similar.push(peer);
  }
  return { mine: LEVELS[mine - 1], helpers, similar };
}
const byLevelThenName = (
  a: { name: string | null; level: string },
  b: { name: string | null; level: string },
) => LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) || String(a.name).localeCompare(String(b.name));
const withoutHandle = (l: Array<{ name: string | null; level: string }>) =>
  l.map(({ name, level }) => ({ name, level })).sort(byLevelThenName);

/** Everything the app posted to a district's channel (Slack messages or Teams activities) since `from`. */
function postedTo(d: District, from: { slack: number; teams: number }) {
  if (d.platform === 'slack') {
    return fake.calls
      .slice(from.slack)
      .filter((c) => c.method === 'chat.postMessage' && c.args.channel === d.channel)
      .map((c) => ({ text: String(c.args.text ?? ''), token: c.token }));
  }
  return teamsTexts(d.channel, from.teams).map((text) => ({ text, token: null }));
}
const mark = () => ({ slack: fake.calls.length, teams: connector.calls.length });
const namesOf = (d: District) =>
  new RegExp(`${d.key}|${d.coordinator.name}|${d.channel}|${d.workspace}`, 'i');

describe('peers and a connect request across platforms', () => {
  const ROW2 = 1;

  test('peer matching on that data: who can help and who shares the struggle, by handle', async () => {
    for (const asker of [D.aspen, D.elm]) {
      const want = await expectedPeers(asker, ROW2);
      const reply = await asCoordinator(asker, `network peers ${ROW2 + 1}`);
      expect(reply).toContain(`(your district: ${want.mine})`);
      const got = peersIn(reply);
      expect(withoutHandle(got.helpers)).toEqual(withoutHandle(want.helpers));
      expect(withoutHandle(got.similar)).toEqual(withoutHandle(want.similar));
      // Cedar did not open itself to contact; only the named district is named.
      expect(reply.replace(/Dogwood Schools/g, '')).not.toMatch(NAMES);
    }
    // The figures this rests on: Aspen rated row 2 Developing; Birch and Dogwood Accomplished, Fir Evolving, Elm
    // Developing, Cedar (closed to contact) Evolving.
    expect((await expectedPeers(D.aspen, ROW2)).helpers.length).toBe(3);
  });

  test('Slack → Teams: the request reaches the other tenant’s channel, names nobody, until accepted', async () => {
    const reply = await asCoordinator(D.aspen, `network peers ${ROW2 + 1}`);
    // Fir is the one helper at Evolving (not named): its handle in this list.
    const fir = peersIn(reply).helpers.find((p) => p.level === 'Evolving' && p.name === null);
    expect(fir).toBeDefined();
    const before = mark();
    const note = 'How did you build your shared vision?';
    const sent = await asCoordinator(D.aspen, `network connect "${fir?.handle}" "${note}"`);
    expect(sent).toContain(`Sent to the coordinators of ${fir?.handle}`);
    expect(sent).not.toMatch(namesOf(D.fir));

    // A proactive activity in Fir's channel (the fake Bot Connector saw it), with the note and no trace of Aspen.
    const notices = postedTo(D.fir, before);
    expect(notices).toHaveLength(1);
    const notice = notices[0]?.text ?? '';
    expect(notice).toContain(note);
    expect(notice).toContain(ROWS[ROW2]?.title);
    expect(notice).not.toMatch(namesOf(D.aspen));
    const id = /network accept ([A-Za-z0-9_-]+)/.exec(notice)?.[1] as string;
    expect(id).toBeDefined();
    expect(postedTo(D.aspen, before)).toEqual([]);

    // Nobody else can answer it: the asker, another district, a Fir member who is not a coordinator.
    const noSuch = /There is no connect request/;
    expect(await asCoordinator(D.aspen, `network accept ${id}`)).toMatch(noSuch);
    expect(await asCoordinator(D.elm, `network accept ${id}`)).toMatch(noSuch);
    const firMember = teamsUser('29:fir-voter0', 'Fir Voter 0');
    expect(await teamsSayAs(D.fir, firMember, `network accept ${id}`)).toMatch(/Only a coordinator/);
    expect(postedTo(D.aspen, before)).toEqual([]);

    // Accepted in Fir's channel: Fir reads who asks; Aspen's channel is told (a chat.postMessage in workspace T91).
    const accepted = await asCoordinator(D.fir, `network accept ${id}`);
    expect(accepted).toContain('Aspen Schools');
    expect(accepted).toContain(note);
    await waitFor(() => postedTo(D.aspen, before).length === 1);
    const told = postedTo(D.aspen, before)[0];
    expect(told?.token).toBe('xoxb-T91');
    expect(told?.text).toContain('Fir Schools');
    expect(told?.text).toContain(D.fir.coordinator.name);
    expect(told?.text).toContain('accepted');
  });

  test('Teams → Slack: the request is a message in the Slack channel; declined, nothing is shared', async () => {
    const reply = await asCoordinator(D.elm, `network peers ${ROW2 + 1}`);
    // Birch is the one helper at Accomplished that is not named.
    const birch = peersIn(reply).helpers.find((p) => p.level === 'Accomplished' && p.name === null);
    expect(birch).toBeDefined();
    const before = mark();
    const sent = await asCoordinator(D.elm, `network connect "${birch?.handle}" "Could we compare notes?"`);
    expect(sent).toContain(`Sent to the coordinators of ${birch?.handle}`);
    expect(sent).not.toMatch(namesOf(D.birch));

    await waitFor(() => postedTo(D.birch, before).length === 1);
    const notice = postedTo(D.birch, before)[0];
    expect(notice?.token).toBe('xoxb-T91');
    expect(notice?.text).toContain('Could we compare notes?');
    expect(notice?.text).not.toMatch(namesOf(D.elm));
    const id = /network accept ([A-Za-z0-9_-]+)/.exec(notice?.text ?? '')?.[1] as string;

    const declined = await asCoordinator(D.birch, `network decline ${id}`);
    expect(declined).toContain('Nothing about either district was shared');
    expect(declined).not.toMatch(namesOf(D.elm));
    await waitFor(() => postedTo(D.elm, before).some((p) => /declined/.test(p.text)));
    for (const p of postedTo(D.elm, before)) expect(p.text).not.toMatch(namesOf(D.birch));
  });

  test('network requests: each side sees its own; network remind reaches every unfinished channel once a day', async () => {
    // Elm (Teams) sent one request (declined by Birch); Birch has nothing waiting. Nobody's name is shown.
    const elm = await asCoordinator(D.elm, 'network requests');
    expect(elm).toMatch(/“Could we compare notes\?” — declined/);
    expect(elm).not.toMatch(namesOf(D.birch));
    expect(await asCoordinator(D.birch, 'network requests')).toContain('Waiting for your district: none.');

    // A cycle nobody reviewed: all six districts are reminded, on both platforms, once.
    const before = mark();
    const reply = await asFacilitator('network remind "2028 Fall"');
    expect(reply).toMatch(/2028 Fall\*: 6 reminded now, 0 already reminded today, 0 unreachable/);
    for (const d of ALL) {
      await waitFor(() => postedTo(d, before).length === 1);
      const text = postedTo(d, before)[0]?.text ?? '';
      expect(text).toContain('Great Lakes CoOp');
      expect(text).toContain('your district has no review of');
      for (const other of ALL) expect(text).not.toMatch(namesOf(other));
    }
    expect(await asFacilitator('network remind "2028 fall"')).toContain(
      '0 reminded now, 6 already reminded today',
    );
    for (const d of ALL) expect(postedTo(d, before)).toHaveLength(1);
  });
});

describe('practice notes across platforms', () => {
  test('a Teams district shares a row; Slack coordinators and the facilitator read it; unshare withdraws it', async () => {
    const review = await reviewOf(D.dogwood);
    await app.store.reflections.put(review?.id as string, {
      rowId: ROWS[0]?.id as string,
      question: 1,
      memberId: '29:dogwood-voter0',
      text: 'We <b>co-plan</b> every Friday',
      at: new Date('2026-11-23T15:00:00Z'),
    });
    const shared = await asCoordinator(D.dogwood, 'network share 1');
    expect(shared).toContain('1 reflection answer');
    expect(shared).toContain('co-plan');
    expect(shared).not.toMatch(/Dogwood Voter|29:dogwood-voter/);
    // Slack: another member district's coordinator, and the facilitator in a 1:1 chat; Dogwood chose to be named.
    const aspen = await asCoordinator(D.aspen, 'network');
    expect(aspen).toContain('Practice notes');
    expect(aspen).toContain('from Dogwood Schools');
    expect(aspen).toContain('We &lt;b&gt;co-plan&lt;/b&gt; every Friday');
    expect(await asFacilitator('network')).toContain('co-plan');
    // Teams: a coordinator of a district of another tenant.
    expect(await asCoordinator(D.fir, 'network')).toContain('from Dogwood Schools');
    expect(await asCoordinator(D.dogwood, 'network unshare 1')).toContain('Withdrawn');
    expect(await asCoordinator(D.aspen, 'network')).not.toContain('co-plan');
    expect(await asCoordinator(D.fir, 'network')).not.toContain('co-plan');
  });
});
