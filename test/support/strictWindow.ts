/**
 * A far side that counts requests as they arrive in a strict sliding one-second window, as bench:nudges' fake Slack
 * Web API and fake Bot Connector do. Request `i` (the i-th call of `send`) arrives `latency(i)` ms after it starts;
 * it is refused with `refuse()` when `limitPerSecond` others arrived in the last second, else answered with
 * `answer` 1 ms later. For jest's fake timers (Date.now and setTimeout).
 */
export function strictWindow<T>(
  limitPerSecond: number,
  latency: (i: number) => number,
  refuse: () => unknown,
  answer: T,
) {
  const arrivals: number[] = [];
  const starts: number[] = [];
  let refused = 0;
  const send = () => {
    const i = starts.length;
    starts.push(Date.now());
    return new Promise<T>((resolve, reject) =>
      setTimeout(() => {
        const now = Date.now();
        if (arrivals.filter((t) => t > now - 1000).length >= limitPerSecond) {
          refused++;
          reject(refuse());
        } else {
          arrivals.push(now);
          setTimeout(() => resolve(answer), 1);
        }
      }, latency(i)),
    );
  };
  return { send, starts, arrivals, refused: () => refused };
}
