import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { mountWeb } from '../../src/adapters/web';
import { buildingStatusSource } from '../../src/adapters/web/buildings';
import { LinkSigner } from '../../src/adapters/web/links';
import { CommandService } from '../../src/app/commands';
import { ResultsService } from '../../src/app/reviews/results';
import { districtWithBuildings, makeNudges, TestClock, validValues } from '../nudges/support';
import { rubrics } from '../support/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-web-bld-'));
let store: NedbStore;
let server: http.Server;
let base: string;
const signer = new LinkSigner('building-test-secret-0123456789abcdefghijkl');

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the dashboard lists which building teams have submitted this period', async () => {
  store = new NedbStore(tmp);
  await store.init();
  const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
  const h = makeNudges(store, clock);
  const { district, buildings } = await districtWithBuildings(h, 2);
  await h.buildings.submit(
    { tenantId: 'T1', userId: 'UB1', displayName: '' },
    {
      districtId: district.id,
      buildingId: buildings[0]?.buildingId,
      periodId: '2026-11',
      values: validValues,
    },
  );
  const results = new ResultsService({ store, rubrics, clock });
  const web = express();
  mountWeb(web, {
    service: h.reviews,
    results,
    commands: new CommandService(h.reviews, { results }),
    rubrics,
    signer,
    clock,
    baseUrl: () => base,
    linkTtlMs: 3600_000,
    console: false,
    buildings: buildingStatusSource(h.buildings, store),
  });
  server = web.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const k = signer.issue('T1', district.id, clock.now(), 3600_000).token;
  const html = await (await fetch(`${base}/dashboard?k=${k}`)).text();
  expect(html).toMatch(
    /<td>School 0001<\/td><td class="status-submitted">submitted<\/td><td class="muted">November 2026, Mon 2026-11-23 10:00 EST<\/td>/,
  );
  expect(html).toMatch(/<td>School 0002<\/td><td class="status-missing">missing<\/td>/);
  // The console is off here: its routes do not exist.
  expect((await fetch(`${base}/console`)).status).toBe(404);
});
