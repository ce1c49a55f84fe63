import { z } from 'zod';
import { type District, isCoordinator } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { type Network, sameDistrict } from '../../domain/network';
import {
  assertCanAnswer,
  type ConnectRequest,
  type ConnectState,
  connectState,
  type DistrictRef,
  expiresAt,
  handleLetters,
  handleName,
  matchPeers,
  NOTE_MAX,
  newConnectRequest,
  type PeerRating,
  type PeerSuggestion,
  peerList,
  resolveHandle,
  setContact,
} from '../../domain/networkPeers';
import type { Level } from '../../domain/rubric';
import type { Access, Action } from '../policy';
import type { Clock, IdGenerator, NoticeMessenger, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { districtOfChannel, hasClosedRound, settledRatings } from './networkData';
import { acceptedNotice, connectNotice, declinedNotice } from './peerText';

export interface PeerServiceDeps {
  store: Store;
  clock: Clock;
  rubrics: RubricCatalog;
  ids: IdGenerator;
  /** Delivers connect requests and answers to a district's channel (Slack or Teams); without it, no connecting. */
  notices?: NoticeMessenger;
  /** Orders the peers before handles are given (default Math.random): "District A" differs from list to list. */
  random?: () => number;
}

const contactInput = z.object({ channelId: idString, contact: z.boolean() });
const peersInput = z.object({ channelId: idString, row: z.string().trim().min(1).max(200) });
const connectInput = z.object({
  channelId: idString,
  handle: z.string().max(40, 'is not a handle such as "District B"'),
  note: z.string().max(NOTE_MAX, `is too long (at most ${NOTE_MAX} characters)`),
});
const channelInput = z.object({ channelId: idString });
const answerInput = z.object({ channelId: idString, requestId: idString, accept: z.boolean() });

/** One suggestion as the asker reads it: the handle, the level, the name only if the district chose to be named. */
export type PeerView = Omit<PeerSuggestion, 'district'>;

export interface PeersReading {
  networkName: string;
  rubricId: string;
  rowId: string;
  rowNumber: number;
  rowTitle: string;
  myLevel: Level;
  helpers: PeerView[];
  similar: PeerView[];
}

/** A connect request as the district that was asked reads it: the asker only by a handle of this list. */
export interface IncomingRequest {
  id: string;
  handle: string;
  rowTitle: string;
  note: string;
  createdAt: Date;
  expiresAt: Date;
  state: Extract<ConnectState, 'pending' | 'expired'>;
}

/** A connect request as the asking district reads it: the other district's name only once it accepted. */
export interface SentRequest {
  rowTitle: string;
  note: string;
  createdAt: Date;
  expiresAt: Date;
  state: ConnectState;
  /** The district asked, once it accepted (it knows the asker too). */
  acceptedBy: string | null;
}

export interface RequestsReading {
  networkName: string;
  incoming: IncomingRequest[];
  sent: SentRequest[];
}

/** Who a district is, told to the other only once a connect request is accepted. */
export interface DistrictContact {
  districtName: string;
  coordinators: string[];
}

export interface AnswerResult {
  accepted: boolean;
  rowTitle: string;
  note: string;
  /** The asking district, when accepted. */
  other: DistrictContact | null;
  /** Whether the asking district's channel was told. */
  notified: boolean;
}

/**
 * Peer matching and connect requests (the co-op network's "who can help"): a coordinator opens their district to
 * contact, asks for peers on one row, and asks one of them to connect; the other district's coordinators answer
 * in their own channel. Names of the districts and of their coordinators are exchanged only on accept.
 */
export class PeerService {
  constructor(
    private readonly d: PeerServiceDeps,
    private readonly access: Access,
  ) {}

  get connecting(): boolean {
    return this.d.notices !== undefined;
  }

  async setContact(actorIn: Actor, input: unknown): Promise<Network> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(contactInput, input);
    const district = await districtOfChannel(this.d.store, actor, i.channelId);
    const network = await this.networkOf(actor, district, 'network.contact');
    return this.d.store.networks.save(setContact(network, refOf(district), i.contact));
  }

  async peers(actorIn: Actor, input: unknown): Promise<PeersReading> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(peersInput, input);
    const district = await districtOfChannel(this.d.store, actor, i.channelId);
    const network = await this.networkOf(actor, district, 'network.peers');
    const mine = latestCounted(await this.d.store.reviews.listByDistrict(district.tenantId, district.id));
    if (!mine) {
      throw new DomainError(
        'invalid-state',
        'Your district has no review with a closed round yet: peers are suggested for rows it rated Beginning or Developing.',
      );
    }
    const rubric = this.d.rubrics.get(mine.rubricId);
    const rows = rubric?.rows ?? [];
    const n = /^\d+$/.test(i.row) ? Number(i.row) : Number.NaN;
    const index = Number.isInteger(n) ? n - 1 : rows.findIndex((r) => r.id === i.row);
    const row = rows[index];
    if (!row) {
      throw new DomainError(
        'unknown-row',
        `"${i.row.slice(0, 40)}" is not a row of ${rubric?.title ?? 'the rubric'}: give a row number from 1 to ${rows.length}.`,
      );
    }
    const others: PeerRating[] = [];
    for (const m of network.members) {
      if (sameDistrict(m, refOf(district))) continue;
      const d = await this.d.store.districts.get(m.tenantId, m.districtId);
      if (!d) continue;
      const latest = latestCounted(
        (await this.d.store.reviews.listByDistrict(m.tenantId, m.districtId)).filter(
          (r) => r.rubricId === mine.rubricId,
        ),
      );
      others.push({ ...refOf(d), name: d.name, level: latest?.ratings[row.id] ?? null });
    }
    const match = matchPeers(
      network,
      refOf(district),
      row.id,
      mine.ratings[row.id] ?? null,
      this.shuffle(others),
    );
    await this.d.store.networks.putPeerList(
      peerList(network.id, refOf(district), mine.rubricId, match, this.d.clock.now()),
    );
    const view = ({ district: _, ...v }: PeerSuggestion): PeerView => v;
    return {
      networkName: network.name,
      rubricId: mine.rubricId,
      rowId: row.id,
      rowNumber: index + 1,
      rowTitle: row.title,
      myLevel: match.myLevel,
      helpers: match.helpers.map(view),
      similar: match.similar.map(view),
    };
  }

  /** Stores the request and tells the other district's channel; if that fails, nothing is kept. */
  async connect(actorIn: Actor, input: unknown): Promise<{ request: ConnectRequest; rowTitle: string }> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(connectInput, input);
    const district = await districtOfChannel(this.d.store, actor, i.channelId);
    const network = await this.networkOf(actor, district, 'network.connect');
    const notices = this.d.notices;
    if (!notices)
      throw new DomainError('invalid-state', 'Connect requests are not available on this server.');
    const now = this.d.clock.now();
    const list = await this.d.store.networks.getPeerList(district.tenantId, district.id);
    const to = resolveHandle(list?.networkId === network.id ? list : null, i.handle, now);
    const request = newConnectRequest(network, {
      id: this.d.ids.next('nc'),
      from: refOf(district),
      to,
      requestedBy: { tenantId: actor.tenantId, userId: actor.userId },
      rubricId: list?.rubricId ?? '',
      rowId: list?.rowId ?? '',
      note: i.note,
      createdAt: now,
    });
    const target = await this.d.store.districts.get(to.tenantId, to.districtId);
    if (!target)
      throw new DomainError('invalid-state', 'That district is no longer set up. Nothing was sent.');
    if (!(await this.d.store.networks.addConnect(request))) {
      throw new DomainError(
        'conflict',
        'Your district has already asked that district to connect: its coordinators have the request (or declined it). Nothing new was sent.',
      );
    }
    const rowTitle = this.rowTitle(request);
    try {
      await notices.sendNotice(destinationOf(target), connectNotice(network.name, rowTitle, request));
    } catch {
      await this.d.store.networks.removeConnect(request);
      throw new DomainError(
        'invalid-state',
        'The request could not be delivered to that district just now; nothing was kept. Please try again later.',
      );
    }
    return { request, rowTitle };
  }

  /** The district a request was sent to accepts or declines it; on accept both learn who the other is. */
  async answer(actorIn: Actor, input: unknown): Promise<AnswerResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(answerInput, input);
    const district = await districtOfChannel(this.d.store, actor, i.channelId);
    const network = await this.networkOf(actor, district, 'network.answer');
    const got = await this.d.store.networks.getConnect(i.requestId);
    // A request sent to another district reads exactly like one that does not exist.
    if (!got || !sameDistrict(got.request.to, refOf(district))) {
      throw new DomainError(
        'invalid-input',
        `There is no connect request "${i.requestId.slice(0, 40)}" for this district.`,
      );
    }
    const { request } = got;
    const now = this.d.clock.now();
    assertCanAnswer(
      request.networkId === network.id ? network : null,
      request,
      refOf(district),
      got.answer,
      now,
    );
    const asker = await this.d.store.districts.get(request.from.tenantId, request.from.districtId);
    if (!asker) throw new DomainError('invalid-state', 'The asking district is no longer set up.');
    const answer = {
      requestId: request.id,
      accepted: i.accept,
      by: { tenantId: actor.tenantId, userId: actor.userId },
      at: now,
    };
    if (!(await this.d.store.networks.answerConnect(request, answer))) {
      const latest = await this.d.store.networks.getConnect(request.id);
      assertCanAnswer(network, request, refOf(district), latest?.answer ?? null, now);
    }
    const rowTitle = this.rowTitle(request);
    const other = i.accept ? await this.contactOf(asker) : null;
    const notice = i.accept
      ? acceptedNotice(network.name, rowTitle, await this.contactOf(district))
      : declinedNotice(network.name, rowTitle);
    let notified = true;
    try {
      await this.d.notices?.sendNotice(destinationOf(asker), notice);
      notified = this.d.notices !== undefined;
    } catch {
      notified = false;
    }
    return { accepted: i.accept, rowTitle, note: request.note, other, notified };
  }

  /** The requests waiting for the district (pending or expired unanswered) and those it sent, newest first. */
  async requests(actorIn: Actor, input: unknown): Promise<RequestsReading> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(channelInput, input);
    const district = await districtOfChannel(this.d.store, actor, i.channelId);
    const network = await this.networkOf(actor, district, 'network.requests');
    const now = this.d.clock.now();
    const me = refOf(district);
    const all = (await this.d.store.networks.listConnects(me)).filter(
      (c) => c.request.networkId === network.id,
    );
    const incoming: IncomingRequest[] = [];
    const askers: string[] = [];
    const sent: SentRequest[] = [];
    for (const { request, answer } of all) {
      const state = connectState(request, answer, now);
      const common = {
        rowTitle: this.rowTitle(request),
        note: request.note,
        createdAt: request.createdAt,
        expiresAt: expiresAt(request),
      };
      if (sameDistrict(request.to, me)) {
        if (state !== 'pending' && state !== 'expired') continue;
        // A handle per asking district, for this list only: nothing says who asks.
        const asker = `${request.from.tenantId}|${request.from.districtId}`;
        if (!askers.includes(asker)) askers.push(asker);
        const handle = handleName(handleLetters(askers.indexOf(asker)));
        incoming.push({ id: request.id, handle, ...common, state });
      } else {
        const other =
          state === 'accepted'
            ? await this.d.store.districts.get(request.to.tenantId, request.to.districtId)
            : null;
        sent.push({ ...common, state, acceptedBy: other?.name ?? null });
      }
    }
    return { networkName: network.name, incoming, sent };
  }

  /** The district's network: "not in a network" only to whom may manage the district's membership. */
  private async networkOf(actor: Actor, district: District, action: Action): Promise<Network> {
    const [network] = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
    if (!network) {
      await this.access.enforce(actor, 'network.contact', district);
      throw new DomainError('invalid-state', 'This district is not in a co-op network.');
    }
    await this.access.enforce(actor, action, district, { network });
    return network;
  }

  private async contactOf(d: District): Promise<DistrictContact> {
    const members = await this.d.store.members.list(d.tenantId, d.id);
    const coordinators = members
      .filter((m) => isCoordinator(m) && m.displayName.trim() !== '')
      .map((m) => m.displayName.trim())
      .sort((a, b) => a.localeCompare(b));
    return { districtName: d.name, coordinators };
  }

  private rowTitle(r: Pick<ConnectRequest, 'rubricId' | 'rowId'>): string {
    return this.d.rubrics.get(r.rubricId)?.rows.find((x) => x.id === r.rowId)?.title ?? r.rowId;
  }

  private shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    const random = this.d.random ?? Math.random;
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

const refOf = (d: Pick<District, 'tenantId' | 'id'>): DistrictRef => ({
  tenantId: d.tenantId,
  districtId: d.id,
});

const destinationOf = (d: District) => ({ tenantId: d.tenantId, channelId: d.channelId });

/** The district's latest counted review (by creation), as its settled ratings. */
function latestCounted(reviews: Parameters<typeof hasClosedRound>[0][]) {
  const counted = reviews
    .filter(hasClosedRound)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return counted[0] ? settledRatings(counted[0]) : null;
}
