import { startNudgeScheduler } from '../../src/adapters/scheduler';
import { emptyReport, type NudgeRunner, type TickReport } from '../../src/app/nudges/nudgeRunner';
import { TestClock } from './support';

const empty: TickReport = emptyReport();

test('node-cron ticks the runner with the clock; an overlapping tick is skipped; a failing tick is logged', async () => {
  const clock = new TestClock(new Date('2026-11-24T14:00:00Z'));
  const seen: Date[] = [];
  let release: () => void = () => {};
  let fail = false;
  const runner = {
    tick: async (now: Date) => {
      seen.push(now);
      if (fail) throw new Error('store down');
      await new Promise<void>((r) => {
        release = r;
      });
      return { ...empty, sent: 1 };
    },
  } as unknown as NudgeRunner;
  const logs: string[] = [];
  const sched = startNudgeScheduler({
    runner,
    clock,
    every: '0 0 1 1 *', // effectively never during the test: ticks are driven by tickNow
    logger: { info: (m) => logs.push(m), error: (m) => logs.push(`error: ${m}`) },
  });
  const first = sched.tickNow();
  expect(await sched.tickNow()).toBeNull(); // overlapping: skipped
  release();
  expect((await first)?.sent).toBe(1);
  expect(seen).toEqual([new Date('2026-11-24T14:00:00Z')]);
  expect(logs[0]).toMatch(/1 sent/);
  fail = true;
  expect(await sched.tickNow()).toBeNull();
  expect(logs.at(-1)).toMatch(/error: nudge tick failed/);
  await sched.stop();
});
