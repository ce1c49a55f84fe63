import { MongoClient } from 'mongodb';
import { INSTALLATIONS_NS } from '../../src/adapters/slack/installations';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { TestClock } from '../support/fixtures';
import { bufferLogger } from '../support/logs';
import { FakeSlack } from './fakeSlack';
import { waitFor } from './harness';
import { SignedClient } from './signedClient';

const uri = process.env.MONGODB_URI as string;
const dbName = `micip_slack_oauth_${process.pid}`;
const SECRET = 'oauth-signing-secret';

let fake: FakeSlack;
let app: App;
let base = '';
// Error lines only (a request the app cannot authorize is one); a fixed clock: a cached installation never expires.
const logs = bufferLogger('error');

beforeAll(async () => {
  fake = await new FakeSlack().start();
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
      WEB_CONSOLE: 'off',
    }),
    { logger: logs.logger, clock: new TestClock() },
  );
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

describe('multi-workspace install through OAuth (installation store on the product store)', () => {
  test('install, store the installation, then serve that workspace with its own token', async () => {
    const page = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const link = /href="(https:\/\/slack\.com[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const url = new URL(link);
    expect(url.origin).toBe('https://slack.com');
    expect(url.searchParams.get('client_id')).toBe('111.222');
    expect(url.searchParams.get('scope')?.split(',').sort()).toEqual([
      'channels:read',
      'chat:write',
      'chat:write.public',
      'commands',
      'files:write',
      'groups:read',
      'users:read',
    ]);
    const state = url.searchParams.get('state') as string;
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^slack-app-oauth-state=/);

    // Slack sends the browser back with a code; the state must match the browser's cookie.
    const forged = await fetch(`${base}/slack/oauth_redirect?code=abc&state=${encodeURIComponent(state)}`);
    expect(forged.status).toBe(400);
    expect(await app.store.kv.list(INSTALLATIONS_NS)).toHaveLength(0);

    const done = await fetch(`${base}/slack/oauth_redirect?code=abc&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/installed in Nine/i);
    expect(fake.of('oauth.v2.access')[0]?.args).toMatchObject({ code: 'abc', client_id: '111.222' });
    const stored = await app.store.kv.list<{ bot?: { token?: string } }>(INSTALLATIONS_NS);
    expect(stored.map((s) => s.key)).toEqual(['T:T9']);
    expect(stored[0]?.value.bot?.token).toBe('xoxb-installed-T9');

    // A command from the installed workspace is answered with that workspace's token.
    const slack = new SignedClient(`${base}/slack/events`, SECRET);
    expect((await slack.command({ team_id: 'T9', text: 'help', user_id: 'U9' })).status).toBe(200);
    const until = Date.now() + 5000;
    while (fake.of('chat.postEphemeral').length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    const reply = fake.of('chat.postEphemeral')[0];
    expect(reply?.token).toBe('xoxb-installed-T9');
    expect(String(reply?.args.text)).toMatch(/not set up yet/);
  });

  test('a workspace that never installed the app gets nothing done and no 5xx', async () => {
    const slack = new SignedClient(`${base}/slack/events`, SECRET);
    const before = fake.calls.length;
    const r = await slack.command({ team_id: 'T404', text: 'setup "Nowhere"', user_id: 'U1' });
    expect(r.status).toBeLessThan(500);
    await new Promise((res) => setTimeout(res, 200));
    expect(fake.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
    expect(await app.store.districts.findByChannel('T404', 'C1')).toBeNull();
  });

  test('a callback without state or code is a 400 page, not a server error', async () => {
    const r = await fetch(`${base}/slack/oauth_redirect`);
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/was not installed/);
  });
});

describe('uninstall and token revocation (the installation is cached in memory)', () => {
  const slack = () => new SignedClient(`${base}/slack/events`, SECRET);

  async function install(): Promise<void> {
    const page = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    const link =
      /href="(https:\/\/slack\.com[^"]+)"/.exec(await page.text())?.[1]?.replace(/&amp;/g, '&') ?? '';
    const state = new URL(link).searchParams.get('state') as string;
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const done = await fetch(`${base}/slack/oauth_redirect?code=abc&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
    });
    expect(done.status).toBe(200);
  }

  /** Sends `/micip help` from T9: resolves once it is answered with T9's token. */
  async function answered(): Promise<void> {
    const before = fake.of('chat.postEphemeral').length;
    expect((await slack().command({ team_id: 'T9', text: 'help', user_id: 'U9' })).status).toBe(200);
    await waitFor(() => fake.of('chat.postEphemeral').length > before);
    expect(fake.of('chat.postEphemeral').at(-1)?.token).toBe('xoxb-installed-T9');
  }

  /** Sends `/micip help` from T9: resolves once the app has refused it (no installation), checking nothing was sent. */
  async function refused(): Promise<void> {
    const before = fake.calls.length;
    const refusals = () =>
      logs.lines.filter((l) => /No Slack installation for T:T9/.test(JSON.stringify(l.err ?? ''))).length;
    const seen = refusals();
    expect((await slack().command({ team_id: 'T9', text: 'help', user_id: 'U9' })).status).toBeLessThan(500);
    await waitFor(() => refusals() > seen);
    expect(fake.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
  }

  const event = (id: string, e: object) => ({
    token: 'legacy',
    team_id: 'T9',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: id,
    event_time: 1_700_000_000,
    event: e,
  });
  const installed = async () => (await app.store.kv.get(INSTALLATIONS_NS, 'T:T9')) !== null;

  test('app_uninstalled: the installation is gone from the store and the cache; a reinstall works at once', async () => {
    if (!(await installed())) await install();
    await answered(); // the installation is now cached
    expect((await slack().event(event('Ev_uninstall', { type: 'app_uninstalled' }))).status).toBe(200);
    await waitFor(async () => !(await installed()));
    await refused();

    await install();
    await answered();
  });

  test('tokens_revoked (bot token): the installation is gone; a revoked user token alone changes nothing', async () => {
    if (!(await installed())) await install();
    await answered();
    const userOnly = { type: 'tokens_revoked', tokens: { oauth: ['UINSTALLER'], bot: [] } };
    expect((await slack().event(event('Ev_revoke_user', userOnly))).status).toBe(200);
    await answered();
    expect(await installed()).toBe(true);

    const bot = { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT9'] } };
    expect((await slack().event(event('Ev_revoke_bot', bot))).status).toBe(200);
    await waitFor(async () => !(await installed()));
    await refused();
  });
});
