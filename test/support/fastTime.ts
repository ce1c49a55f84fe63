/**
 * Time that runs `factor` times faster than the wall clock, with timers that wait in it: a rate limiter given
 * `now` and `setTimer`, and a fake Slack counting its per-minute tiers on the same `now`, play minutes of paced
 * calls in seconds. Both sides see the same time, so what the limiter allows is what the fake would allow.
 */
export function fastTime(factor: number, start = Date.now()) {
  if (!(factor >= 1)) throw new Error('fastTime: factor must be at least 1');
  return {
    now: (): number => start + (Date.now() - start) * factor,
    setTimer: (fn: () => void, ms: number): NodeJS.Timeout => setTimeout(fn, Math.ceil(ms / factor)),
  };
}
