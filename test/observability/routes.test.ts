import type { AddressInfo } from 'node:net';
import express from 'express';
import { silentLogger } from '../../src/adapters/observability/logger';
import { isLoopback, metricsAccess, mountObservability } from '../../src/adapters/observability/routes';

/** An app with only the observability routes, over a fake store. */
async function serve(o: { ping: () => Promise<void>; stopping?: () => boolean; token?: string }) {
  const web = express();
  mountObservability(web, {
    store: { kind: 'fake', ping: o.ping },
    metrics: { contentType: () => 'text/plain; version=0.0.4', text: async () => 'micip_up 1\n' },
    metricsToken: o.token,
    stopping: o.stopping ?? (() => false),
    logger: silentLogger,
    readyTimeoutMs: 200,
  });
  const server = web.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('/healthz and /readyz', () => {
  test('ready when the store answers; /healthz says the process is up', async () => {
    const s = await serve({ ping: async () => {} });
    try {
      const h = await s.get('/healthz');
      expect(h.status).toBe(200);
      expect(await h.json()).toEqual({ ok: true, store: 'fake' });
      const r = await s.get('/readyz');
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ready: true, store: 'fake' });
    } finally {
      await s.close();
    }
  });

  test('503 with the reason when the ping fails or takes too long, and while stopping', async () => {
    let stopping = false;
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    const s = await serve({
      ping: () =>
        mode === 'ok'
          ? Promise.resolve()
          : mode === 'fail'
            ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:27017'))
            : new Promise<void>(() => {}),
      stopping: () => stopping,
    });
    try {
      let r = await s.get('/readyz');
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, reason: 'store ping failed' });
      mode = 'hang';
      r = await s.get('/readyz');
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, reason: 'store did not answer within 200 ms' });
      mode = 'ok';
      expect((await s.get('/readyz')).status).toBe(200);
      stopping = true;
      r = await s.get('/readyz');
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, reason: 'shutting down' });
      expect((await s.get('/healthz')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('/metrics access', () => {
  test('with METRICS_TOKEN: 401 without it or with a wrong one, 200 with it', async () => {
    const s = await serve({ ping: async () => {}, token: 'metrics-token-123' });
    try {
      const none = await s.get('/metrics');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await s.get('/metrics', { authorization: 'Bearer metrics-token-12' })).status).toBe(401);
      expect((await s.get('/metrics', { authorization: 'Basic metrics-token-123' })).status).toBe(401);
      const ok = await s.get('/metrics', { authorization: 'Bearer metrics-token-123' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('micip_up 1\n');
    } finally {
      await s.close();
    }
  });

  test('without a token: loopback only, and not through a proxy', async () => {
    const s = await serve({ ping: async () => {} });
    try {
      expect((await s.get('/metrics')).status).toBe(200);
      expect((await s.get('/metrics', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    } finally {
      await s.close();
    }
  });

  test('the address check', () => {
    for (const a of ['127.0.0.1', '127.255.3.4', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'])
      expect([a, isLoopback(a)]).toEqual([a, true]);
    for (const a of [
      undefined,
      '',
      '10.0.0.1',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      '::2',
      '1270.0.0.1',
      '127.0.0',
    ])
      expect([a, isLoopback(a)]).toEqual([a, false]);
    const headers = {};
    expect(metricsAccess({ remoteAddress: '10.1.2.3', headers }, undefined)).toBe(403);
    expect(metricsAccess({ remoteAddress: '::1', headers }, undefined)).toBeNull();
    expect(metricsAccess({ remoteAddress: '::1', headers: { forwarded: 'for=1.2.3.4' } }, undefined)).toBe(
      403,
    );
    // With a token the address does not matter: remote scrapers use the token, local ones too.
    expect(
      metricsAccess({ remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer t' } }, 't'),
    ).toBeNull();
    expect(metricsAccess({ remoteAddress: '127.0.0.1', headers }, 't')).toBe(401);
  });
});
