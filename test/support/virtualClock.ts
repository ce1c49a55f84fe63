/** A virtual clock: sleep() advances time instantly (and records each wait), so hour-long limits are checked in milliseconds. */
export function virtualClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}
