import type { District } from '../../domain/district';
import { notSetUp } from '../../domain/errors';
import type { CycleRatings, DistrictRatings, Network } from '../../domain/network';
import type { Review } from '../../domain/review';
import { isLevel, type Level } from '../../domain/rubric';
import type { Store } from '../ports';
import type { Actor } from '../schemas';

/**
 * What the network's use cases read of the member districts: only each row's outcome of the reviews that count
 * (not cancelled, with a closed round), and the asking channel's district.
 */

/** A review the network counts: not cancelled, and with at least one closed round. */
export const hasClosedRound = (r: Review) =>
  r.status !== 'cancelled' && (r.round > 1 || r.roundStatus === 'closed' || r.status === 'complete');

/** Only each row's outcome (settled by consensus or recorded by a coordinator): nothing else leaves the review. */
export function settledRatings(r: Review): CycleRatings {
  const ratings: Record<string, Level | null> = {};
  for (const p of r.polls)
    ratings[p.rowId] = p.outcome && isLevel(p.outcome.rating) ? p.outcome.rating : null;
  return { rubricId: r.rubricId, cycle: r.cycle, createdAt: r.createdAt, ratings };
}

/** The member districts' counted ratings, one district at a time (districts no longer stored are skipped). */
export async function memberRatings(store: Store, network: Network): Promise<DistrictRatings[]> {
  const out: DistrictRatings[] = [];
  for (const m of network.members) {
    const d = await store.districts.get(m.tenantId, m.districtId);
    if (!d) continue;
    const reviews = await store.reviews.listByDistrict(m.tenantId, m.districtId);
    out.push({
      tenantId: d.tenantId,
      districtId: d.id,
      name: d.name,
      cycles: reviews.filter(hasClosedRound).map(settledRatings),
    });
  }
  return out;
}

/** The district of the asking channel (a command names no other), or "not set up". */
export async function districtOfChannel(store: Store, actor: Actor, channelId: string): Promise<District> {
  const d =
    actor.channelId && actor.channelId !== channelId
      ? null
      : await store.districts.findByChannel(actor.tenantId, channelId);
  if (!d) {
    throw notSetUp();
  }
  return d;
}
