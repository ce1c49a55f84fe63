import type { DistrictRec, MemberRec, ReviewRec, StoreRecords } from './documents';
import { plural, type Report, sample } from './report';

/** The checks of districts and members. */

/** 5. Reviews and members reference an existing district; no two districts share a tenant's channel. */
export function checkDistrictReferences({ districts, members, reviews }: StoreRecords, report: Report): void {
  const districtKey = (tenantId: string, districtId: string) => JSON.stringify([tenantId, districtId]);
  const known = new Set(districts.map((d) => districtKey(d.tenantId, d.id)));
  for (const review of reviews.values()) {
    if (!known.has(districtKey(review.tenantId, review.districtId))) {
      report.add({
        check: 'district-reference',
        severity: 'problem',
        subject: `review ${review.id}`,
        reviewId: review.id,
        tenantId: review.tenantId,
        districtId: review.districtId,
        detail: `references district ${review.districtId} of tenant ${review.tenantId}, which does not exist`,
      });
    }
  }
  const byChannel = new Map<string, DistrictRec[]>();
  for (const d of districts) {
    const k = JSON.stringify([d.tenantId, d.channelId]);
    byChannel.set(k, [...(byChannel.get(k) ?? []), d]);
  }
  for (const same of byChannel.values()) {
    const first = same[0];
    if (same.length < 2 || !first) continue;
    report.add({
      check: 'district-reference',
      severity: 'problem',
      subject: `tenant ${first.tenantId}, channel ${first.channelId}`,
      tenantId: first.tenantId,
      detail: `${same.length} districts share this channel: ${sample(same.map((d) => d.id).sort())}`,
    });
  }
  const lostMembers = new Map<string, MemberRec[]>();
  for (const m of members) {
    const k = districtKey(m.tenantId, m.districtId);
    if (!known.has(k)) lostMembers.set(k, [...(lostMembers.get(k) ?? []), m]);
  }
  for (const group of lostMembers.values()) {
    const first = group[0] as MemberRec;
    report.add({
      check: 'district-reference',
      severity: 'problem',
      subject: `district ${first.districtId} of tenant ${first.tenantId}`,
      tenantId: first.tenantId,
      districtId: first.districtId,
      detail: `${plural(group.length, 'member')} reference this district, which does not exist (${sample(group.map((m) => m.memberId).sort())})`,
    });
  }
}

/**
 * 7. At most one open review per rubric per district (a `review start` claims to follow the district's latest
 * review, so two starts at the same moment cannot both open one; this finds any left from before that claim).
 */
export function checkOpenReviews({ reviews }: StoreRecords, report: Report): void {
  const open = new Map<string, ReviewRec[]>();
  for (const r of reviews.values()) {
    if (!r.active || r.rubricId === null) continue;
    const k = JSON.stringify([r.tenantId, r.districtId, r.rubricId]);
    open.set(k, [...(open.get(k) ?? []), r]);
  }
  for (const same of open.values()) {
    const first = same[0];
    if (same.length < 2 || !first) continue;
    report.add({
      check: 'open-reviews',
      severity: 'problem',
      subject: `district ${first.districtId} of tenant ${first.tenantId}, rubric ${first.rubricId}`,
      tenantId: first.tenantId,
      districtId: first.districtId,
      detail: `${same.length} reviews of this rubric are open (${sample(same.map((r) => r.id).sort())}); a coordinator cancels all but one (review cancel "cycle" "why")`,
    });
  }
}
