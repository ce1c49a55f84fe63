import type { DomainError } from '../../domain/errors';
import { code, plain, rich, strong } from '../text';
import { parseDate } from './parse';
import type { CommandContext, CommandEnv, CommandResult } from './types';

/**
 * `review cancel`, `review deadline`, `review archive` and `review unarchive` (issue 15): the words after them, and
 * what they do.
 */

type Usage = (problem: string) => DomainError;

export type LifecycleArgs =
  | { sub: 'cancel'; cycle: string | undefined; reason: string }
  | { sub: 'deadline'; cycle: string | undefined; deadline: Date | null }
  | { sub: 'archive'; cycle: string }
  | { sub: 'unarchive'; cycle: string };

/** `review archive "cycle"` / `review unarchive "cycle"`: the review is always named (never "the current one"). */
export function parseArchive(sub: 'archive' | 'unarchive', words: string[], usage: Usage): LifecycleArgs {
  const cycle = words.join(' ').trim();
  if (!cycle) throw usage(`Name the review to ${sub}, e.g. review ${sub} "2025-26 Fall".`);
  return { sub, cycle };
}

/** `review cancel ["cycle"] "reason"`: with two or more words the first names the review, the rest say why. */
export function parseCancel(words: string[], usage: Usage): LifecycleArgs {
  if (words.length === 0)
    throw usage('Say why the review is cancelled, e.g. review cancel "started by mistake".');
  const [first, ...rest] = words;
  const reason = (rest.length ? rest.join(' ') : (first ?? '')).trim();
  if (!reason) throw usage('Say why the review is cancelled.');
  return { sub: 'cancel', cycle: rest.length ? first : undefined, reason };
}

/** `review deadline <date|none> ["cycle"]`. */
export function parseDeadline(words: string[], usage: Usage): LifecycleArgs {
  const [raw, ...cycle] = words;
  if (!raw) throw usage('Give the new deadline (e.g. 2026-12-15T17:00Z) or "none" to clear it.');
  const deadline = raw.toLowerCase() === 'none' ? null : (parseDate(usage, raw) ?? null);
  return { sub: 'deadline', cycle: cycle.length ? cycle.join(' ') : undefined, deadline };
}

/** Runs `args` on the review they name (`reviewId`, already found from `args.cycle`). */
export async function runLifecycle(
  args: LifecycleArgs,
  reviewId: string,
  ctx: CommandContext,
  env: CommandEnv,
): Promise<CommandResult> {
  if (args.sub === 'cancel') {
    const view = await env.reviews.cancelReview(ctx.actor, { reviewId, reason: args.reason });
    return {
      kind: 'review',
      action: 'cancelled',
      review: view,
      message: rich`Review ${strong(view.cycle)} was cancelled: ${plain(view.cancellation?.reason ?? args.reason)}. Voting is closed; the review stays in ${code('reviews')}, its results and exports.`,
    };
  }
  if (args.sub === 'archive' || args.sub === 'unarchive') {
    const archived = args.sub === 'archive';
    const view = await env.reviews.lifecycle.archive(ctx.actor, { reviewId, archived });
    return {
      kind: 'review',
      action: args.sub === 'archive' ? 'archived' : 'unarchived',
      review: view,
      message: archived
        ? rich`Review ${strong(view.cycle)} is archived: it is no longer in ${code('status')}, ${code('results')} or ${code('reviews')} (name it to see it: ${code(`results "${view.cycle}"`)}); the dashboard and the exports keep it. ${code(`review unarchive "${view.cycle}"`)} brings it back.`
        : rich`Review ${strong(view.cycle)} is back in the everyday lists.`,
    };
  }
  const { review, deadlineText } = await env.reviews.lifecycle.setDeadline(ctx.actor, {
    reviewId,
    deadline: args.deadline,
  });
  return {
    kind: 'review',
    action: 'deadline',
    review,
    message: deadlineText
      ? rich`Round ${review.round} of ${strong(review.cycle)} now closes for votes at ${plain(deadlineText)}.`
      : rich`Round ${review.round} of ${strong(review.cycle)} no longer has a deadline.`,
  };
}
