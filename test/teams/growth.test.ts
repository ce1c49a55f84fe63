import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { MAX_BODY_BYTES, mountTeams, type TeamsBot } from '../../src/adapters/teams';
import { KV, type StoredConversation } from '../../src/adapters/teams/bot';
import { TeamsDirectory } from '../../src/adapters/teams/directory';
import { makeService } from '../support/fixtures';
import { bufferLogger } from '../support/logs';
import { FakeConnector } from './support/fakeConnector';

/**
 * What one tenant can make the Teams adapter store is bounded: large conversationUpdates (many members, long names,
 * extra fields) across many channels grow the store by a small, fixed amount; refusals are logged once.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-growth-'));
const dataDir = path.join(tmp, 'data');
let fake: FakeConnector;
let store: NedbStore;
let bot: TeamsBot;
let server: http.Server;
let url = '';
const log = bufferLogger('debug');

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fs.mkdirSync(dataDir);
  store = new NedbStore(dataDir);
  await store.init();
  const web = express();
  bot = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true },
    service: makeService(store),
    store,
    logger: log.logger,
  });
  await new Promise<void>((resolve) => {
    server = web.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/messages`;
});

afterAll(async () => {
  await bot.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.stop();
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const storeBytes = () =>
  fs.readdirSync(dataDir).reduce((n, f) => n + fs.statSync(path.join(dataDir, f)).size, 0);

/** A conversationUpdate just under the body limit: 1,000 new members, long names and an unknown padding field. */
function bigUpdate(i: number): string {
  const membersAdded = Array.from({ length: 1000 }, (_, j) => ({
    id: `29:${'m'.repeat(60)}-${i}-${j}`,
    aadObjectId: `00000000-0000-4000-8000-${String(i * 10_000 + j).padStart(12, '0')}`,
    name: 'N'.repeat(40),
  }));
  const channel = `19:channel-${i}@thread.tacv2`;
  const body = {
    type: 'conversationUpdate',
    id: `u${i}`,
    serviceUrl: fake.url,
    channelId: 'msteams',
    from: { id: '29:sender', aadObjectId: 'aad-sender', name: 'S'.repeat(1024), padding: 'p'.repeat(10_000) },
    recipient: { id: '28:bot', name: 'MICIP' },
    conversation: { id: channel, tenantId: 'tenant-big', padding: 'q'.repeat(20_000) },
    channelData: { tenant: { id: 'tenant-big' }, channel: { id: channel } },
    membersAdded,
  };
  const text = JSON.stringify(body);
  expect(text.length).toBeLessThan(MAX_BODY_BYTES);
  return text;
}

test('200 large conversationUpdates grow the store by a small, bounded amount', async () => {
  const before = storeBytes();
  let half = 0;
  for (let i = 0; i < 200; i++) {
    if (i === 100) half = storeBytes();
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bigUpdate(i),
    });
    expect(r.status).toBe(200);
  }
  await bot.idle();
  const after = storeBytes();
  // Without bounds: ~200 × 200 KB (39 MB before the caps). Bounded: the tenant's 20,000 roster entries (~120 bytes
  // each), 200 small conversation references and the tenant's counters; the last 100 updates only add the
  // references of their new channels.
  expect(after - before).toBeLessThan(3_000_000);
  expect(after - half).toBeLessThan(150_000);

  const rosters = await store.kv.list<{ users: Record<string, string> }>(KV.roster);
  const members = rosters.reduce((n, r) => n + Object.keys(r.value.users).length, 0);
  expect(members).toBe(20_000);
  for (const r of rosters) expect(Object.keys(r.value.users).length).toBeLessThanOrEqual(5000);

  const conv = await store.kv.get<StoredConversation>(
    KV.conversation,
    'teams:tenant-big|19:channel-0@thread.tacv2',
  );
  expect(conv).not.toBeNull();
  const json = JSON.stringify(conv);
  expect(json).not.toContain('ppp');
  expect(json).not.toContain('qqq');
  expect(json.length).toBeLessThan(1500);

  const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => String(l.msg));
  expect(warnings.filter((m) => m.includes('TEAMS_MAX_MEMBERS_PER_TENANT'))).toHaveLength(1);
  expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
});

