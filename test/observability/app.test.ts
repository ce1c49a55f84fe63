import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { mountObservability } from '../../src/adapters/observability/routes';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { bufferLogger, testLogger } from '../support/logs';

const TOKEN = 'metrics-token-0123456789';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-obs-'));
let app: App;

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${app.url}${p}`, { headers });
const scrape = async () => (await get('/metrics', { authorization: `Bearer ${TOKEN}` })).text();

beforeAll(async () => {
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      WEB_CONSOLE: 'on',
      NUDGES: 'off',
      METRICS_TOKEN: TOKEN,
    }),
    { logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('/healthz and /readyz answer 200 with the embedded store', async () => {
  expect((await get('/healthz')).status).toBe(200);
  const r = await get('/readyz');
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ ready: true, store: 'embedded' });
});

test('/metrics: 401 without the token or with a wrong one, even from loopback', async () => {
  expect((await get('/metrics')).status).toBe(401);
  expect((await get('/metrics', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
});

test('/metrics with the token: Prometheus text with the vote cast through the console, process metrics too', async () => {
  const state = (await (await get('/console/api/state?as=demo-alex')).json()) as {
    review: { reviewId: string };
  };
  const vote = (as: string, choice: string) =>
    fetch(`${app.url}/console/api/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        as,
        verb: 'vote',
        data: { reviewId: state.review.reviewId, rowId: 'vision-mission-beliefs', choice },
      }),
    });
  expect((await vote('demo-alex', '3')).status).toBe(200);
  expect((await vote('demo-blair', '9')).status).toBe(400); // not a level: refused
  const res = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  expect(text).toContain('# TYPE micip_votes_total counter');
  expect(text).toMatch(/^micip_votes_total\{platform="web",outcome="written"\} 1$/m);
  expect(text).toMatch(/^micip_votes_total\{platform="web",outcome="refused"\} 1$/m);
  expect(text).toMatch(/^micip_platform_rate_limited_total\{platform="slack"\} 0$/m);
  expect(text).toMatch(/^micip_nudges_sent_total\{kind="nudge"\} 0$/m);
  expect(text).toMatch(/^process_cpu_seconds_total /m);
  expect(text).not.toContain(TOKEN);
});

test("the metrics are the app's own: a second app in the same process starts at zero", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-obs2-'));
  const second = await startApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, WEB_CONSOLE: 'off', NUDGES: 'off' }),
    { logger: testLogger() },
  );
  try {
    expect(await second.metrics.text()).toMatch(/^micip_votes_total\{platform="web",outcome="written"\} 0$/m);
    expect(await scrape()).toMatch(/^micip_votes_total\{platform="web",outcome="written"\} 1$/m);
    // No token configured: loopback may read it.
    expect((await fetch(`${second.url}/metrics`)).status).toBe(200);
  } finally {
    await second.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('MongoDB', () => {
  test('/readyz is 200 while the Mongo store answers, 503 once it cannot be reached (closed client)', async () => {
    const store = await MongoStore.connect({
      uri: process.env.MONGODB_URI as string,
      dbName: `micip_obs_${process.pid}`,
    });
    const { lines, logger } = bufferLogger('info');
    const web = express();
    mountObservability(web, { store, metrics: app.metrics, stopping: () => false, logger });
    const server = web.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`;
    try {
      const up = await fetch(url);
      expect(up.status).toBe(200);
      expect(await up.json()).toEqual({ ready: true, store: 'mongodb' });
      await store.close();
      await expect(store.ping()).rejects.toThrow();
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ready: false, reason: 'store ping failed' });
      expect((await fetch(url)).status).toBe(503);
      // The change is logged once (probes come every few seconds), with the error but not in the answer.
      expect(lines.map((l) => [l.level, l.msg])).toEqual([['warn', 'not ready: store ping failed']]);
      expect(lines[0]?.err).toBeDefined();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
