import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireDataDirLock, DataDirLockedError } from '../../src/adapters/embedded/dataDirLock';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { hashFolder } from '../support/files';
import { districtWithReview, makeService, member } from '../support/fixtures';

/** One process per data folder: a second one is refused before it reads or writes anything. */
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'micip-lock-'));

/** A store with a district, a review and a few votes, closed again (its files compacted). */
async function seeded(dir: string) {
  const store = new NedbStore(dir);
  await store.init();
  const service = makeService(store);
  const { review } = await districtWithReview(service);
  const rowId = review.polls[0]?.rowId as string;
  for (let i = 1; i <= 3; i++)
    await service.castVote(member(i), { reviewId: review.reviewId, rowId, choice: 2 });
  await store.close();
}

/** A real second process holding the folder: it opens the embedded store and prints "ready". */
async function holder(dir: string): Promise<ChildProcess> {
  const code = `
    const { NedbStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/adapters/embedded/nedbStore'))});
    const s = new NedbStore(${JSON.stringify(dir)});
    s.init().then(() => { console.log('ready'); process.on('SIGTERM', () => s.close().then(() => process.exit(0))); setInterval(() => {}, 1000); });
  `;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`holder exited with ${c}`)));
  });
  return child;
}

test('a second process on one data folder is refused, naming the folder and the other process; files untouched', async () => {
  const dir = tmp();
  await seeded(dir);
  const child = await holder(dir);
  try {
    const before = hashFolder(dir);
    const second = new NedbStore(dir);
    const err = await second.init().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toContain(path.resolve(dir));
    expect((err as Error).message).toContain(`pid ${child.pid}`);
    await second.close(); // closing a store that never opened writes nothing either
    expect(hashFolder(dir)).toEqual(before);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  // Once the holder stopped cleanly the folder opens again.
  const again = new NedbStore(dir);
  await again.init();
  await again.close();
}, 30_000);

test('a lock left by a process that died (kill -9) is taken over', async () => {
  const dir = tmp();
  const child = await holder(dir);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(fs.existsSync(path.join(dir, '.lock'))).toBe(true);
  const store = new NedbStore(dir);
  await store.init();
  expect(JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
  await store.close();
  expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
}, 30_000);

test('two stores on one folder in one process: the second is refused until the first closes', async () => {
  const dir = tmp();
  const first = new NedbStore(dir);
  await first.init();
  await expect(new NedbStore(dir).init()).rejects.toBeInstanceOf(DataDirLockedError);
  await first.close();
  const lock = acquireDataDirLock(dir);
  expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  lock.release();
  acquireDataDirLock(dir).release();
});

test('an empty lock file younger than 2 s (its writer not done yet) is respected; an old one is taken over', () => {
  const dir = tmp();
  const file = path.join(dir, '.lock');
  fs.writeFileSync(file, '');
  expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  // A minute older than it is, by the file system's clock (not the process's).
  const old = new Date(fs.statSync(file).mtimeMs - 60_000);
  fs.utimesSync(file, old, old);
  acquireDataDirLock(dir).release();
});
