import { z } from 'zod';
import type { District } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import {
  buildNetworkView,
  DEFAULT_K,
  joinNetwork,
  leaveNetwork,
  MIN_K,
  type Network,
  type NetworkView,
  normalizeCode,
} from '../../domain/network';
import { Access, networkMissing, permits } from '../policy';
import type { Clock, IdGenerator, NoticeMessenger, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { NetworkCleanup } from './networkCleanup';
import { districtOfChannel, memberRatings } from './networkData';
import { NetworkReminders } from './networkReminders';
import { NetworkReports } from './networkReports';
import { PeerService } from './peerService';
import { PracticeNotes, type PracticeNoteView } from './practiceNotes';
import { NetworkRemindSchedules, type RemindScheduleDeps } from './remindSchedule';

export interface NetworkServiceDeps extends Omit<RemindScheduleDeps, 'store' | 'clock'> {
  store: Store;
  clock: Clock;
  rubrics: RubricCatalog;
  ids: IdGenerator;
  /** A fresh, unguessable invitation code (letters and digits; the adapter layer draws it from a CSPRNG). */
  newCode: () => string;
  /** Delivers connect requests and their answers to a district's channel (Slack or Teams). */
  notices?: NoticeMessenger;
  /** Orders peers before handles are given (default Math.random). */
  random?: () => number;
  /** The fewest districts a distribution may be made of (NETWORK_MIN_DISTRICTS: default 5, at least 3). */
  k?: number;
}

const createInput = z.object({ name: text(120) });
const channelInput = z.object({ channelId: idString });
const joinInput = z.object({
  channelId: idString,
  code: z
    .string()
    .max(64, 'is too long')
    .transform(normalizeCode)
    .pipe(z.string().regex(/^[A-Z0-9]{6,40}$/, 'is not an invitation code')),
  named: z.boolean().default(false),
});
const namedInput = z.object({ channelId: idString, named: z.boolean() });

/** A network and its view, as one asker may see it (`district`: the asker's member district, if any). */
export interface NetworkReading {
  network: Pick<Network, 'id' | 'name'>;
  view: NetworkView;
  /** The asker's district when the view compares it with the network. */
  district: Pick<District, 'id' | 'name' | 'timezone'> | null;
  /** The network's practice notes, or null when this asker may not read them (policy `network.notes`). */
  notes: PracticeNoteView[] | null;
}

/**
 * Co-op networks (issue 17): a platform admin creates one and facilitates it; district coordinators join their
 * district with its invitation code and may leave; facilitators and member districts read the network view. The
 * ratings are read from the member districts' reviews through the store (settled rows of reviews with at least
 * one closed round), never votes, names of people, evidence or building data.
 */
export class NetworkService {
  readonly access: Access;
  readonly k: number;
  /** Peer matching and connect requests (`network contact|peers|connect|accept|decline`). */
  readonly peers: PeerService;
  /** The facilitator's participation report and export (`network status|export`). */
  readonly reports: NetworkReports;
  /** The facilitator's nudge to districts that have not finished a cycle (`network remind`). */
  readonly reminders: NetworkReminders;
  /** The facilitator's standing reminder (`network remind schedule|off`), ticked with the nudges. */
  readonly schedules: NetworkRemindSchedules;
  /** Daily housekeeping: expired connect requests and old claims (ticked with the nudges). */
  readonly cleanup: NetworkCleanup;
  /** Practice notes a member district shares on a row (`network share|unshare`). */
  readonly notes: PracticeNotes;

  constructor(private readonly d: NetworkServiceDeps) {
    this.access = new Access({ store: d.store });
    this.peers = new PeerService(d, this.access);
    this.k = d.k ?? DEFAULT_K;
    if (!Number.isInteger(this.k) || this.k < MIN_K) {
      throw new Error(`NetworkService: k must be a whole number of at least ${MIN_K} (got ${this.k})`);
    }
    this.notes = new PracticeNotes(d, this.access);
    this.reports = new NetworkReports(d, this.access, this.k, (n) => this.notes.notesOf(n));
    this.reminders = new NetworkReminders(d, this.access, this.k);
    this.schedules = new NetworkRemindSchedules(d, this.access, this.reminders);
    this.cleanup = new NetworkCleanup(d);
  }

  get rubrics(): RubricCatalog {
    return this.d.rubrics;
  }

  async create(actorIn: Actor, input: unknown): Promise<Network> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(createInput, input);
    await this.access.enforce(actor, 'network.create', null);
    const me = { tenantId: actor.tenantId, userId: actor.userId };
    for (let attempt = 0; ; attempt++) {
      const network: Network = {
        id: this.d.ids.next('n'),
        name: i.name,
        facilitators: [me],
        code: normalizeCode(this.d.newCode()),
        members: [],
        createdAt: this.d.clock.now(),
        createdBy: me,
        version: 0,
      };
      try {
        await this.d.store.networks.create(network);
        return network;
      } catch (e) {
        // A code drawn twice (vanishingly rare): draw another.
        if (!(e instanceof DomainError && e.code === 'conflict') || attempt >= 2) throw e;
      }
    }
  }

  /** Whether the asker facilitates any network (help shows facilitators their commands). */
  async facilitates(actorIn: Actor): Promise<boolean> {
    const actor = parseInput(actorSchema, actorIn);
    return (await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId)).length > 0;
  }

  /** The networks the asker facilitates, with their invitation codes. */
  async codes(actorIn: Actor): Promise<Network[]> {
    const actor = parseInput(actorSchema, actorIn);
    const mine = await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId);
    if (mine.length === 0) throw networkMissing();
    for (const n of mine) await this.access.enforce(actor, 'network.manage', null, { network: n });
    return mine;
  }

  /** A coordinator joins their district (the asking channel's) to the network with that code. */
  async join(actorIn: Actor, input: unknown): Promise<Network> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(joinInput, input);
    const district = await this.districtOf(actor, i.channelId);
    await this.access.enforce(actor, 'network.join', district);
    const network = await this.d.store.networks.findByCode(i.code);
    if (!network) {
      throw new DomainError(
        'invalid-input',
        'No co-op network has that invitation code. Check it with the network’s facilitator.',
      );
    }
    const current = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
    const other = current.find((n) => n.id !== network.id);
    if (other) {
      throw new DomainError(
        'invalid-state',
        `This district is already in the co-op network "${other.name}". Leave it first with "network leave".`,
      );
    }
    const ref = { tenantId: district.tenantId, districtId: district.id };
    return this.d.store.networks.save(joinNetwork(network, ref, i.named, this.d.clock.now()));
  }

  /** A coordinator takes their district out of its network: its ratings stop counting at once. */
  async leave(actorIn: Actor, input: unknown): Promise<Network> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(channelInput, input);
    const district = await this.districtOf(actor, i.channelId);
    await this.access.enforce(actor, 'network.join', district);
    const [network] = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
    if (!network) throw new DomainError('invalid-state', 'This district is not in a co-op network.');
    const ref = { tenantId: district.tenantId, districtId: district.id };
    const left = await this.d.store.networks.save(leaveNetwork(network, ref));
    // Its practice notes go with it (the view shows members' notes only, so they are hidden already).
    await this.notes.removeDistrict(network, ref);
    return left;
  }

  /** A coordinator says whether the network may list the district by name (never beside a rating). */
  async setNamed(actorIn: Actor, input: unknown): Promise<Network> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(namedInput, input);
    const district = await this.districtOf(actor, i.channelId);
    await this.access.enforce(actor, 'network.join', district);
    const [network] = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
    if (!network) throw new DomainError('invalid-state', 'This district is not in a co-op network.');
    const ref = { tenantId: district.tenantId, districtId: district.id };
    return this.d.store.networks.save(joinNetwork(network, ref, i.named, this.d.clock.now()));
  }

  /**
   * The network views the asker may read from here: their district's network (compared with their district) when
   * asked from a member district's channel, and every network they facilitate. Anyone else reads "no network here".
   */
  async read(actorIn: Actor, input: unknown): Promise<NetworkReading[]> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(channelInput, input);
    const out: NetworkReading[] = [];
    const district =
      actor.channelId && actor.channelId !== i.channelId
        ? null
        : await this.d.store.districts.findByChannel(actor.tenantId, i.channelId);
    if (district) {
      const [network] = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
      if (network) {
        const s = await this.access.enforce(actor, 'network.read', district, { network });
        out.push(await this.reading(network, district, permits('network.notes', s)));
      }
    }
    const facilitated = await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId);
    for (const n of facilitated) {
      if (out.some((r) => r.network.id === n.id)) continue;
      const s = await this.access.enforce(actor, 'network.read', null, { network: n });
      out.push(await this.reading(n, null, permits('network.notes', s)));
    }
    if (out.length === 0) throw networkMissing();
    return out;
  }

  /**
   * The network view of one district's network, for its signed dashboard link (the link is the credential for
   * reading that district; the caller has checked it). Null when the district is in no network. Practice notes only
   * with `notes`: a link handed to someone the policy lets read them (`network.notes`, recorded in the signed link).
   */
  async readForDistrict(
    tenantId: string,
    districtId: string,
    opts: { notes?: boolean } = {},
  ): Promise<NetworkReading | null> {
    const district = await this.d.store.districts.get(tenantId, districtId);
    if (!district) return null;
    const [network] = await this.d.store.networks.listByDistrict(tenantId, districtId);
    return network ? this.reading(network, district, opts.notes === true) : null;
  }

  /** The network a district is in (its dashboard links to the network page), for its signed dashboard link. */
  async networkOfDistrict(
    tenantId: string,
    districtId: string,
  ): Promise<Pick<Network, 'id' | 'name'> | null> {
    const [network] = await this.d.store.networks.listByDistrict(tenantId, districtId);
    return network ? { id: network.id, name: network.name } : null;
  }

  private async reading(
    network: Network,
    district: District | null,
    notes: boolean,
  ): Promise<NetworkReading> {
    const view = await this.view(network, district);
    return {
      network: { id: network.id, name: network.name },
      view,
      district: district ? { id: district.id, name: district.name, timezone: district.timezone } : null,
      notes: notes ? await this.notes.notesOf(network) : null,
    };
  }

  /** Builds the view from the member districts' reviews (through the store, one district at a time). */
  private async view(network: Network, viewer: District | null): Promise<NetworkView> {
    return buildNetworkView(
      network,
      await memberRatings(this.d.store, network),
      (rubricId) => this.d.rubrics.get(rubricId)?.rows.map((r) => r.id) ?? [],
      { k: this.k, ...(viewer ? { viewer: { tenantId: viewer.tenantId, districtId: viewer.id } } : {}) },
    );
  }

  private districtOf(actor: Actor, channelId: string): Promise<District> {
    return districtOfChannel(this.d.store, actor, channelId);
  }
}
