import { CONSENSUS_DEFAULTS, DEFAULT_RULE } from '../../src/domain/consensus';
import { DomainError } from '../../src/domain/errors';
import { createReview, type NewReviewParams, type Review } from '../../src/domain/review';
import type { Rubric } from '../../src/domain/rubric';

/** When the domain tests' reviews are created, and `min` minutes later. */
export const T0 = new Date('2026-11-23T15:00:00Z');
export const later = (min: number) => new Date(T0.getTime() + min * 60_000);

/** A new review of `rubric` in district d1 (channel C1), created at T0; `over` changes any parameter. */
export const freshReview = (rubric: Rubric, over: Partial<NewReviewParams> = {}): Review =>
  createReview(
    {
      id: 'r1',
      tenantId: 'T1',
      districtId: 'd1',
      channelId: 'C1',
      rubric,
      cycle: '2026-27 Fall',
      blind: false,
      anonymous: false,
      rule: DEFAULT_RULE,
      maxRounds: CONSENSUS_DEFAULTS.maxRounds,
      deadline: null,
      createdBy: 'U0',
      ...over,
    },
    T0,
  );

/** Expects `fn` to throw the DomainError with this code. */
export const expectCode = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected DomainError ${code}`);
};
