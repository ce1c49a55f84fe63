import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { OwedRedraws } from '../../src/adapters/owedRedraws';
import type { KeyValueRepo } from '../../src/app/ports';

const NS = 'slack-owed-redraws';
const MINUTE = 60_000;

/** Processes sharing one store, on one clock the test moves. */
function world() {
  const kv = new NedbStore(null).kv;
  const clock = { now: 1_000_000 };
  const errors: string[] = [];
  const started: OwedRedraws[] = [];
  const process = (owner: string, store: KeyValueRepo = kv) =>
    new OwedRedraws({
      kv: store,
      namespace: NS,
      owner,
      now: () => clock.now,
      adoptAfterMs: MINUTE,
      log: (m) => errors.push(m),
    });
  /** A started process (heartbeat written) and the redraws it was asked to adopt. */
  const live = async (owner: string) => {
    const p = process(owner);
    const redrawn: string[] = [];
    await p.start((tenantId, key) => redrawn.push(`${tenantId}:${key}`));
    started.push(p);
    return { p, redrawn };
  };
  const marks = async () => (await kv.list<{ owner: string; key: string }>(NS)).map((m) => m.value);
  return { kv, clock, errors, process, live, marks, started };
}

describe('OwedRedraws: durable marks of owed poll redraws', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });
  afterEach(async () => {
    for (const p of w.started) await p.stop();
  });

  test('a message is marked when taken in hand and unmarked when let go, in the order asked', async () => {
    // A store whose writes take longer than its deletes: a delete sent at once would land first.
    const slowPuts: KeyValueRepo = Object.assign(Object.create(w.kv) as KeyValueRepo, {
      put: async (ns: string, key: string, value: object) => {
        await new Promise((r) => setTimeout(r, 20));
        await w.kv.put(ns, key, value);
      },
    });
    const p = w.process('A', slowPuts);
    await p.owe('r1|row1', 'T1');
    expect(await w.marks()).toEqual([
      expect.objectContaining({ owner: 'A', key: 'r1|row1', tenantId: 'T1' }),
    ]);
    // Asked one after the other without waiting: the delete never overtakes the write before it.
    void p.owe('r1|row2', 'T1');
    void p.paid('r1|row2');
    void p.paid('r1|row1');
    await p.owe('r1|row3', 'T1');
    await p.stop();
    expect((await w.marks()).map((m) => m.key)).toEqual(['r1|row3']);
  });

  test("two processes drawing the same message keep a mark each: one letting go does not unmark the other's", async () => {
    const a = await w.live('A');
    const b = await w.live('B');
    await a.p.owe('r1|row1', 'T1');
    await b.p.owe('r1|row1', 'T1');
    await a.p.paid('r1|row1');
    expect(await w.marks()).toEqual([expect.objectContaining({ owner: 'B', key: 'r1|row1' })]);
  });

  test("a gone process's marks are adopted by exactly one of two live ones, once", async () => {
    const a = w.process('A');
    await a.heartbeat(); // then it is killed: no stop, no more heartbeats
    await a.owe('r1|row1', 'T1');
    await a.owe('r1|row1|g:Elm', 'T1');
    await a.owe('r1|row2', 'T2');

    const b = await w.live('B');
    const c = await w.live('C');
    w.clock.now += MINUTE / 2;
    expect(await b.p.sweep((t, k) => b.redrawn.push(`${t}:${k}`))).toBe(0); // A's heartbeat is recent

    w.clock.now += MINUTE / 2 + 1;
    const [nb, nc] = await Promise.all([
      b.p.sweep((t, k) => b.redrawn.push(`${t}:${k}`)),
      c.p.sweep((t, k) => c.redrawn.push(`${t}:${k}`)),
    ]);
    expect(nb + nc).toBe(3);
    expect([nb, nc].sort()).toEqual([0, 3]);
    expect([...b.redrawn, ...c.redrawn].sort()).toEqual(['T1:r1|row1', 'T1:r1|row1|g:Elm', 'T2:r1|row2']);
    expect(await w.marks()).toEqual([]); // A's are gone (the adopter's redrawer marks what it takes in hand)
    // Nothing is adopted twice: a later sweep finds only live owners.
    w.clock.now += 2 * MINUTE;
    await Promise.all([b.p.heartbeat(), c.p.heartbeat()]);
    expect(await b.p.sweep(() => undefined)).toBe(0);
    expect(await c.p.sweep(() => undefined)).toBe(0);
  });

  test('a live process whose mark is old (a long meeting) keeps it; a clean stop leaves what is still owed', async () => {
    const a = await w.live('A');
    const b = await w.live('B');
    await a.p.owe('r1|row1', 'T1');
    await a.p.owe('r1|row2', 'T1');
    w.clock.now += 5 * MINUTE;
    await Promise.all([a.p.heartbeat(), b.p.heartbeat()]); // as their timers write them
    expect(await b.p.sweep(() => undefined)).toBe(0);

    // Stopping, it had drawn row1 but not row2 (the stop's redraw timed out): row2 is adopted.
    await a.p.paid('r1|row1');
    await a.p.stop();
    w.clock.now += MINUTE;
    expect(await b.p.sweep((t, k) => b.redrawn.push(`${t}:${k}`))).toBe(1);
    expect(b.redrawn).toEqual(['T1:r1|row2']);
  });

  test('a failed write is logged, not thrown (the vote it follows is stored already)', async () => {
    const failing: KeyValueRepo = Object.assign(Object.create(w.kv) as KeyValueRepo, {
      put: () => Promise.reject(new Error('store down')),
    });
    const p = w.process('A', failing);
    await expect(p.owe('r1|row1', 'T1')).resolves.toBeUndefined();
    expect(w.errors).toEqual(['a poll redraw mark could not be written']);
  });
});
