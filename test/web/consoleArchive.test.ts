import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { asker, TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';

/** The console's review list is an everyday list: an archived review leaves it (issue 15, `review archive`). */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-console-archive-'));
const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
let app: App;

beforeAll(async () => {
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      WEB_LINK_SECRET: 'console-archive-secret-0123456789abcdefghij',
      WEB_CONSOLE: 'on',
    }),
    { logger: testLogger(), clock },
  );
});

afterAll(async () => {
  await app.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

type State = { review: { reviewId: string; cycle: string } | null; reviews: Array<{ cycle: string }> };
const state = async (): Promise<State> =>
  (await (await fetch(`${app.url}/console/api/state?as=demo-alex`)).json()) as State;

test('an archived review leaves the console list and is not its current review; unarchived, it is back', async () => {
  const first = await state();
  expect(first.reviews.map((r) => r.cycle)).toEqual(['Demo cycle 1']);
  const coord = asker('console:demo', 'demo-coordinator', 'console-demo');
  await app.service.cancelReview(coord, { reviewId: first.review?.reviewId, reason: 'demo over' });
  clock.advance(60_000);
  await app.service.startReview(coord, { channelId: 'console-demo', cycle: 'Demo cycle 2' });
  const second = (await state()).review?.reviewId;
  await app.service.cancelReview(coord, { reviewId: second, reason: 'also over' });
  const before = await state();
  expect(before.reviews.map((r) => r.cycle)).toEqual(['Demo cycle 2', 'Demo cycle 1']);
  expect(before.review?.cycle).toBe('Demo cycle 2');

  await app.service.lifecycle.archive(coord, { reviewId: second, archived: true });
  const after = await state();
  expect(after.reviews.map((r) => r.cycle)).toEqual(['Demo cycle 1']);
  expect(after.review?.cycle).toBe('Demo cycle 1');

  await app.service.lifecycle.archive(coord, { reviewId: second, archived: false });
  expect((await state()).review?.cycle).toBe('Demo cycle 2');
});
