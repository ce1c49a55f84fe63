import type { KeyValueRepo, NetworkRepo } from '../../app/ports';
import { DomainError } from '../../domain/errors';
import { type Network, sameDistrict } from '../../domain/network';
import {
  type ConnectAnswer,
  type ConnectRequest,
  connectState,
  type DistrictRef,
  type PeerList,
  pairKey,
} from '../../domain/networkPeers';
import { type DocCollection, DuplicateKeyError } from './collection';

/**
 * A network as stored: the record plus two flat key lists, so "the networks of this district" and "the networks
 * this person facilitates" are plain equality filters on an array field (MongoDB, FerretDB, mongo-java-server and
 * NeDB all match an array that holds the value).
 */
export type NetworkDoc = Network & { _id: string; memberKeys: string[]; facilitatorKeys: string[] };

const key = (tenantId: string, id: string) => `${tenantId}|${id}`;

function toDoc(n: Network): NetworkDoc {
  return {
    ...n,
    _id: n.id,
    memberKeys: n.members.map((m) => key(m.tenantId, m.districtId)),
    facilitatorKeys: n.facilitators.map((f) => key(f.tenantId, f.userId)),
  };
}

function fromDoc(d: NetworkDoc): Network {
  const { _id, memberKeys, facilitatorKeys, ...n } = d;
  return {
    ...n,
    createdAt: new Date(n.createdAt),
    members: n.members.map((m) => ({ ...m, joinedAt: new Date(m.joinedAt) })),
  };
}

/** Key-value namespaces of the network's other records: lists of peers, connect requests, answers, pairs. */
const NS = {
  peers: 'network-peers',
  connect: 'network-connect',
  answer: 'network-connect-answer',
  pair: 'network-connect-pair',
  /** The one request that took over the pair of an expired one (claimed with an insert: one renewal). */
  renew: 'network-connect-renewed',
} as const;

/**
 * Networks in a collection of their own; the records around them (each district's last list of peers, connect
 * requests and their answers) as key-value records: an answer and a pair of districts are claimed with an insert, so
 * of two coordinators answering at once exactly one answer counts, and a district asks another once.
 */
export class DocNetworkRepo implements NetworkRepo {
  constructor(
    private readonly c: DocCollection<NetworkDoc>,
    private readonly kv: KeyValueRepo,
  ) {}
  async create(network: Network) {
    try {
      await this.c.insert(toDoc(network));
    } catch (e) {
      if (e instanceof DuplicateKeyError) {
        throw new DomainError(
          'conflict',
          'That network or invitation code exists already. Please try again.',
        );
      }
      throw e;
    }
  }
  async get(id: string) {
    const d = await this.c.findOne({ _id: id });
    return d ? fromDoc(d) : null;
  }
  async findByCode(code: string) {
    const d = await this.c.findOne({ code });
    return d ? fromDoc(d) : null;
  }
  async listByDistrict(tenantId: string, districtId: string) {
    return (await this.c.find({ memberKeys: key(tenantId, districtId) })).map(fromDoc).sort(byCreation);
  }
  async listByFacilitator(tenantId: string, userId: string) {
    return (await this.c.find({ facilitatorKeys: key(tenantId, userId) })).map(fromDoc).sort(byCreation);
  }
  async save(network: Network) {
    const next = { ...network, version: network.version + 1 };
    const r = await this.c.replace({ _id: network.id, version: network.version }, toDoc(next));
    if (r.matched === 0) {
      throw new DomainError('conflict', 'Someone changed this network at the same moment. Please try again.');
    }
    return next;
  }
  async putPeerList(list: PeerList) {
    await this.kv.put(NS.peers, key(list.district.tenantId, list.district.districtId), list);
  }
  async getPeerList(tenantId: string, districtId: string) {
    const l = await this.kv.get<PeerList>(NS.peers, key(tenantId, districtId));
    return l ? { ...l, createdAt: new Date(l.createdAt) } : null;
  }
  async addConnect(request: ConnectRequest) {
    const pair = pairKey(request.from, request.to);
    if (!(await this.kv.putIfAbsent(NS.pair, pair, { id: request.id }))) {
      // The pair is held: by a pending or declined request (no), or by one that expired unanswered (renewed once).
      const held = await this.kv.get<{ id: string }>(NS.pair, pair);
      const old = held ? await this.getConnect(held.id) : null;
      if (!old || connectState(old.request, old.answer, request.createdAt) !== 'expired') return false;
      if (!(await this.kv.putIfAbsent(NS.renew, old.request.id, { id: request.id }))) return false;
      await this.kv.put(NS.pair, pair, { id: request.id });
    }
    await this.kv.put(NS.connect, request.id, request);
    return true;
  }
  async listConnects(d: DistrictRef) {
    // Connect requests are few (districts of co-op networks): read them all, keep the district's own.
    const all = await this.kv.list<ConnectRequest>(NS.connect);
    const out = [];
    for (const { value } of all) {
      if (!sameDistrict(value.from, d) && !sameDistrict(value.to, d)) continue;
      const got = await this.getConnect(value.id);
      if (got) out.push(got);
    }
    return out.sort((a, b) => b.request.createdAt.getTime() - a.request.createdAt.getTime());
  }
  async removeConnect(request: ConnectRequest) {
    await this.kv.delete(NS.connect, request.id);
    await this.kv.delete(NS.pair, pairKey(request.from, request.to));
  }
  async getConnect(id: string) {
    const r = await this.kv.get<ConnectRequest>(NS.connect, id);
    if (!r) return null;
    const a = await this.kv.get<ConnectAnswer>(NS.answer, id);
    return {
      request: { ...r, createdAt: new Date(r.createdAt) },
      answer: a ? { ...a, at: new Date(a.at) } : null,
    };
  }
  async removeExpiredConnects(now: Date) {
    let removed = 0;
    for (const { value } of await this.kv.list<ConnectRequest>(NS.connect)) {
      const got = await this.getConnect(value.id);
      if (!got || connectState(got.request, got.answer, now) !== 'expired') continue;
      const pair = pairKey(got.request.from, got.request.to);
      // The pair is freed only if this request still holds it (a renewal may have taken it over).
      if ((await this.kv.get<{ id: string }>(NS.pair, pair))?.id === got.request.id)
        await this.kv.delete(NS.pair, pair);
      await this.kv.delete(NS.renew, got.request.id);
      await this.kv.delete(NS.connect, got.request.id);
      removed++;
    }
    return removed;
  }

  async answerConnect(request: ConnectRequest, answer: ConnectAnswer) {
    if (!(await this.kv.putIfAbsent(NS.answer, request.id, answer))) return false;
    // Accepted: the two districts know each other, and may ask each other again later. Declined: not again.
    if (answer.accepted) await this.kv.delete(NS.pair, pairKey(request.from, request.to));
    return true;
  }
}

const byCreation = (a: Network, b: Network) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
