import {
  ArrivalWindow,
  IN_FLIGHT_HOLD_MS,
  PACING_MARGIN,
  pacedIntervalMs,
} from '../../src/adapters/scheduler/pacing';

test('the one margin: spaced ceilings go PACING_MARGIN slower than their rate', () => {
  expect(PACING_MARGIN).toBeGreaterThan(0);
  expect(pacedIntervalMs(20)).toBeCloseTo(50 * (1 + PACING_MARGIN));
  expect(pacedIntervalMs(50)).toBeCloseTo(20 * (1 + PACING_MARGIN));
});

test('ArrivalWindow: a request holds its place from its start until a window after its answer', () => {
  let t = 1_000_000;
  const w = new ArrivalWindow(3, () => t);
  expect(w.idle()).toBe(true);
  const ends = [w.begin(), w.begin()];
  expect(w.delayMs()).toBe(0);
  const third = w.begin();
  // Three in flight: no place until one is answered (or, unanswered, stops holding it).
  expect(w.delayMs()).toBe(IN_FLIGHT_HOLD_MS);
  let woken = false;
  void w.answer().then(() => {
    woken = true;
  });
  t += 400;
  ends[0]?.();
  // Answered at +400: its place is free a second later, whatever the time it was sent.
  expect(w.delayMs()).toBe(1000);
  t += 999;
  expect(w.delayMs()).toBe(1);
  t += 1;
  expect(w.delayMs()).toBe(0);
  ends[1]?.();
  third();
  third(); // ending twice counts once
  t += 1000;
  expect(w.idle()).toBe(true);
  return Promise.resolve().then(() => expect(woken).toBe(true));
});

test('ArrivalWindow: a request never answered stops holding its place after IN_FLIGHT_HOLD_MS', () => {
  let t = 0;
  const w = new ArrivalWindow(1, () => t);
  w.begin();
  expect(w.delayMs()).toBe(IN_FLIGHT_HOLD_MS);
  t += IN_FLIGHT_HOLD_MS;
  expect(w.delayMs()).toBe(0);
  expect(w.idle()).toBe(true);
});
