import { DomainError } from './errors';
import { isMemberDistrict, type Network, type NetworkMember, type PersonRef, sameDistrict } from './network';
import { isLevel, type Level } from './rubric';

/**
 * Peer matching in a co-op network ("who can help"): for a row its district rated Beginning or Developing, a
 * coordinator is shown the member districts that rated that row Evolving or Accomplished (who can help) and those at
 * its own level (similar struggles) — only districts that opted in to be contacted (`contact`), each under an
 * anonymous handle ("District B") drawn afresh for every request, with its name only if it chose to be named. A
 * connect request then goes to one of them; nothing about either district is told to the other before it accepts.
 */

export type DistrictRef = Pick<NetworkMember, 'tenantId' | 'districtId'>;

/** Ratings for which peers are suggested (Beginning, Developing) and ratings of districts that can help. */
export const NEEDS_HELP: readonly Level[] = [1, 2];
export const CAN_HELP: readonly Level[] = [3, 4];

/** How long a list of peers can be answered with `network connect <handle>`. */
export const PEER_LIST_TTL_MS = 7 * 86_400_000;

const notInNetwork = () => new DomainError('invalid-state', 'This district is not in a co-op network.');

/** Whether the district may be suggested as a peer and receive connect requests (it opted in). */
export const contactable = (n: Network, d: DistrictRef): boolean =>
  n.members.find((m) => sameDistrict(m, d))?.contact === true;

export function setContact(n: Network, d: DistrictRef, contact: boolean): Network {
  if (!isMemberDistrict(n, d)) throw notInNetwork();
  return { ...n, members: n.members.map((m) => (sameDistrict(m, d) ? { ...m, contact } : m)) };
}

/** One other member district's settled rating of the row (null: not settled or not rated). */
export interface PeerRating extends DistrictRef {
  name: string;
  level: Level | null;
}

export interface PeerSuggestion {
  /** "District B": anonymous and valid only for the list it was given in. */
  handle: string;
  /** The district's name, only when it chose to be named in the network. */
  name: string | null;
  level: Level;
  /** Who it is: kept by the service to resolve the handle, never shown. */
  district: DistrictRef;
}

export interface PeerMatch {
  rowId: string;
  myLevel: Level;
  /** Districts that rated the row Evolving or Accomplished, highest first. */
  helpers: PeerSuggestion[];
  /** Districts at the asking district's own level on the row. */
  similar: PeerSuggestion[];
}

/** 0 → "A", 25 → "Z", 26 → "AA". */
export function handleLetters(i: number): string {
  let s = '';
  for (let n = i; n >= 0; n = Math.floor(n / 26) - 1) s = String.fromCharCode(65 + (n % 26)) + s;
  return s;
}

export const handleName = (letters: string) => `District ${letters}`;

/** "District b", "b", "B" → "B"; null when it cannot be a handle. */
export function normalizeHandle(input: string): string | null {
  const m = /^\s*(?:district\s*)?([a-z]{1,3})\s*$/i.exec(input);
  return m?.[1] ? m[1].toUpperCase() : null;
}

/**
 * The peers of `viewer` on one row. `others` is in the order handles are given (the service shuffles it for every
 * request, so that "District A" is not the same district from one request to the next). Districts that did not
 * opt in to be contacted, left the network, or have no settled rating of the row are never suggested.
 */
export function matchPeers(
  network: Network,
  viewer: DistrictRef,
  rowId: string,
  myLevel: Level | null,
  others: readonly PeerRating[],
): PeerMatch {
  if (!isMemberDistrict(network, viewer)) throw notInNetwork();
  if (!isLevel(myLevel)) {
    throw new DomainError(
      'invalid-state',
      'Your district has no settled rating of this row yet. Peers are suggested for a row your district rated Beginning or Developing in a review with a closed round.',
    );
  }
  if (!NEEDS_HELP.includes(myLevel)) {
    throw new DomainError(
      'invalid-state',
      'Your district rated this row Evolving or Accomplished: peers are suggested for rows rated Beginning or Developing. Other districts can find your district when it is open to contact ("network contact on").',
    );
  }
  const named = (d: DistrictRef) => network.members.find((m) => sameDistrict(m, d))?.named === true;
  const eligible = others.filter(
    (o): o is PeerRating & { level: Level } =>
      !sameDistrict(o, viewer) && isMemberDistrict(network, o) && contactable(network, o) && isLevel(o.level),
  );
  // Stable sort: the highest level first, the given order within a level.
  const helpers = eligible.filter((o) => CAN_HELP.includes(o.level)).sort((a, b) => b.level - a.level);
  const similar = eligible.filter((o) => o.level === myLevel);
  let next = 0;
  const suggest = (o: PeerRating & { level: Level }): PeerSuggestion => ({
    handle: handleName(handleLetters(next++)),
    name: named(o) ? o.name : null,
    level: o.level,
    district: { tenantId: o.tenantId, districtId: o.districtId },
  });
  return { rowId, myLevel, helpers: helpers.map(suggest), similar: similar.map(suggest) };
}

