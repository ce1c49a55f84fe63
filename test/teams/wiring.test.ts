import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KV } from '../../src/adapters/teams/bot';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { FakeConnector } from './support/fakeConnector';

/** The Teams adapter as src/main.ts wires it: POST /api/messages on the app's own server and store. */
let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-wiring-')),
      WEB_CONSOLE: 'off',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
      // The Emulator's user (a local tester) may set up district teams.
      ADMIN_USER_IDS: 'e0f1-user',
    }),
    { logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  await fake.stop();
});

const post = (body: unknown) =>
  fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('main mounts the Teams bot: guard answers 400, a real activity is handled and stored', async () => {
  const bad = await post({ text: 'no type' });
  expect(bad.status).toBe(400);
  const ok = await post({
    type: 'installationUpdate',
    action: 'add',
    serviceUrl: fake.url,
    channelId: 'msteams',
    from: { id: '29:a', aadObjectId: 'aad-a' },
    recipient: { id: '28:bot' },
    conversation: { id: '19:c@thread.tacv2', tenantId: 't1' },
    channelData: { tenant: { id: 't1' }, channel: { id: '19:c@thread.tacv2' } },
  });
  expect(ok.status).toBe(200);
  await app.teams.idle();
  expect(await app.store.kv.get(KV.conversation, 'teams:t1|19:c@thread.tacv2')).not.toBeNull();
  expect(fake.calls.map((c) => c.conversationId)).toEqual(['19:c@thread.tacv2']);
});

const message = (text: string, id: string) => ({
  type: 'message',
  id,
  text: `<at>MICIP</at> ${text}`,
  entities: [{ type: 'mention', text: '<at>MICIP</at>', mentioned: { id: '28:bot', name: 'MICIP' } }],
  serviceUrl: fake.url,
  channelId: 'msteams',
  from: { id: '29:a', aadObjectId: 'aad-a', name: 'Alex' },
  recipient: { id: '28:bot', name: 'MICIP' },
  conversation: { id: '19:c@thread.tacv2;messageid=1', tenantId: 't1' },
  channelData: { tenant: { id: 't1' }, channel: { id: '19:c@thread.tacv2' } },
});

test('with the full command set of main: an export is posted inline with a signed download link', async () => {
  fake.clear();
  for (const [i, text] of ['setup "Lakeview"', 'review start "2026-27 Fall"', 'export csv'].entries()) {
    expect((await post(message(text, `m${i}`))).status).toBe(200);
  }
  await app.teams.idle();
  const last = fake.calls.at(-1)?.body.text as string;
  expect(last).toMatch(/\.csv\)/);
  expect(last).toContain('```');
  expect(last).toContain('vision-mission-beliefs');
  // The link downloads the same file from the web dashboard; a tampered link is refused.
  const url = /\[Download [^\]]+\]\((http[^)\s]+)\)/.exec(last)?.[1];
  expect(url).toMatch(/\/dashboard\/reviews\/[^/]+\/export\.csv\?k=/);
  const res = await fetch(url as string);
  expect(res.status).toBe(200);
  const inline = /```\n([\s\S]*)\n```/.exec(last)?.[1] ?? '';
  expect((await res.text()).trim()).toBe(inline.trim());
  expect((await fetch(`${url}x`)).status).toBe(403);
});

test('the bot removed from the channel forgets the conversation; proactive posts are refused', async () => {
  const r = await post({
    type: 'installationUpdate',
    action: 'remove',
    serviceUrl: fake.url,
    channelId: 'msteams',
    from: { id: '29:a', aadObjectId: 'aad-a' },
    recipient: { id: '28:bot' },
    conversation: { id: '19:c@thread.tacv2', tenantId: 't1' },
    channelData: { tenant: { id: 't1' }, channel: { id: '19:c@thread.tacv2' } },
  });
  expect(r.status).toBe(200);
  expect(await app.store.kv.get(KV.conversation, 'teams:t1|19:c@thread.tacv2')).toBeNull();
  await expect(
    app.teams.postToChannel('teams:t1', '19:c@thread.tacv2', { type: 'message' }),
  ).rejects.toThrow();
});

test('a channel where the bot is mentioned without an install event becomes reachable for proactive posts', async () => {
  const m = message('help', 'm-new');
  const body = {
    ...m,
    conversation: { id: '19:other@thread.tacv2;messageid=5', tenantId: 't1' },
    channelData: { tenant: { id: 't1' }, channel: { id: '19:other@thread.tacv2' } },
  };
  expect((await post(body)).status).toBe(200);
  fake.clear();
  await app.teams.postToChannel('teams:t1', '19:other@thread.tacv2', { type: 'message', text: 'hello' });
  expect(fake.calls.map((c) => [c.conversationId, c.activityId])).toEqual([['19:other@thread.tacv2', null]]);
});

test('Bot Framework Emulator activities (no tenant, auth off) work with the local tenant', async () => {
  fake.clear();
  const r = await post({
    type: 'message',
    id: 'emu-1',
    text: 'setup "Emulator District"',
    serviceUrl: fake.url,
    channelId: 'emulator',
    from: { id: 'e0f1-user', name: 'User' },
    recipient: { id: 'e0f1-bot', name: 'Bot' },
    conversation: { id: 'a1b2c3|livechat' },
  });
  expect(r.status).toBe(200);
  await app.teams.idle();
  expect(String(fake.calls.at(-1)?.body.text)).toContain('Emulator District');
  const d = await app.service.districtForChannel(
    { tenantId: 'teams:emulator', userId: 'e0f1-user', channelId: 'a1b2c3|livechat' },
    'a1b2c3|livechat',
  );
  expect(d.name).toBe('Emulator District');
});
