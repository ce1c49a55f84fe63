import * as fs from 'node:fs';
import * as path from 'node:path';
import { BOT_EVENTS, BOT_SCOPES, SLASH_COMMAND } from '../../src/adapters/slack/slackApp';

const dir = path.join(__dirname, '..', '..', 'manifests', 'slack');
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
// Every source file of the Slack adapter, its listeners (listeners/<kind>/<name>.ts) included.
const srcDir = path.join(__dirname, '..', '..', 'src', 'adapters', 'slack');
const source = fs
  .readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => fs.statSync(path.join(srcDir, f)).isFile())
  .map((f) => fs.readFileSync(path.join(srcDir, f), 'utf8'))
  .join('\n');

describe.each(['manifest.json', 'manifest.socket-mode.json'])('Slack app manifest %s', (file) => {
  const m = read(file);

  test('declares exactly the slash command, scopes and bot events the code uses', () => {
    expect(m.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([SLASH_COMMAND]);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect([...m.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
    for (const e of BOT_EVENTS) expect(source).toContain(`'${e}'`);
  });

  test('interactivity (buttons, modals) and the App Home tab are on; mentions are escaped for the command parser', () => {
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.features.slash_commands[0].should_escape).toBe(true);
    expect(m.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
  });

  test('every Web API method the code calls is allowed by a declared scope', () => {
    const needs: Record<string, string> = {
      'chat.postMessage': 'chat:write',
      'chat.update': 'chat:write',
      'chat.postEphemeral': 'chat:write',
      'files.uploadV2': 'files:write',
      'users.info': 'users:read',
      'conversations.members': 'channels:read',
    };
    const called = [...source.matchAll(/client\.(chat|views|users|conversations|files)\.(\w+)\(/g)].map(
      (x) => `${x[1]}.${x[2]}`,
    );
    expect(called.length).toBeGreaterThan(0);
    for (const method of new Set(called)) {
      if (method.startsWith('views.')) continue; // views.* need no scope
      expect({ method, scope: m.oauth_config.scopes.bot.includes(needs[method]) }).toEqual({
        method,
        scope: true,
      });
    }
  });
});

test('the HTTP manifest points commands, events, interactivity and OAuth at this app’s routes', () => {
  const m = read('manifest.json');
  expect(m.settings.socket_mode_enabled).toBe(false);
  expect(m.features.slash_commands[0].url).toMatch(/\/slack\/events$/);
  expect(m.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
  expect(m.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  expect(m.oauth_config.redirect_urls[0]).toMatch(/\/slack\/oauth_redirect$/);
  const s = read('manifest.socket-mode.json');
  expect(s.settings.socket_mode_enabled).toBe(true);
  expect(JSON.stringify(s)).not.toMatch(/https?:\/\//);
});