test('a channel cap: more channels than TEAMS_MAX_CHANNELS_PER_TENANT are not remembered', async () => {
  const s = new NedbStore(null);
  await s.init();
  const web = express();
  const { logger, lines } = bufferLogger('debug');
  const b = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true, TEAMS_MAX_CHANNELS_PER_TENANT: 3 },
    service: makeService(s),
    store: s,
    logger,
  });
  const srv = await new Promise<http.Server>((resolve) => {
    const x = web.listen(0, '127.0.0.1', () => resolve(x));
  });
  try {
    const u = `http://127.0.0.1:${(srv.address() as { port: number }).port}/api/messages`;
    for (let i = 0; i < 6; i++) {
      const channel = `19:c${i}@thread.tacv2`;
      const r = await fetch(u, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'installationUpdate',
          action: 'add',
          serviceUrl: fake.url,
          channelId: 'msteams',
          from: { id: '29:a', aadObjectId: 'aad-a' },
          recipient: { id: '28:bot' },
          conversation: { id: channel, tenantId: 't-few' },
          channelData: { tenant: { id: 't-few' }, channel: { id: channel } },
        }),
      });
      expect(r.status).toBe(200);
    }
    await b.idle();
    expect((await s.kv.list(KV.conversation)).map((c) => c.key).sort()).toEqual([
      'teams:t-few|19:c0@thread.tacv2',
      'teams:t-few|19:c1@thread.tacv2',
      'teams:t-few|19:c2@thread.tacv2',
    ]);
    const warnings = lines.filter(
      (l) => l.level === 'warn' && String(l.msg).includes('TEAMS_MAX_CHANNELS_PER_TENANT'),
    );
    expect(warnings).toHaveLength(1);
  } finally {
    b.stop();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
});

test('TeamsDirectory: per-channel and per-tenant caps, over-long ids skipped, each refusal logged once', async () => {
  const s = new NedbStore(null);
  await s.init();
  const warnings: string[] = [];
  const d = new TeamsDirectory(
    s.kv,
    { membersPerChannel: 3, membersPerTenant: 5, channelsPerTenant: 10 },
    (m) => warnings.push(m),
  );
  const people = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => [`aad-${from + i}`, `29:${from + i}`] as const);
  await d.remember('teams:t', 'c1', people(0, 5), false);
  await d.remember('teams:t', 'c1', people(5, 2), false);
  await d.remember('teams:t', 'c2', [['aad-long', `29:${'x'.repeat(300)}`], ...people(10, 4)], false);
  const roster = async (c: string) =>
    Object.keys((await s.kv.get<{ users: Record<string, string> }>(KV.roster, `teams:t|${c}`))?.users ?? {});
  expect(await roster('c1')).toEqual(['aad-0', 'aad-1', 'aad-2']);
  expect(await roster('c2')).toEqual(['aad-10', 'aad-11']);
  expect(warnings.filter((w) => w.includes('TEAMS_MAX_MEMBERS_PER_CHANNEL'))).toHaveLength(1);
  expect(warnings.filter((w) => w.includes('TEAMS_MAX_MEMBERS_PER_TENANT'))).toHaveLength(1);
  // A membership list does not change a known person's MRI; their own activity does.
  await d.remember('teams:t', 'c1', [['aad-0', '29:other']], false);
  expect((await s.kv.get<{ users: Record<string, string> }>(KV.roster, 'teams:t|c1'))?.users['aad-0']).toBe(
    '29:0',
  );
  await d.remember('teams:t', 'c1', [['aad-0', '29:new']], true);
  expect((await s.kv.get<{ users: Record<string, string> }>(KV.roster, 'teams:t|c1'))?.users['aad-0']).toBe(
    '29:new',
  );
});
