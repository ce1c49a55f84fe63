import { createSign, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { MAX_BODY_BYTES, mountTeams, type TeamsBot } from '../../src/adapters/teams';
import { commandLine, parseActivity, ServiceUrlAllowlist } from '../../src/adapters/teams/activity';
import { KV } from '../../src/adapters/teams/bot';
import type { Store } from '../../src/app/ports';
import { loadConfig } from '../../src/config';
import { asker, makeService } from '../support/fixtures';
import { bufferLogger, testLogger } from '../support/logs';
import { FakeConnector } from './support/fakeConnector';

/**
 * The guard in front of botbuilder: malformed bodies get a 4xx (never a 5xx with a stack trace), replies go only to
 * allowlisted connectors, bodies up to 256 KB are accepted and larger ones get 413, and with MicrosoftAppId set a
 * token that cannot be verified is a 401. Token signing keys are served by a local fake OpenID endpoint.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-guard-'));
const APP_ID = '00000000-0000-0000-0000-00000000b07';
let fake: FakeConnector;
let keys: http.Server;
let keysUrl = '';
const servers: http.Server[] = [];
const bots: TeamsBot[] = [];
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
const KID = 'test-key-1';
/** What the bot without auth logs (the 413 warning is checked). */
const openLog = bufferLogger('warn');

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  const addr = server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

async function startBot(auth: boolean): Promise<{ url: string; store: Store }> {
  const store = new NedbStore(path.join(tmp, `${auth ? 'auth' : 'open'}-${servers.length}`));
  await store.init();
  const web = express();
  bots.push(
    mountTeams(web, {
      config: {
        TEAMS_SERVICE_URLS: [fake.url],
        ...(auth ? { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'pw' } : { TEAMS_LOCAL_NO_AUTH: true }),
      },
      service: makeService(store),
      store,
      logger: auth ? testLogger() : openLog.logger,
      hooks: { openIdMetadataUrl: `${keysUrl}/openid`, authTimeoutMs: 3000 },
    }),
  );
  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  return { url: `${await listen(web)}/api/messages`, store };
}

let open: { url: string; store: Store };
let authed: { url: string; store: Store };

beforeAll(async () => {
  fake = await new FakeConnector().start();
  const k = express();
  k.get('/openid', (_req, res) => {
    res.json({ issuer: 'https://api.botframework.com', jwks_uri: `${keysUrl}/keys` });
  });
  k.get('/keys', (_req, res) => {
    res.json({ keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e }] });
  });
  keysUrl = await listen(k);
  keys = servers[0] as http.Server;
  open = await startBot(false);
  authed = await startBot(true);
});

afterAll(async () => {
  for (const b of bots) b.stop();
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  await fake.stop();
  void keys;
});

const b64url = (x: object | Buffer) =>
  (Buffer.isBuffer(x) ? x : Buffer.from(JSON.stringify(x))).toString('base64url');

/** A Bot Framework channel token as Microsoft would sign it (here with our test key). */
function token(claims: Record<string, unknown> = {}, key = privateKey, kid = KID): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url({ alg: 'RS256', typ: 'JWT', kid });
  const body = b64url({
    iss: 'https://api.botframework.com',
    aud: APP_ID,
    serviceurl: fake.url,
    nbf: now - 60,
    exp: now + 3600,
    ...claims,
  });
  const signer = createSign('RSA-SHA256');
  signer.update(`${head}.${body}`);
  return `${head}.${body}.${signer.sign(key).toString('base64url')}`;
}

