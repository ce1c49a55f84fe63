import { DomainError } from './errors';

/**
 * The toolkit's Activity 1 (Section One, Handout 1): the team reads why a district-led process matters and the
 * unintended consequences of a decentralized one, reviews the learner outcomes, and each person names the outcome
 * that most resonates with them and says why. The words are data, kept in the rubric file beside the rubric.
 */
export interface Activity1Content {
  source: string;
  learnerOutcomes: readonly string[];
  sectionOne: { title: string; paragraphs: readonly string[] };
  unintendedConsequences: readonly string[];
  duration: string;
  steps: readonly string[];
}

/**
 * One Activity 1 of a district: it belongs to the district's next review. `review start` attaches it to the review
 * it was shown before (`reviewId`); after that, `activity1` starts a new one for the next cycle.
 */
export interface Activity1 {
  id: string;
  tenantId: string;
  districtId: string;
  channelId: string;
  rubricId: string;
  startedAt: Date;
  startedBy: string;
  /** The review whose start showed this Activity 1's spread; null while the next review has not started. */
  reviewId: string | null;
}

/** One person's pick: the outcome (1-based, in the toolkit's order) and why. One per person: a new pick replaces it. */
export interface Activity1Pick {
  memberId: string;
  /** The name the chat platform gave when they picked (shown to the team beside the reason). */
  displayName: string;
  outcome: number;
  reason: string;
  at: Date;
}

/** Longest reason kept (characters, after trimming). */
export const REASON_MAX = 1000;

/** Checks a pick against the activity's outcomes; returns it with the reason trimmed. Throws DomainError. */
export function checkPick(
  outcomes: number,
  outcome: number,
  reason: string,
): { outcome: number; reason: string } {
  if (!Number.isInteger(outcome) || outcome < 1 || outcome > outcomes) {
    throw new DomainError('invalid-input', `Pick a learner outcome by number, 1 to ${outcomes}.`, {
      outcome: 'out of range',
    });
  }
  const why = reason.trim();
  if (!why) {
    throw new DomainError('invalid-input', 'Say why this outcome resonates with you. Nothing was saved.', {
      reason: 'must not be empty',
    });
  }
  if (why.length > REASON_MAX) {
    throw new DomainError(
      'invalid-input',
      `Keep your reason to ${REASON_MAX} characters (yours has ${why.length}). Nothing was saved.`,
      { reason: 'too long' },
    );
  }
  return { outcome, reason: why };
}

/** The picks with `pick` in place of the same person's earlier one (re-picking replaces). */
export function withPick(picks: readonly Activity1Pick[], pick: Activity1Pick): Activity1Pick[] {
  return [...picks.filter((p) => p.memberId !== pick.memberId), pick];
}

export interface OutcomeSpread {
  outcome: number;
  count: number;
  /** Who picked it and why, earliest pick first. */
  reasons: Array<{ memberId: string; displayName: string; reason: string }>;
}

/** The team's spread: per outcome (in order, zeros included) how many picked it, and their reasons. */
export function spreadOf(outcomes: number, picks: readonly Activity1Pick[]): OutcomeSpread[] {
  const sorted = [...picks].sort(
    (a, b) => a.at.getTime() - b.at.getTime() || a.memberId.localeCompare(b.memberId),
  );
  return Array.from({ length: outcomes }, (_, i) => {
    const mine = sorted.filter((p) => p.outcome === i + 1);
    return {
      outcome: i + 1,
      count: mine.length,
      reasons: mine.map((p) => ({ memberId: p.memberId, displayName: p.displayName, reason: p.reason })),
    };
  });
}

/**
 * Whether `activity1` should start a new Activity 1 rather than show `latest` again: none yet, or the latest
 * was already shown before a review (it belongs to that cycle).
 */
export const startsNew = (latest: Activity1 | null): boolean => latest === null || latest.reviewId !== null;
