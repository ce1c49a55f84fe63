import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { startApp } from '../../src/main';
import { testLogger } from '../support/logs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-console-mode-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function consoleStatus(env: Record<string, string>) {
  const app = await startApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, String(Math.random())), ...env }),
    { logger: testLogger() },
  );
  try {
    const res = await fetch(`${app.url}/console`);
    return { url: app.consoleUrl, status: res.status };
  } finally {
    await app.stop();
  }
}

const teams = {
  MicrosoftAppId: 'a3c2e0b4-0000-4000-8000-000000000001',
  MicrosoftAppPassword: 'test-password',
};

test('WEB_CONSOLE=auto: on for a fresh set-up, off once a chat is configured; on/off force it', async () => {
  expect(await consoleStatus({})).toEqual({ url: expect.stringMatching(/\/console$/), status: 200 });
  expect(await consoleStatus(teams)).toEqual({
    url: null,
    status: 404,
  });
  expect(await consoleStatus({ ...teams, WEB_CONSOLE: 'on' })).toMatchObject({ status: 200 });
  expect(await consoleStatus({ WEB_CONSOLE: 'off' })).toEqual({ url: null, status: 404 });
});