function activity(over: Record<string, unknown> = {}) {
  return {
    type: 'conversationUpdate',
    id: 'a1',
    serviceUrl: fake.url,
    channelId: 'msteams',
    from: { id: '29:casey', aadObjectId: 'aad-casey', name: 'Casey' },
    recipient: { id: '28:bot', name: 'MICIP' },
    conversation: { id: '19:c@thread.tacv2', tenantId: 'tenant-a' },
    channelData: { tenant: { id: 'tenant-a' }, channel: { id: '19:c@thread.tacv2' } },
    membersAdded: [{ id: '29:ann', aadObjectId: 'aad-ann' }],
    ...over,
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const noStack = (text: string) => {
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
};

describe('bad bodies get a 4xx and write nothing', () => {
  const cases: Array<[string, () => unknown, number]> = [
    [
      'no type',
      () => {
        const { type: _t, ...rest } = activity();
        return rest;
      },
      400,
    ],
    ['type of the wrong kind', () => activity({ type: 42 }), 400],
    ['from is a string', () => activity({ from: 'someone' }), 400],
    ['conversation missing', () => activity({ conversation: undefined }), 400],
    ['serviceUrl missing', () => activity({ serviceUrl: undefined }), 400],
    ['serviceUrl not a URL', () => activity({ serviceUrl: 'not a url' }), 400],
    ['serviceUrl of an attacker', () => activity({ serviceUrl: 'https://evil.example.com/' }), 403],
    [
      'serviceUrl look-alike',
      () => activity({ serviceUrl: 'https://smba.trafficmanager.net.evil.com/' }),
      403,
    ],
    ['serviceUrl over http', () => activity({ serviceUrl: 'http://smba.trafficmanager.net/amer/' }), 403],
    [
      "serviceUrl on someone's own Azure Traffic Manager name",
      () => activity({ serviceUrl: 'https://evil.trafficmanager.net/amer/' }),
      403,
    ],
    [
      'serviceUrl of another Bot Framework channel',
      () => activity({ serviceUrl: 'https://webchat.botframework.com/' }),
      403,
    ],
    ['entities not an array', () => activity({ entities: { type: 'mention' } }), 400],
    ['__proto__ key', () => '{"type":"message","__proto__":{"polluted":true}}', 400],
    ['array body', () => '[1,2,3]', 400],
    ['scalar body', () => '"hello"', 400],
    ['null body', () => 'null', 400],
    ['not JSON', () => '{"type": "message",', 400],
  ];
  test.each(cases)('%s', async (_name, body, status) => {
    const r = await post(open.url, body());
    expect(r.status).toBe(status);
    expect(JSON.parse(r.text).error).toEqual(expect.any(String));
    noStack(r.text);
  });

  test('nothing was stored and nothing was sent', async () => {
    expect(await open.store.kv.list(KV.conversation)).toEqual([]);
    expect(await open.store.kv.list(KV.roster)).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  test('deeply nested JSON is refused', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const r = await post(open.url, activity({ value: deep }));
    expect(r.status).toBe(400);
  });
});

test('a 2,000-member conversationUpdate (~0.2 MB) is accepted; above 256 KB is a 413, logged once', async () => {
  const members = Array.from({ length: 2000 }, (_, i) => ({
    id: `29:1${String(i).padStart(16, 'x')}`,
    aadObjectId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
  }));
  const big = JSON.stringify(activity({ membersAdded: members }));
  expect(big.length).toBeGreaterThan(150_000);
  expect(big.length).toBeLessThan(MAX_BODY_BYTES);
  const ok = await post(open.url, big);
  expect(ok.status).toBe(200);
  for (let i = 0; i < 3; i++) {
    const huge = JSON.stringify(activity({ text: 'y'.repeat(MAX_BODY_BYTES) }));
    const r = await post(open.url, huge);
    expect(r.status).toBe(413);
    noStack(r.text);
  }
  expect(MAX_BODY_BYTES).toBe(256 * 1024);
  const tooLarge = openLog.lines.filter(
    (l) => l.level === 'warn' && String(l.msg).includes('was refused (413)'),
  );
  expect(tooLarge).toHaveLength(1);
});

describe('with MicrosoftAppId set, every request is verified', () => {
  test('no token, a malformed token, a token signed by another key, an expired token, another audience: 401', async () => {
    const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const bad: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not-a-jwt' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer ${token({}, otherKey)}` },
      { authorization: `Bearer ${token({}, privateKey, 'unknown-kid')}` },
      { authorization: `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 3600 })}` },
      { authorization: `Bearer ${token({ aud: 'someone-else' })}` },
      { authorization: `Bearer ${token({ iss: 'https://attacker.example.com' })}` },
      { authorization: `Bearer ${token({ serviceurl: 'https://smba.trafficmanager.net/amer/' })}` },
    ];
    for (const headers of bad) {
      const r = await post(authed.url, activity(), headers);
      expect({ headers, status: r.status }).toEqual({ headers, status: 401 });
      noStack(r.text);
    }
    expect(await authed.store.kv.list(KV.conversation)).toEqual([]);
    expect(await authed.store.kv.list(KV.roster)).toEqual([]);
  });

  test('an unauthenticated vote invoke on a real review is a 401 and records nothing', async () => {
    const service = makeService(authed.store);
    const coord = asker('teams:tenant-a', 'aad-casey', '19:c@thread.tacv2', 'Casey');
    await service.setupDistrict(coord, { name: 'Lakeview', channelId: '19:c@thread.tacv2' });
    const view = await service.startReview(coord, { channelId: '19:c@thread.tacv2', cycle: 'Fall' });
    const rowId = view.polls[0]?.rowId as string;
    const invoke = activity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: { type: 'Action.Execute', verb: 'vote', data: { reviewId: view.reviewId, rowId, choice: 4 } },
      },
    });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${token({ aud: 'someone-else' })}` },
    ];
    for (const headers of attempts) {
      const r = await post(authed.url, invoke, headers);
      expect(r.status).toBe(401);
    }
    expect(await authed.store.votes.listRow(view.reviewId, rowId, 1)).toEqual([]);
  });

  test('a correctly signed token is accepted and the activity handled', async () => {
    const r = await post(authed.url, activity(), { authorization: `Bearer ${token()}` });
    expect(r.status).toBe(200);
    const roster = await authed.store.kv.list<{ users: Record<string, string> }>(KV.roster);
    expect(roster[0]?.value.users).toEqual({ 'aad-ann': '29:ann' });
  });
});

describe('pure helpers', () => {
  test('allowlist: Microsoft hosts over https, configured extras by origin or by host', () => {
    const a = new ServiceUrlAllowlist(['http://localhost', 'http://127.0.0.1:4000']);
    expect(a.allows('https://smba.trafficmanager.net/amer/')).toBe(true);
    expect(a.allows('https://smba.infra.gcc.teams.microsoft.com/')).toBe(true);
    expect(a.allows('http://localhost:53412/')).toBe(true);
    expect(a.allows('http://127.0.0.1:4000/')).toBe(true);
    expect(a.allows('http://127.0.0.1:4001/')).toBe(false);
    expect(a.allows('https://user:pw@smba.trafficmanager.net/')).toBe(false);
    expect(a.allows('https://botframework.com.evil.org/')).toBe(false);
  });

  test('allowlist: exactly the documented connector hosts, not their look-alikes', () => {
    const a = new ServiceUrlAllowlist();
    for (const url of [
      'https://smba.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net/apac/',
      'https://smba.trafficmanager.net/teams/',
      'https://smba.onyx.prod.teams.trafficmanager.net/amer/',
      'https://smba.infra.gcc.teams.microsoft.com/teams/',
      'https://smba.infra.gov.teams.microsoft.us/teams/',
      'https://smba.infra.dod.teams.microsoft.us/teams/',
      'https://frontend.botapi.msg.infra.teams.microsoftonline.cn/',
    ]) {
      expect({ url, ok: a.allows(url) }).toEqual({ url, ok: true });
    }
    for (const url of [
      'https://evil.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net.evil.com/',
      'https://x.smba.trafficmanager.net/amer/',
      'https://evil.teams.microsoft.com/',
      'https://attacker.botframework.com/',
      'https://webchat.botframework.com/',
      'https://smba.teams.sovcloud-core.fr/teams/',
    ]) {
      expect({ url, ok: a.allows(url) }).toEqual({ url, ok: false });
    }
  });

  test('allowlist: TEAMS_SERVICE_URLS adds hosts to the documented ones', () => {
    const config = loadConfig({
      TEAMS_SERVICE_URLS: 'https://smba.teams.sovcloud-core.fr, http://localhost',
    });
    const a = new ServiceUrlAllowlist(config.TEAMS_SERVICE_URLS);
    expect(a.allows('https://smba.teams.sovcloud-core.fr/teams/')).toBe(true);
    expect(a.allows('http://localhost:56000/')).toBe(true);
    expect(a.allows('https://smba.trafficmanager.net/amer/')).toBe(true);
    expect(a.allows('http://smba.teams.sovcloud-core.fr/teams/')).toBe(false);
    expect(a.allows('https://evil.trafficmanager.net/amer/')).toBe(false);
  });

  test('commandLine: bot mention removed, other mentions become <@AAD|Name>, HTML stripped', () => {
    const a = parseActivity(
      JSON.stringify({
        ...activity({ type: 'message' }),
        text: '<p><at>MICIP</at> coordinator add <at>Ann Lee</at>&nbsp;</p>',
        entities: [
          { type: 'mention', text: '<at>MICIP</at>', mentioned: { id: '28:bot', name: 'MICIP' } },
          { type: 'mention', text: '<at>Ann Lee</at>', mentioned: { id: '29:ann', name: 'Ann Lee' } },
        ],
      }),
      new ServiceUrlAllowlist([fake.url]),
    );
    expect(commandLine(a)).toBe('coordinator add <@29:ann|Ann Lee>');
    expect(commandLine(a, new Map([['29:ann', 'aad-ann']]))).toBe('coordinator add <@aad-ann|Ann Lee>');
  });

  test('commandLine: a mention right after "=" stays part of its option (owner=@Ann)', () => {
    const a = parseActivity(
      JSON.stringify({
        ...activity({ type: 'message' }),
        text: '<at>MICIP</at> action add 1 "x" owner=<at>Ann Lee</at> due=2027-01-15 from=<at>Ann Lee</at>',
        entities: [
          { type: 'mention', text: '<at>MICIP</at>', mentioned: { id: '28:bot', name: 'MICIP' } },
          { type: 'mention', text: '<at>Ann Lee</at>', mentioned: { id: '29:ann', name: 'Ann Lee' } },
        ],
      }),
      new ServiceUrlAllowlist([fake.url]),
    );
    expect(commandLine(a, new Map([['29:ann', 'aad-ann']]))).toBe(
      'action add 1 "x" owner=<@aad-ann|Ann Lee> due=2027-01-15 from=<@aad-ann|Ann Lee>',
    );
  });
});
