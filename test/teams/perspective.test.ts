import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import type { Building } from '../../src/domain/building';
import { type App, startApp } from '../../src/main';
import { TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { postActivity, type TeamsUser, teamsBotAdded, teamsInvoke, teamsSay } from './support/activities';
import { type ConnectorCall, FakeConnector } from './support/fakeConnector';

/**
 * The first vote's perspective question in Teams as src/main.ts wires it (POST /api/messages, a fake Bot
 * Connector): the card answered to a member's first vote in a review (their perspective unknown) carries "Are you
 * rating as the district team or for a building?" with an Action.Execute per answer, once; the answer is stored on
 * the member (building linked) and their card comes back with "Noted: …"; in an anonymous review too.
 */
const TENANT = 'tenant-perspective';
const DISTRICT = '19:district-perspective@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey: TeamsUser = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const pat: TeamsUser = { id: '29:pat', name: 'Pat Member', aadObjectId: 'aad-pat' };

const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fake.pagedMembers = [casey, pat];
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-perspective-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'teams-perspective-test-secret-0123456789abcdef',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
    }),
    { clock, logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  await fake.stop();
});

const at = () => ({ serviceUrl: fake.url, tenant: TENANT, channel: DISTRICT, bot: BOT });
const api = () => `${app.url}/api/messages`;

/** Types a command; the bot's reply in the command's thread, and every call it made. */
async function say(
  line: string,
  from: TeamsUser = casey,
): Promise<{ reply: string; calls: ConnectorCall[] }> {
  fake.clear();
  const r = await postActivity(api(), teamsSay(at(), line, from));
  expect(r.status).toBe(200);
  await app.teams.idle();
  const calls = [...fake.calls];
  const reply = calls
    .filter((c) => c.method === 'POST' && c.conversationId.startsWith(`${DISTRICT};messageid=`))
    .map((c) => String(c.body.text ?? ''))
    .join('\n');
  return { reply, calls };
}

type Action = { type: string; verb: string; title: string; data: Record<string, string> };
/** The Action.Execute buttons of the perspective question on a card (none when it is not asked). */
const questionOf = (card: unknown): { text: string; actions: Action[] } | null => {
  const body = (card as { body?: unknown[] } | undefined)?.body ?? [];
  const last = body.at(-1) as { items?: Array<{ text?: string; actions?: Action[] }> } | undefined;
  const text = last?.items?.[0]?.text;
  return text?.startsWith('Are you rating') ? { text, actions: last?.items?.[1]?.actions ?? [] } : null;
};

test('the first vote asks the perspective on the voter’s card; the answer links them to their building', async () => {
  expect((await postActivity(api(), teamsBotAdded(at(), casey))).status).toBe(200);
  await app.teams.idle();
  expect((await say('setup "Lakeview Schools"')).reply).toMatch(/now the district team/);
  await say('roster import');
  const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
  const building: Building = {
    id: 'b-pine',
    tenantId: `teams:${TENANT}`,
    districtId: district?.id ?? '',
    name: 'Pine High',
    channelId: '19:pine@thread.tacv2',
    members: [pat.aadObjectId ?? ''],
    createdAt: '2026-11-01T00:00:00.000Z',
    createdBy: casey.aadObjectId ?? '',
  };
  await app.store.nudges.buildings.put(building);
  await say('review start "2026-27 Fall" anonymous');
  const review = (await app.store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? ''))[0];
  const [row1, row2] = (review?.polls ?? []).map((p) => p.rowId);
  const vote = (rowId: string | undefined, choice: number) =>
    postActivity(api(), teamsInvoke(at(), pat, 'vote', { reviewId: review?.id, rowId, choice }));

  const first = await vote(row1, 2);
  expect(first.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  const q = questionOf(first.json?.value);
  expect(q?.text).toBe('Are you rating as the district team or for a building?');
  expect(q?.actions.map((a) => [a.title, a.verb, a.data.value])).toEqual([
    ['The district team', 'perspective', 'district'],
    ['Pine High', 'perspective', 'building:b-pine'],
  ]);
  // Asked once per review: the next vote's card has no question.
  expect(questionOf((await vote(row2, 3)).json?.value)).toBeNull();

  const pine = q?.actions[1];
  const answered = await postActivity(api(), teamsInvoke(at(), pat, pine?.verb ?? '', pine?.data ?? {}));
  expect(answered.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect(JSON.stringify(answered.json?.value)).toContain(
    'Noted: you rate for Pine High (the building perspective).',
  );
  expect(questionOf(answered.json?.value)).toBeNull();
  expect(
    await app.store.members.get(`teams:${TENANT}`, district?.id ?? '', pat.aadObjectId ?? ''),
  ).toMatchObject({
    perspective: 'building',
    buildingId: 'b-pine',
  });
  // A forged answer is refused with a reason.
  const forged = await postActivity(
    api(),
    teamsInvoke(at(), pat, 'perspective', { reviewId: review?.id ?? '', rowId: row1 ?? '', value: 'school' }),
  );
  expect(forged.json).toMatchObject({ statusCode: 400 });
  expect(JSON.stringify(forged.json)).toContain('not one of the choices');
});
