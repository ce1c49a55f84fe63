import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isLoopback } from '../../src/adapters/teams';
import { loadConfig } from '../../src/config';
import { startApp } from '../../src/main';
import { hashFolder } from '../support/files';
import { bufferLogger } from '../support/logs';
import { FakeConnector } from './support/fakeConnector';

/**
 * POST /api/messages without MicrosoftAppId: off (404, nothing stored, nothing logged as an error), unless
 * TEAMS_LOCAL_NO_AUTH=true, and then only for requests whose socket comes from loopback.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-endpoint-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A non-loopback address of this machine, if it has one (the request is sent to it, so it also comes from it). */
const external = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

const base = (serviceUrl: string) => ({
  serviceUrl,
  channelId: 'msteams',
  from: { id: '29:mallory', aadObjectId: 'aad-mallory', name: 'Mallory' },
  recipient: { id: '28:bot', name: 'MICIP' },
  conversation: { id: '19:district@thread.tacv2', tenantId: 'victim-tenant' },
  channelData: { tenant: { id: 'victim-tenant' }, channel: { id: '19:district@thread.tacv2' } },
});
const activities = (serviceUrl: string) => [
  {
    ...base(serviceUrl),
    type: 'message',
    id: 'm1',
    text: '<at>MICIP</at> setup "Planted District"',
    entities: [{ type: 'mention', text: '<at>MICIP</at>', mentioned: { id: '28:bot', name: 'MICIP' } }],
  },
  {
    ...base(serviceUrl),
    type: 'conversationUpdate',
    id: 'c1',
    membersAdded: [{ id: '28:bot' }, { id: '29:ann', aadObjectId: 'aad-ann' }],
  },
];

async function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const { logger, lines } = bufferLogger('debug');
  const app = await startApp(
    loadConfig({ PORT: '0', DATA_DIR: dataDir, WEB_CONSOLE: 'off', NUDGES: 'off', ...env }),
    { logger },
  );
  const port = (app.server.address() as { port: number }).port;
  return { app, dataDir, lines, port };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('a Slack-only deployment (Slack set, no MicrosoftAppId)', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({
      HOST: '127.0.0.1',
      SLACK_SIGNING_SECRET: 'slack-only-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-slack-only',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
  });
  afterAll(() => s.app.stop());

  test('a valid-looking Teams message and conversationUpdate are refused and the store is unchanged', async () => {
    const before = hashFolder(s.dataDir);
    for (const a of activities('https://smba.trafficmanager.net/amer/')) {
      const r = await post(`http://127.0.0.1:${s.port}/api/messages`, a);
      expect(r.status).toBe(404);
    }
    await s.app.teams.idle();
    expect(hashFolder(s.dataDir)).toEqual(before);
    expect(
      await s.app.store.districts.findByChannel('teams:victim-tenant', '19:district@thread.tacv2'),
    ).toBeNull();
    expect(s.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('TEAMS_LOCAL_NO_AUTH=true', () => {
  let fake: FakeConnector;
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    fake = await new FakeConnector().start();
    // Mallory is a listed admin here, so that her `setup` from 127.0.0.1 shows the request was handled.
    s = await start({
      HOST: '0.0.0.0',
      TEAMS_LOCAL_NO_AUTH: 'true',
      TEAMS_SERVICE_URLS: fake.url,
      ADMIN_USER_IDS: 'aad-mallory',
    });
  });
  afterAll(async () => {
    await s.app.stop();
    await fake.stop();
  });

  (external ? test : test.skip)(
    `a request from a non-loopback address (${external}) is refused (also with X-Forwarded-For: 127.0.0.1); from 127.0.0.1 it is handled`,
    async () => {
      const before = hashFolder(s.dataDir);
      for (const a of activities(fake.url)) {
        const spoofs: Array<Record<string, string>> = [
          {},
          { 'x-forwarded-for': '127.0.0.1' },
          { 'x-real-ip': '::1' },
        ];
        for (const headers of spoofs) {
          const r = await post(`http://${external}:${s.port}/api/messages`, a, headers);
          expect(r.status).toBe(403);
        }
      }
      await s.app.teams.idle();
      expect(hashFolder(s.dataDir)).toEqual(before);
      expect(fake.calls).toEqual([]);
      expect(s.lines.filter((l) => l.level === 'error')).toEqual([]);
      // The same activities from 127.0.0.1 are handled.
      for (const a of activities(fake.url)) {
        expect((await post(`http://127.0.0.1:${s.port}/api/messages`, a)).status).toBe(200);
      }
      await s.app.teams.idle();
      const d = await s.app.store.districts.findByChannel('teams:victim-tenant', '19:district@thread.tacv2');
      expect(d?.name).toBe('Planted District');
    },
  );
});

test('isLoopback: the socket address, 127.0.0.0/8 and ::1 (also IPv4-mapped), nothing else', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
    expect({ a, ok: isLoopback(a) }).toEqual({ a, ok: true });
  for (const a of [
    undefined,
    '',
    '192.0.2.2',
    '::ffff:10.0.0.1',
    'fd00::2',
    '10.127.0.1',
    '127.0.0.1.evil',
    '::2',
  ])
    expect({ a, ok: isLoopback(a) }).toEqual({ a, ok: false });
});
