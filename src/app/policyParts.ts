import type { Member } from '../domain/district';
import { isCoordinator } from '../domain/district';
import type { DomainErrorCode } from '../domain/errors';
import type { Conversation } from './schemas';

/**
 * Who may do what: the one place the product decides it. Use cases ask `Access` before they read or change a
 * district's data; the chat and web adapters only say who is asking and from where (`Actor.channelId`,
 * `Actor.conversation`, `Actor.isAdmin`). docs/SECURITY.md is this table in words.
 *
 * A person's standing towards one district is made of facts the store and the platform confirm:
 * - `member`: the district's roster has them, not taken off it (with `coordinator` among their roles, they coordinate);
 * - `inChannel`: they are asking from the district's own channel (so the chat platform has already checked they
 *   can see it);
 * - `conversation`: the kind of conversation they are asking from (a channel, a group chat, a 1:1 chat);
 * - `platformAdmin`: a workspace admin/owner or the app's installer (Slack), the app's installer in the team
 *   (Teams), or listed in ADMIN_USER_IDS;
 * - `buildingMember`: on the building team the request is about;
 * - `facilitator`: facilitates the co-op network the request is about (a network spans workspaces and tenants);
 * - `networkMember`: the district is a member of that network;
 * - `actionOwner`: they own the action the request is about.
 */
export interface Standing {
  member: Member | null;
  inChannel: boolean;
  conversation: Conversation | null;
  platformAdmin: boolean;
  buildingMember: boolean;
  facilitator: boolean;
  networkMember: boolean;
  actionOwner: boolean;
}

/** How a refusal reads: like "not found" (reads: nothing about the resource leaks), or a message to act on. */
export type Refusal =
  | { kind: 'not-found'; what: 'review' | 'building' | 'network' }
  | { kind: 'forbidden'; code: DomainErrorCode; message: string };

export interface Rule {
  /** Who may, in words (docs/SECURITY.md and the policy table test print it). */
  who: string;
  allow: (s: Standing) => boolean;
  refusal: Refusal;
}

export const coordinatorIn = (s: Standing) => isCoordinator(s.member) && s.inChannel;
export const readsDistrict = (s: Standing) => s.member !== null || s.inChannel;
export const coordinatorOnly = (what: string): Refusal => ({
  kind: 'forbidden',
  code: 'not-coordinator',
  message: `Only a coordinator of this district can ${what}, from the district's channel. Ask a coordinator to grant you the role.`,
});
export const reviewNotFound: Refusal = { kind: 'not-found', what: 'review' };
export const buildingNotFound: Refusal = { kind: 'not-found', what: 'building' };
export const networkNotFound: Refusal = { kind: 'not-found', what: 'network' };