/** The last list of peers a district was given: its handles, for `network connect <handle>`. */
export interface PeerList {
  networkId: string;
  district: DistrictRef;
  rubricId: string;
  rowId: string;
  createdAt: Date;
  /** Letters ("B") → district. */
  handles: Record<string, DistrictRef>;
}

export function peerList(
  networkId: string,
  district: DistrictRef,
  rubricId: string,
  match: PeerMatch,
  now: Date,
): PeerList {
  const handles: Record<string, DistrictRef> = {};
  for (const s of [...match.helpers, ...match.similar]) {
    handles[s.handle.replace(/^District /, '')] = s.district;
  }
  return { networkId, district, rubricId, rowId: match.rowId, createdAt: now, handles };
}

/** The district behind a handle of the district's last list of peers. */
export function resolveHandle(list: PeerList | null, input: string, now: Date): DistrictRef {
  const letters = normalizeHandle(input);
  if (!letters) {
    throw new DomainError('invalid-input', `"${input.slice(0, 40)}" is not a handle such as "District B".`);
  }
  const target =
    list && now.getTime() - list.createdAt.getTime() <= PEER_LIST_TTL_MS ? list.handles[letters] : undefined;
  if (!target) {
    throw new DomainError(
      'invalid-input',
      `There is no ${handleName(letters)} in your district's last list of peers (a list is valid for 7 days). Ask again with "network peers <row>".`,
    );
  }
  return target;
}

// ---------- connect requests ----------

export const NOTE_MAX = 500;

/** A connect request not answered within 30 days expires: it can no longer be accepted, and frees its pair. */
export const CONNECT_TTL_DAYS = 30;
export const CONNECT_TTL_MS = CONNECT_TTL_DAYS * 86_400_000;

export interface ConnectRequest {
  id: string;
  networkId: string;
  from: DistrictRef;
  to: DistrictRef;
  requestedBy: PersonRef;
  rubricId: string;
  rowId: string;
  note: string;
  createdAt: Date;
}

export interface ConnectAnswer {
  requestId: string;
  accepted: boolean;
  by: PersonRef;
  at: Date;
}

/** A request from `from` to `to`: both members of the network, `to` still open to contact, and a note. */
export function newConnectRequest(network: Network, r: Omit<ConnectRequest, 'networkId'>): ConnectRequest {
  if (!isMemberDistrict(network, r.from)) throw notInNetwork();
  if (sameDistrict(r.from, r.to)) {
    throw new DomainError('invalid-input', 'That is your own district.');
  }
  if (!isMemberDistrict(network, r.to) || !contactable(network, r.to)) {
    throw new DomainError(
      'invalid-state',
      'That district is no longer open to contact in the co-op network. Nothing was sent.',
    );
  }
  const note = r.note.trim();
  if (!note) throw new DomainError('invalid-input', 'Add a short note for the other district, in quotes.');
  if (note.length > NOTE_MAX) {
    throw new DomainError('invalid-input', `The note is too long (at most ${NOTE_MAX} characters).`);
  }
  return { ...r, note, networkId: network.id };
}

export type ConnectState = 'pending' | 'accepted' | 'declined' | 'expired';

/** When a pending request expires. */
export const expiresAt = (req: Pick<ConnectRequest, 'createdAt'>): Date =>
  new Date(req.createdAt.getTime() + CONNECT_TTL_MS);

export function connectState(
  req: Pick<ConnectRequest, 'createdAt'>,
  answer: ConnectAnswer | null,
  now: Date,
): ConnectState {
  if (answer) return answer.accepted ? 'accepted' : 'declined';
  return now.getTime() >= expiresAt(req).getTime() ? 'expired' : 'pending';
}

/** Only the district a request was sent to answers it, once, before it expires, while both are still in the network. */
export function assertCanAnswer(
  network: Network | null,
  req: ConnectRequest,
  answering: DistrictRef,
  answered: ConnectAnswer | null,
  now: Date,
): void {
  if (answered) {
    throw new DomainError(
      'invalid-state',
      `That request was already ${answered.accepted ? 'accepted' : 'declined'}.`,
    );
  }
  if (connectState(req, null, now) === 'expired') {
    throw new DomainError(
      'invalid-state',
      `That request expired on ${expiresAt(req).toISOString().slice(0, 10)} (requests can be answered for ${CONNECT_TTL_DAYS} days): nothing was shared. The other district may ask again.`,
    );
  }
  if (!network || !isMemberDistrict(network, req.from) || !isMemberDistrict(network, answering)) {
    throw new DomainError(
      'invalid-state',
      'One of the two districts has left the co-op network: nothing was shared.',
    );
  }
}

/** The key of the one pending request from one district to another. */
export const pairKey = (from: DistrictRef, to: DistrictRef) =>
  `${from.tenantId}|${from.districtId}>${to.tenantId}|${to.districtId}`;
