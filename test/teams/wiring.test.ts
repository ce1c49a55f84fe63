import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KV } from '../../src/adapters/teams/bot';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
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
    }),
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
