import {
  type ConsensusRule,
  computeStats,
  DEFAULT_RULE,
  decide,
  quantile,
  quorumFor,
  type TallyVote,
} from '../../src/domain/consensus';
import type { Choice } from '../../src/domain/rubric';

const d = (...choices: Choice[]): TallyVote[] =>
  choices.map((choice) => ({ choice, perspective: 'district' }));
const b = (...choices: Choice[]): TallyVote[] =>
  choices.map((choice) => ({ choice, perspective: 'building' }));
const adjacent: ConsensusRule = { ...DEFAULT_RULE, kind: 'adjacent-levels' };

describe('computeStats — hand-worked examples', () => {
  test('3 × Accomplished, 1 × Evolving', () => {
    // sorted 3,4,4,4: median 4; Q1 = 3 + .75·1 = 3.75, Q3 = 4 → IQR .25;
    // mean 3.75, s² = (.5625 + 3·.0625)/3 = .25 → rwg = 1 − .25/1.25 = .8
    const s = computeStats(d(4, 4, 4, 3));
    expect(s.distribution).toEqual({ levels: [0, 0, 1, 3], unsure: 0, total: 4 });
    expect(s.median).toBe(4);
    expect(s.lowerMedian).toBe(4);
    expect(s.modes).toEqual([4]);
    expect(s.shareAtMode).toBe(0.75);
    expect(s.iqr).toBe(0.25);
    expect(s.rwg).toBe(0.8);
    expect(decide(s, DEFAULT_RULE, 4)).toEqual({ settled: true, rating: 4, reason: 'consensus' });
  });

  test('a tie between two levels', () => {
    // sorted 1,1,2,2: median 1.5, lower median 1; Q1 = 1, Q3 = 2; s² = 1/3 → rwg = 1 − (1/3)/1.25 = .733333
    const s = computeStats(d(1, 2, 1, 2));
    expect(s.modes).toEqual([1, 2]);
    expect(s.shareAtMode).toBe(0.5);
    expect(s.median).toBe(1.5);
    expect(s.lowerMedian).toBe(1);
    expect(s.iqr).toBe(1);
    expect(s.rwg).toBe(0.733333);
    expect(decide(s, DEFAULT_RULE, 4)).toEqual({ settled: false, rating: null, reason: 'no-agreement' });
    // Within two adjacent levels: 100 % → settled at the lower median (move left until it fits).
    expect(decide(s, adjacent, 4)).toEqual({ settled: true, rating: 1, reason: 'consensus' });
  });

  test('all "not sure"', () => {
    const s = computeStats(d('unsure', 'unsure', 'unsure'));
    expect(s.distribution).toEqual({ levels: [0, 0, 0, 0], unsure: 3, total: 3 });
    expect(s.levelVotes).toBe(0);
    expect([s.median, s.lowerMedian, s.iqr, s.rwg]).toEqual([null, null, null, null]);
    expect(s.modes).toEqual([]);
    expect(s.shareAtMode).toBe(0);
    expect(decide(s, DEFAULT_RULE, 3)).toEqual({ settled: false, rating: null, reason: 'no-agreement' });
    expect(decide(s, adjacent, 3).settled).toBe(false);
  });

  test('one voter', () => {
    const s = computeStats(d(3));
    expect(s.median).toBe(3);
    expect(s.iqr).toBe(0);
    expect(s.rwg).toBeNull(); // a variance needs two votes
    expect(decide(s, DEFAULT_RULE, 1)).toEqual({ settled: false, rating: null, reason: 'no-quorum' });
    const solo: ConsensusRule = { ...DEFAULT_RULE, minVoters: 1, minShareOfMembers: 0 };
    expect(decide(s, solo, 1)).toEqual({ settled: true, rating: 3, reason: 'consensus' });
  });

  test('quorum not met: unanimous but too few of the members voted', () => {
    const s = computeStats(d(2, 2, 2, 2));
    expect(quorumFor(DEFAULT_RULE, 10)).toBe(5);
    expect(decide(s, DEFAULT_RULE, 10)).toEqual({ settled: false, rating: null, reason: 'no-quorum' });
    expect(decide(s, DEFAULT_RULE, 8).settled).toBe(true);
    expect(decide(computeStats(d(2, 2)), DEFAULT_RULE, 2).reason).toBe('no-quorum'); // minVoters 3
  });

  test('"not sure" counts in the denominator of the share', () => {
    expect(decide(computeStats(d(3, 3, 3, 'unsure')), DEFAULT_RULE, 4)).toMatchObject({
      settled: true,
      rating: 3,
    });
    expect(decide(computeStats(d(3, 3, 3, 'unsure', 'unsure')), DEFAULT_RULE, 5).settled).toBe(false);
  });

  test('rwg is truncated to 0 when disagreement exceeds a uniform null', () => {
    // sorted 1,1,4,4: mean 2.5, s² = 9/3 = 3 → 1 − 3/1.25 = −1.4 → 0
    expect(computeStats(d(1, 4, 1, 4)).rwg).toBe(0);
    expect(computeStats(d(2, 2, 2)).rwg).toBe(1);
  });

  test('district versus building medians and their gap', () => {
    const s = computeStats([...d(4, 3), ...b(2, 2, 1)]);
    expect(s.districtMedian).toBe(3.5);
    expect(s.buildingMedian).toBe(2);
    expect(s.perspectiveGap).toBe(1.5);
    const onlyDistrict = computeStats(d(4, 3));
    expect(onlyDistrict.buildingMedian).toBeNull();
    expect(onlyDistrict.perspectiveGap).toBeNull();
  });

  test('adjacent-levels rule rates at the lower median of all level votes', () => {
    // counts [0,2,3,1]: levels 2+3 hold 5/6 ≥ .75; sorted 2,2,3,3,3,4 → lower median 3
    const s = computeStats(d(2, 3, 3, 3, 2, 4));
    expect(decide(s, adjacent, 6)).toEqual({ settled: true, rating: 3, reason: 'consensus' });
    expect(decide(s, DEFAULT_RULE, 6).settled).toBe(false);
    // spread over three levels: no adjacent pair reaches 75 %
    expect(decide(computeStats(d(1, 1, 2, 2, 3, 3, 3, 4)), adjacent, 8).settled).toBe(false);
  });

  test('no votes at all', () => {
    const s = computeStats([]);
    expect(s.distribution.total).toBe(0);
    expect(decide(s, { ...DEFAULT_RULE, minVoters: 0, minShareOfMembers: 0 }, 0).settled).toBe(false);
  });

  test('quantile interpolates between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([7], 0.75)).toBe(7);
  });
});
