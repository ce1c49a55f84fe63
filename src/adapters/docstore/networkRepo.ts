import type { NetworkRepo } from '../../app/ports';
import { DomainError } from '../../domain/errors';
import type { Network } from '../../domain/network';
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

export class DocNetworkRepo implements NetworkRepo {
  constructor(private readonly c: DocCollection<NetworkDoc>) {}
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
}

const byCreation = (a: Network, b: Network) =>
  a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
