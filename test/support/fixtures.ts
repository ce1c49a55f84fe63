import * as path from 'node:path';
import { loadRubricCatalog } from '../../src/adapters/files/rubricCatalog';
import type { Clock, IdGenerator, Store } from '../../src/app/ports';
import { ReviewService, type ReviewServiceDeps } from '../../src/app/reviews/reviewService';

export const rubrics = loadRubricCatalog(path.join(__dirname, '..', '..', 'rubrics'));

export class TestClock implements Clock {
  constructor(public t: Date = new Date('2026-11-23T15:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export function counterIds(): IdGenerator {
  let n = 0;
  return { next: (prefix) => `${prefix}_${(++n).toString(36)}_${Math.random().toString(36).slice(2, 8)}` };
}

export function makeService(
  store: Store,
  clock: Clock = new TestClock(),
  more: Pick<ReviewServiceDeps, 'closeGraceMs' | 'elapsed'> = {},
) {
  return new ReviewService({
    store,
    clock,
    rubrics,
    ids: counterIds(),
    defaultTimezone: 'America/Detroit',
    ...more,
  });
}

/**
 * A workspace admin in the district's channel C1 (the platform confirms the admin role), who sets the district up
 * and so becomes its coordinator.
 */
export const coordinator = {
  tenantId: 'T1',
  userId: 'U_COORD',
  displayName: 'Casey Coordinator',
  channelId: 'C1',
  conversation: 'channel' as const,
  isAdmin: async () => true,
};
/** A person asking from the district's channel C1. */
export const member = (i: number, tenantId = 'T1', channelId = 'C1') => ({
  tenantId,
  userId: `U${i}`,
  displayName: `Member ${i}`,
  channelId,
  conversation: 'channel' as const,
});
/** Who exists in the workspace, as the platform would confirm it (Slack users.info, the Teams roster). */
export const people = (...ids: string[]) => ({
  confirm: async (id: string) => (ids.includes(id) ? { displayName: `Person ${id}` } : null),
});

/** A district in channel C1 with a coordinator, and a fresh review on the collaboration rubric. */
export async function districtWithReview(
  service: ReviewService,
  opts: { blind?: boolean; anonymous?: boolean; rule?: object; maxRounds?: number; tenantId?: string } = {},
) {
  const coord = { ...coordinator, tenantId: opts.tenantId ?? 'T1' };
  const district = await service.setupDistrict(coord, { name: 'Lakeview Schools', channelId: 'C1' });
  const review = await service.startReview(coord, {
    channelId: 'C1',
    cycle: '2026-27 Fall',
    blind: opts.blind ?? false,
    anonymous: opts.anonymous ?? false,
    ...(opts.rule ? { rule: opts.rule } : {}),
    ...(opts.maxRounds ? { maxRounds: opts.maxRounds } : {}),
  });
  return { coord, district, review };
}

/** Someone asking from `channelId` whom the platform confirms as an admin there (so they may run `setup`). */
export const asker = (tenantId: string, userId: string, channelId = 'C1', displayName = '') => ({
  tenantId,
  userId,
  displayName,
  channelId,
  conversation: 'channel' as const,
  isAdmin: async () => true,
});
