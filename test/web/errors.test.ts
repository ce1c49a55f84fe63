import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { mountWeb } from '../../src/adapters/web';
import { LinkSigner } from '../../src/adapters/web/links';
import { CommandService } from '../../src/app/commands';
import type { Store } from '../../src/app/ports';
import { ResultsService } from '../../src/app/reviews/results';
import { coordinator, makeService, rubrics, TestClock } from '../support/fixtures';
import { bufferLogger } from '../support/logs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-web-err-'));
let store: NedbStore;
let server: http.Server;

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a failing store gives a plain 500 page or JSON, never a stack trace', async () => {
  store = new NedbStore(tmp);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const d = await service.setupDistrict(coordinator, { name: 'Lakeview', channelId: 'C1' });
  const r = await service.startReview(coordinator, { channelId: 'C1', cycle: '2026-27 Fall' });
  // The results side reads through a store whose review listing fails (e.g. the database went away).
  const broken: Store = Object.create(store, {
    reviews: {
      value: {
        ...store.reviews,
        get: (id: string) => store.reviews.get(id),
        listByDistrict: async () => {
          throw new Error('connection reset at /secret/path/driver.js:42');
        },
      },
    },
  });
  const results = new ResultsService({ store: broken, rubrics, clock });
  const signer = new LinkSigner('errors-test-secret-0123456789abcdefghijklmn');
  const web = express();
  const { logger, lines } = bufferLogger('error');
  mountWeb(web, {
    service,
    results,
    commands: new CommandService(service, { results }),
    rubrics,
    signer,
    clock,
    baseUrl: () => '',
    linkTtlMs: 3600_000,
    console: false,
    logger,
  });
  server = web.listen(0, '127.0.0.1');
  await new Promise((res) => server.once('listening', res));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const k = signer.issue('T1', d.id, clock.now(), 3600_000).token;
  const page = await fetch(`${base}/dashboard?k=${k}`);
  expect(page.status).toBe(500);
  const html = await page.text();
  expect(html).toContain('Something went wrong on the server.');
  expect(html).not.toMatch(/secret|driver\.js|at \w+ \(/);
  const json = await fetch(`${base}/dashboard/reviews/${r.reviewId}/export.json?k=${k}`);
  expect(json.status).toBe(500);
  expect(await json.json()).toEqual({
    error: 'Something went wrong on the server. Please try again in a moment.',
  });
  // Logged for the operator (with the details the answers leave out).
  expect(lines.map((l) => l.msg)).toEqual(['unexpected error', 'unexpected error']);
  expect(JSON.stringify(lines[0])).toContain('driver.js');
});
