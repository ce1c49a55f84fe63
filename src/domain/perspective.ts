import type { Perspective } from './consensus';
import type { Member, Vote } from './district';
import { DomainError } from './errors';

/**
 * Asking a member's perspective on their first vote in a review (issue 15): "Are you rating as the district team
 * or for a building?". The answer is stored on the member (never on a vote, so anonymous reviews too), and the
 * close counts each vote with its member's perspective (the district − building gap). Pure.
 */

/** Whether the member (or a coordinator) has said their perspective; else it is the district's default. */
export const perspectiveKnown = (m: Pick<Member, 'perspectiveSetAt'>): boolean => Boolean(m.perspectiveSetAt);

export const PERSPECTIVE_QUESTION = 'Are you rating as the district team or for a building?';

/** One answer button: `value` is what the click carries back ("district" or "building:<id>"). */
export interface PerspectiveOption {
  value: string;
  label: string;
}

/** The buttons: the district team, then each registered building (the voter's own building team first). */
export function perspectiveOptions(
  buildings: readonly { id: string; name: string; members: readonly string[] }[],
  memberId: string,
): PerspectiveOption[] {
  const mine = (b: { members: readonly string[] }) => (b.members.includes(memberId) ? 0 : 1);
  const sorted = [...buildings].sort((a, b) => mine(a) - mine(b) || a.name.localeCompare(b.name));
  return [
    { value: 'district', label: 'The district team' },
    ...sorted.map((b) => ({ value: `building:${b.id}`, label: b.name })),
  ];
}

/** A click's value read back: the perspective and (for a building) which one. */
export function parsePerspectiveAnswer(value: string): {
  perspective: Perspective;
  buildingId: string | null;
} {
  if (value === 'district') return { perspective: 'district', buildingId: null };
  const m = /^building:(.{1,200})$/.exec(value);
  if (m?.[1]) return { perspective: 'building', buildingId: m[1] };
  throw new DomainError(
    'invalid-input',
    'That answer is not one of the choices: choose the district or a building.',
    {
      perspective: 'invalid',
    },
  );
}

/** The member with their answer: perspective, building link, and when they said it. */
export const answeredPerspective = (
  m: Member,
  answer: { perspective: Perspective; buildingId: string | null },
  now: Date,
): Member => ({
  ...m,
  perspective: answer.perspective,
  buildingId: answer.buildingId,
  perspectiveSetAt: now,
});

/** Votes counted with each member's perspective as stored on the member now (a vote cast before they answered). */
export function withMemberPerspectives<V extends Pick<Vote, 'memberId' | 'perspective'>>(
  votes: readonly V[],
  members: readonly Pick<Member, 'memberId' | 'perspective'>[],
): V[] {
  const of = new Map(members.map((m) => [m.memberId, m.perspective]));
  return votes.map((v) => {
    const p = of.get(v.memberId);
    return p && p !== v.perspective ? { ...v, perspective: p } : v;
  });
}
