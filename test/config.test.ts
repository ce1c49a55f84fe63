import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, envSchema, loadConfig, readSettings } from '../src/config';

describe('configuration', () => {
  test('defaults work with an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3978);
    expect(c.MONGODB_URI).toBeUndefined();
    expect(c.DEFAULT_TIMEZONE).toBe('America/Detroit');
    expect(c.TEAMS_LOCAL_NO_AUTH).toBe(false);
    expect([
      c.TEAMS_MAX_MEMBERS_PER_CHANNEL,
      c.TEAMS_MAX_MEMBERS_PER_TENANT,
      c.TEAMS_MAX_CHANNELS_PER_TENANT,
    ]).toEqual([5000, 20_000, 500]);
    expect(c.NETWORK_MIN_DISTRICTS).toBe(5);
  });

  test('NETWORK_MIN_DISTRICTS: the co-op network’s k, 3 or more', () => {
    expect(loadConfig({ NETWORK_MIN_DISTRICTS: '3' }).NETWORK_MIN_DISTRICTS).toBe(3);
    expect(loadConfig({ NETWORK_MIN_DISTRICTS: '12' }).NETWORK_MIN_DISTRICTS).toBe(12);
    for (const [value, message] of [
      ['2', /^Configuration error: NETWORK_MIN_DISTRICTS must be at least 3 .*\(got "2"\)$/],
      ['0', /^Configuration error: NETWORK_MIN_DISTRICTS must be at least 3/],
      ['4.5', /^Configuration error: NETWORK_MIN_DISTRICTS must be a whole number of districts/],
      ['five', /^Configuration error: NETWORK_MIN_DISTRICTS must be a whole number of districts/],
    ] as const) {
      expect(() => loadConfig({ NETWORK_MIN_DISTRICTS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ NETWORK_MIN_DISTRICTS: value })).toThrow(message);
    }
  });

  test.each([
    ['PORT', 'abc', /^Configuration error: PORT must be a port number from 0 to 65535 \(got "abc"\)$/],
    ['PORT', '70000', /^Configuration error: PORT must be a port number/],
    ['MONGODB_URI', 'postgres://x', /^Configuration error: MONGODB_URI must start with mongodb:\/\//],
    [
      'DEFAULT_TIMEZONE',
      'America/Detriot',
      /^Configuration error: DEFAULT_TIMEZONE must be an IANA time zone/,
    ],
    ['LOG_LEVEL', 'loud', /^Configuration error: LOG_LEVEL must be one of/],
    ['PUBLIC_URL', 'not a url', /^Configuration error: PUBLIC_URL must be a URL/],
    [
      'TEAMS_LOCAL_NO_AUTH',
      'yes',
      /^Configuration error: TEAMS_LOCAL_NO_AUTH must be true or false \(got "yes"\)$/,
    ],
    [
      'TEAMS_MAX_MEMBERS_PER_TENANT',
      '0',
      /^Configuration error: TEAMS_MAX_MEMBERS_PER_TENANT must be at least 1 \(got "0"\)$/,
    ],
    [
      'TEAMS_MAX_CHANNELS_PER_TENANT',
      '2.5',
      /^Configuration error: TEAMS_MAX_CHANNELS_PER_TENANT must be a whole/,
    ],
  ])('a bad %s stops start-up with one line naming it', (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  test.each<[string, Record<string, string>, string]>([
    [
      'a Slack bot token alone',
      { SLACK_BOT_TOKEN: 'xoxb-hunter2' },
      'SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET',
    ],
    [
      'a Slack signing secret alone',
      { SLACK_SIGNING_SECRET: 'hunter2' },
      'SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN',
    ],
    [
      'a Slack app token alone',
      { SLACK_APP_TOKEN: 'xapp-hunter2' },
      'SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN',
    ],
    [
      'a Slack client id without its secret',
      { SLACK_SIGNING_SECRET: 'hunter2', SLACK_CLIENT_ID: '1.2' },
      'SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is missing',
    ],
    [
      'a Slack client secret without its id',
      { SLACK_SIGNING_SECRET: 'hunter2', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CLIENT_SECRET: 'hunter2' },
      'SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is missing',
    ],
    [
      'Slack OAuth credentials without a way in',
      { SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'hunter2' },
      'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set but SLACK_SIGNING_SECRET',
    ],
    [
      'a Microsoft app id alone',
      { MicrosoftAppId: 'a3c2e0b4-0000-4000-8000-000000000001' },
      'MicrosoftAppId is set but MicrosoftAppPassword is missing',
    ],
    [
      'a Microsoft app password alone',
      { MicrosoftAppPassword: 'hunter2' },
      'MicrosoftAppPassword is set but MicrosoftAppId is missing',
    ],
    [
      'a Microsoft tenant alone',
      { MicrosoftAppTenantId: 'hunter2-tenant' },
      'MicrosoftAppTenantId is set but MicrosoftAppId is missing',
    ],
    [
      'a single-tenant app without its tenant',
      { MicrosoftAppId: 'app', MicrosoftAppPassword: 'hunter2', MicrosoftAppType: 'SingleTenant' },
      'MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant',
    ],
    [
      'TEAMS_LOCAL_NO_AUTH with an app id',
      { MicrosoftAppId: 'app', MicrosoftAppPassword: 'hunter2', TEAMS_LOCAL_NO_AUTH: 'true' },
      'TEAMS_LOCAL_NO_AUTH is for local testing without MicrosoftAppId',
    ],
  ])('a half configuration stops start-up: %s', (_what, env, message) => {
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`Configuration error: ${message}`);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).not.toMatch(/hunter2/);
  });

  test.each<Record<string, string>>([
    { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' },
    { SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' },
    { SLACK_SIGNING_SECRET: 's', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'c', SLACK_STATE_SECRET: 'st' },
    { MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' },
    {
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'pw',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 't',
    },
    { MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' },
    { TEAMS_LOCAL_NO_AUTH: 'true' },
  ])('a whole configuration starts: %o', (env) => {
    expect(() => loadConfig(env)).not.toThrow();
  });

  test('.env.example documents every variable the schema reads, and no others', () => {
    const example = fs.readFileSync(path.resolve(__dirname, '..', '.env.example'), 'utf8');
    const documented = [...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe('settings from the environment, then .env', () => {
  const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'micip-env-'));

  test('.env is read for what the environment leaves unset or empty; the environment wins', () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, '.env'),
      'SLACK_SIGNING_SECRET=from-file\nSLACK_BOT_TOKEN="xoxb-file"\nPORT=4000\n# comment\nHOST=127.0.0.1\n',
    );
    const s = readSettings({ PORT: '5000', HOST: '' }, dir);
    expect(s.envFile).toBe(path.join(dir, '.env'));
    const c = loadConfig(s.env);
    expect(c.SLACK_SIGNING_SECRET).toBe('from-file');
    expect(c.SLACK_BOT_TOKEN).toBe('xoxb-file');
    expect(c.PORT).toBe(5000); // the environment wins
    expect(c.HOST).toBe('127.0.0.1'); // an empty variable in the environment counts as unset
  });

  test('no .env is fine; ENV_FILE names another file, and a missing one is an error naming ENV_FILE', () => {
    const dir = tmpDir();
    expect(readSettings({}, dir).envFile).toBeNull();
    fs.writeFileSync(path.join(dir, 'prod.env'), 'PORT=4100\n');
    expect(loadConfig(readSettings({ ENV_FILE: 'prod.env' }, dir).env).PORT).toBe(4100);
    expect(() => readSettings({ ENV_FILE: 'missing.env' }, dir)).toThrow(
      /^Configuration error: ENV_FILE cannot be read \(ENOENT: .*missing\.env\)$/,
    );
  });

  test('.env.example used as an env file as it is starts with the defaults', () => {
    const dir = tmpDir();
    fs.copyFileSync(path.resolve(__dirname, '..', '.env.example'), path.join(dir, '.env'));
    const c = loadConfig(readSettings({}, dir).env);
    expect(c.PORT).toBe(3978); // not a random port
    expect(c.RUBRICS_DIR).toBe(loadConfig({}).RUBRICS_DIR); // not ''
    expect(c.DATA_DIR).toBe('./data');
    expect(c.MONGODB_URI).toBeUndefined();
    // Every empty line in the example counts as unset, as if the variable were absent.
    const empty = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, '']));
    expect(loadConfig(empty)).toEqual(loadConfig({}));
  });

  test.each([
    ['SLACK_API_URL', 'not a url with xoxb-secret'],
    ['MONGODB_URI', 'postgres://admin:hunter2@db'],
    ['WEB_LINK_SECRET', 'short-secret-hunter2'],
  ])('an error about %s names it and never prints its value', (name, value) => {
    let message = '';
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Configuration error: ${name} `));
    expect(message).not.toContain(value);
    expect(message).not.toContain('hunter2');
  });
});
