import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { waitFor } from '../slack/harness';
import { testLogger } from '../support/logs';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from '../teams/support/activities';
import { type ConnectorCall, FakeConnector } from '../teams/support/fakeConnector';
import { TestClock } from './support';

/**
 * Plan nudges in Teams as src/main.ts wires them (POST /api/messages, a fake Bot Connector, an injected clock): a
 * `kind=plan` schedule nudges the building without a plan with a card whose button (verb "plan-open") answers with
 * the plan card; saving it (verb "plan-save") replaces the posted nudge with "Submitted v1 … by Bea".
 */
const TENANT = 'tenant-plan-nudges';
const DISTRICT = '19:district@thread.tacv2';
const OAK = '19:oak@thread.tacv2';
const PINE = '19:pine@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey: TeamsUser = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const bea: TeamsUser = { id: '29:bea', name: 'Bea Oak', aadObjectId: 'aad-bea' };
const pat: TeamsUser = { id: '29:pat', name: 'Pat Pine', aadObjectId: 'aad-pat' };

const clock = new TestClock(new Date('2026-11-23T12:00:00Z'));
let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-plan-nudges-teams-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'plan-nudges-teams-test-secret-0123456789abcdef',
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
const posts = (calls: readonly ConnectorCall[] = fake.calls) =>
  calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/pagedmembers'));
async function say(channel: string, line: string, from: TeamsUser = casey): Promise<string> {
  fake.clear();
  const r = await postActivity(api(), teamsSay(at(channel), line, from));
  expect(r.status).toBe(200);
  await app.teams.idle();
  return posts()
    .map((c) => `${String(c.body.text ?? '')}${JSON.stringify(cardsOf([c]))}`)
    .join('\n');
}
async function install(channel: string) {
  expect((await postActivity(api(), teamsBotAdded(at(channel), casey))).status).toBe(200);
  await app.teams.idle();
}

test('Teams: a plan schedule nudges the building without a plan; its button opens the plan card; saving redraws it', async () => {
  await install(DISTRICT);
  expect(await say(DISTRICT, 'setup "Lakeview Schools"')).toMatch(/now the district team/);
  await install(OAK);
  expect(await say(OAK, 'building here "Oak"')).toMatch(/Registered \*\*Oak\*\*/);
  await install(PINE);
  expect(await say(PINE, 'building here "Pine"')).toMatch(/Registered \*\*Pine\*\*/);
  // Pine's team has its plan already.
  expect(await say(PINE, 'plan 1 in-place', pat)).toMatch(/version 1|v1/i);
  expect(await say(DISTRICT, 'schedule add "every day at 9:00" weekends quiet=off kind=plan')).toMatch(
    /asking for the Building Action Planning template/,
  );

  fake.clear();
  const nine = new Date('2026-11-24T14:00:00Z'); // 09:00 in Detroit
  clock.t = nine;
  expect(await app.nudges.tick(nine)).toMatchObject({ sent: 1, skippedSubmitted: 1, digests: 1, failed: 0 });
  await app.teams.idle();
  const toOak = cardsOf(posts().filter((c) => c.conversationId === OAK));
  expect(toOak).toHaveLength(1);
  const nudge = JSON.stringify(toOak[0]);
  expect(nudge).toContain('Building Action Planning template');
  expect(nudge).toContain('"verb":"plan-open"');
  expect(nudge).not.toContain('nudge.snooze');
  const digest = JSON.stringify(cardsOf(posts().filter((c) => c.conversationId === DISTRICT)));
  expect(digest).toContain('Building Action Planning templates');
  expect(digest).toMatch(/1 of 2 building teams have submitted/);

  // Bea clicks "Open the form" in Oak's channel: the plan card comes back in its place.
  const action = ((toOak[0]?.actions ?? []) as Array<{ verb: string; data: Record<string, unknown> }>).find(
    (a) => a.verb === 'plan-open',
  );
  const opened = await postActivity(api(), teamsInvoke(at(OAK), bea, 'plan-open', action?.data ?? {}));
  expect(opened.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  const card = JSON.stringify(opened.json?.value);
  expect(card).toContain('"verb":"plan-save"');
  expect(card).toContain('Building Action Planning template');

  clock.t = new Date(nine.getTime() + 3600_000);
  fake.clear();
  const saved = await postActivity(
    api(),
    teamsInvoke(at(OAK), bea, 'plan-save', {
      ...(action?.data ?? {}),
      version: 0,
      'team.status': 'strengthen',
      'team.actions': 'Add a data lead',
    }),
  );
  expect(JSON.stringify(saved.json?.value)).toContain('Saved version 1.');
  // The posted nudge is replaced (PUT on its activity): submitted by Bea, no snoozes, "View or edit".
  await waitFor(() => fake.calls.some((c) => c.method === 'PUT' && c.conversationId.startsWith(OAK)));
  await app.teams.idle();
  const put = fake.calls.find((c) => c.method === 'PUT' && c.conversationId.startsWith(OAK));
  const redrawn = JSON.stringify(cardsOf(put ? [put] : []));
  expect(redrawn).toMatch(/Submitted v1 on Tue 2026-11-24 10:00 EST by Bea Oak/);
  expect(redrawn).toContain('View or edit');
  expect(redrawn).toContain('"verb":"plan-open"');
});
