import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { cardsOf, postActivity, type TeamsUser, teamsBotAdded, teamsSay } from './support/activities';
import { type ConnectorCall, FakeConnector } from './support/fakeConnector';

/**
 * `review archive` / `review unarchive` in Teams as src/main.ts wires it (POST /api/messages, a fake Bot
 * Connector): the reply only (no card redrawn), the archived review out of `status` and `reviews`, an open review
 * and a member refused.
 */
const TENANT = 'tenant-archive';
const DISTRICT = '19:district-archive@thread.tacv2';
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
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-archive-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'teams-archive-test-secret-0123456789abcdef',
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
    // A reply with a table or buttons arrives as a card: its text is in the card's body.
    .map((c) => String(c.body.text ?? '') + JSON.stringify(c.body.attachments ?? ''))
    .join('\n');
  return { reply, calls };
}

test('archive and unarchive a cancelled review in Teams', async () => {
  expect((await postActivity(api(), teamsBotAdded(at(), casey))).status).toBe(200);
  await app.teams.idle();
  expect((await say('setup "Lakeview Schools"')).reply).toMatch(/now the district team/);
  await say('roster import');
  await say('review start "2025-26 Fall"');
  expect((await say('review archive "2025-26 Fall"')).reply).toMatch(
    /2025-26 Fall.* is still open: only a closed or cancelled review can be archived/,
  );
  await say('review cancel "wrong year"');
  clock.advance(60_000);
  await say('review start "2026-27 Fall"');
  await say('review cancel "test run"');
  expect((await say('status')).reply).toContain('2026-27 Fall');

  expect((await say('review archive "2026-27 Fall"', pat)).reply).toMatch(
    /Only a coordinator of this district can archive or unarchive reviews/,
  );
  const archived = await say('review archive "2026-27 Fall"');
  expect(archived.reply).toMatch(/\*\*2026-27 Fall\*\* is archived/);
  expect(cardsOf(archived.calls)).toEqual([]);
  expect(archived.calls.filter((c) => c.method === 'PUT')).toEqual([]); // no poll card redrawn
  const status = (await say('status')).reply;
  expect(status).toContain('2025-26 Fall');
  expect(status).not.toContain('2026-27 Fall');
  const list = (await say('reviews')).reply;
  expect(list).not.toContain('2026-27 Fall');
  expect(list).toMatch(/1 archived review\(s\) not listed/);
  expect((await say('reviews all')).reply).toMatch(/2026-27 Fall\*\* — cancelled, archived/);

  expect((await say('review unarchive "2026-27 Fall"')).reply).toMatch(/back in the everyday lists/);
  expect((await say('status')).reply).toContain('2026-27 Fall');
});
