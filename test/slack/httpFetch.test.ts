import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { createHttpFetch } from '../../src/adapters/slack/httpFetch';

/**
 * The product's `fetch` for Bolt's respond and the Web API client (src/adapters/slack/httpFetch.ts), against a real
 * HTTP server on 127.0.0.1: what it sends, what it hands back, and what it refuses to do.
 */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
let connections = 0;
/** What the server answers next (path → handler); a request to no handler gets a 200 `{"ok":true}`. */
const routes = new Map<string, (res: http.ServerResponse) => void>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes.get(req.url ?? '');
      if (route) return route(res);
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen.length = 0;
  routes.clear();
});

test('posts a JSON body with its headers and hands back status, headers and body', async () => {
  routes.set('/respond/1', (res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-oauth-scopes', 'chat:write,commands');
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end('{"ok":true,"n":3}');
  });
  const f = createHttpFetch();
  const res = await f(`${base}/respond/1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'Recorded: 3' }),
  });
  expect(seen).toEqual([
    expect.objectContaining({ method: 'POST', url: '/respond/1', body: '{"text":"Recorded: 3"}' }),
  ]);
  expect(seen[0]?.headers['content-type']).toBe('application/json');
  expect(res.ok).toBe(true);
  expect(res.status).toBe(200);
  expect(res.statusText).toBe('OK');
  expect(res.url).toBe(`${base}/respond/1`);
  expect(res.headers.get('x-oauth-scopes')).toBe('chat:write,commands');
  expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  expect(await res.json()).toEqual({ ok: true, n: 3 });
});

test('a URLSearchParams body is sent form-encoded', async () => {
  const f = createHttpFetch();
  const res = await f(`${base}/api/chat.postMessage`, {
    method: 'POST',
    body: new URLSearchParams({ channel: 'C1', text: 'a & b' }),
  });
  expect(await res.text()).toBe('{"ok":true}');
  expect(seen[0]?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  expect(seen[0]?.body).toBe('channel=C1&text=a+%26+b');
});

test('a 429 comes back as a 429 with its Retry-After, not as an error', async () => {
  routes.set('/api/chat.update', (res) => {
    res.writeHead(429, { 'retry-after': '3' });
    res.end();
  });
  const res = await createHttpFetch()(`${base}/api/chat.update`, { method: 'POST', body: 'x=1' });
  expect(res.ok).toBe(false);
  expect(res.status).toBe(429);
  expect(res.statusText).toBe('Too Many Requests');
  expect(res.headers.get('retry-after')).toBe('3');
  expect(await res.text()).toBe('');
});

test('a redirect is handed back, not followed', async () => {
  routes.set('/moved', (res) => {
    res.writeHead(302, { location: '/elsewhere' });
    res.end();
  });
  const res = await createHttpFetch()(`${base}/moved`, { method: 'POST', body: '' });
  expect(res.status).toBe(302);
  expect(res.ok).toBe(false);
  expect(seen.map((s) => s.url)).toEqual(['/moved']);
});

test('connections are kept alive and reused', async () => {
  const f = createHttpFetch();
  await (await f(`${base}/a`, { method: 'POST', body: '1' })).text();
  const before = connections;
  for (let i = 0; i < 20; i++) await f(`${base}/a`, { method: 'POST', body: String(i) });
  // One request at a time: a connection is back in the pool as its answer ends (at most one more is opened when a
  // request is sent in the same tick as that happens), not one connection per request.
  expect(connections - before).toBeLessThanOrEqual(1);
  expect(seen).toHaveLength(21);
});

test('an abort signal ends a request the server does not answer', async () => {
  routes.set('/hang', () => undefined);
  const f = createHttpFetch();
  await expect(
    f(`${base}/hang`, { method: 'POST', body: '', signal: AbortSignal.timeout(100) }),
  ).rejects.toThrow();
});

test('a refused connection rejects (so the Web API client retries and a reply falls back)', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  await expect(
    createHttpFetch()(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '' }),
  ).rejects.toThrow();
});

test('a FormData body (a file upload) goes through the global fetch, as multipart', async () => {
  const form = new FormData();
  form.append('file', new Blob(['hello']), 'a.txt');
  const res = await createHttpFetch()(`${base}/upload`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  expect(seen[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  expect(seen[0]?.body).toContain('hello');
});

test("the Web API client works through it: a call's result, and a 429 rejected with its Retry-After", async () => {
  routes.set('/api/chat.postMessage', (res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true,"ts":"1.2","channel":"C1"}');
  });
  routes.set('/api/chat.update', (res) => {
    res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
    res.end('{"ok":false,"error":"ratelimited"}');
  });
  const client = new webApi.WebClient('xoxb-test', {
    slackApiUrl: `${base}/api/`,
    fetch: createHttpFetch(),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  const posted = await client.chat.postMessage({ channel: 'C1', text: 'hi' });
  expect(posted).toEqual(expect.objectContaining({ ok: true, ts: '1.2' }));
  expect(seen[0]?.headers.authorization).toBe('Bearer xoxb-test');
  await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({
    code: webApi.ErrorCode.RateLimitedError,
    retryAfter: 7,
  });
});
