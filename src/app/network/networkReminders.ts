import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { Network } from '../../domain/network';
import {
  cycleOverview,
  type DistrictReviews,
  finishedCycle,
  participationOf,
  remindClaimKey,
} from '../../domain/networkReport';
import { type Access, networkMissing } from '../policy';
import type { Clock, NoticeMessenger, Store } from '../ports';
import { type Actor, actorSchema, parseInput, text } from '../schemas';
import { remindNotice } from './reportText';

export interface NetworkRemindDeps {
  store: Store;
  clock: Clock;
  /** Delivers the reminders to each district's channel (Slack or Teams); without it, no reminding. */
  notices?: NoticeMessenger;
}

/** Key-value namespace of the reminder claims: one per network, district, cycle and UTC day. */
export const REMIND_CLAIMS = 'network-remind';

const remindInput = z.object({ cycle: text(120).nullable().default(null) });

/** One facilitated network's reminder round: counts, and names only of districts that chose to be named. */
export interface RemindResult {
  networkName: string;
  cycle: string;
  /** Sent now. */
  reminded: number;
  /** Reminded already today (by this or another replica): not sent again. */
  alreadyToday: number;
  /** Not set up any more, or the notice could not be delivered (try again later). */
  unreachable: number;
  /** A complete review of the cycle: not reminded. */
  finished: number;
  named: { reminded: string[]; alreadyToday: string[]; unreachable: string[] };
}

type Outcome = 'reminded' | 'alreadyToday' | 'unreachable';
type MemberReviews = DistrictReviews & { channelId: string };

/**
 * The facilitator's nudge (`network remind ["cycle"]`): each member district that has not finished the cycle's review
 * (none, or one still under way) is told in its own channel, at most once a day per cycle across replicas (the
 * claim is an insert-if-absent; a notice that fails frees its claim). The notice names the network and the cycle only.
 */
export class NetworkReminders {
  constructor(
    private readonly d: NetworkRemindDeps,
    private readonly access: Access,
    private readonly k: number,
  ) {}

  async remind(actorIn: Actor, input: unknown): Promise<RemindResult[]> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(remindInput, input);
    const mine = await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId);
    if (mine.length === 0) throw networkMissing();
    for (const n of mine) await this.access.enforce(actor, 'network.remind', null, { network: n });
    const notices = this.d.notices;
    if (!notices) throw new DomainError('invalid-state', 'Reminders are not available on this server.');
    // Every network's cycle is settled before anything is sent: a cycle to name stops the whole command.
    const plans = [];
    for (const n of mine) {
      const districts = await this.reviewsOf(n);
      plans.push({ n, districts, cycle: i.cycle ?? this.onlyCycle(n, districts) });
    }
    const out: RemindResult[] = [];
    for (const p of plans) out.push(await this.remindOne(p.n, p.districts, p.cycle, notices));
    return out;
  }

  /** One network's round without an asker (a facilitator's schedule, `network remind schedule`, runs it). */
  async remindNetwork(n: Network, cycle: string | null): Promise<RemindResult> {
    const notices = this.d.notices;
    if (!notices) throw new DomainError('invalid-state', 'Reminders are not available on this server.');
    const districts = await this.reviewsOf(n);
    return this.remindOne(n, districts, cycle ?? this.onlyCycle(n, districts), notices);
  }

  private async remindOne(
    n: Network,
    districts: MemberReviews[],
    cycle: string,
    notices: NoticeMessenger,
  ): Promise<RemindResult> {
    const r: RemindResult = {
      networkName: n.name,
      cycle: cycle.trim().replace(/\s+/g, ' '),
      reminded: 0,
      alreadyToday: 0,
      unreachable: 0,
      finished: 0,
      named: { reminded: [], alreadyToday: [], unreachable: [] },
    };
    const now = this.d.clock.now();
    for (const m of n.members) {
      const d = districts.find((x) => x.tenantId === m.tenantId && x.districtId === m.districtId);
      if (d && finishedCycle(d, cycle)) {
        r.finished++;
        continue;
      }
      const outcome = d ? await this.send(n, d, r.cycle, now, notices) : 'unreachable';
      r[outcome]++;
      if (m.named && d) r.named[outcome].push(d.name);
    }
    for (const list of Object.values(r.named)) list.sort((a, b) => a.localeCompare(b));
    return r;
  }

  private async send(
    n: Network,
    d: MemberReviews,
    cycle: string,
    now: Date,
    notices: NoticeMessenger,
  ): Promise<Outcome> {
    const key = remindClaimKey(n.id, d, cycle, now);
    if (!(await this.d.store.kv.putIfAbsent(REMIND_CLAIMS, key, { at: now.toISOString() }))) {
      return 'alreadyToday';
    }
    const state = participationOf(d, cycle) === 'none' ? 'none' : 'open';
    try {
      await notices.sendNotice(
        { tenantId: d.tenantId, channelId: d.channelId },
        remindNotice(n.name, cycle, state),
      );
      return 'reminded';
    } catch {
      // Not delivered: free the claim, so that a later reminder (today) may reach the district.
      await this.d.store.kv.delete(REMIND_CLAIMS, key);
      return 'unreachable';
    }
  }

  /**
   * Without a cycle: the one cycle at least k member districts have a review of (a cycle named by fewer districts
   * is not shown, as in `network status`); otherwise the facilitator is asked to name it.
   */
  private onlyCycle(n: Network, districts: MemberReviews[]): string {
    const { cycles } = cycleOverview(n, districts, this.k);
    const [only] = cycles;
    if (only && cycles.length === 1) return only.cycle;
    const named = cycles.map((c) => `"${c.cycle}"`).join(', ');
    throw new DomainError(
      'invalid-input',
      `Name the cycle to remind about, e.g. network remind "2026-27 Fall"${named ? ` (cycles of ${n.name}: ${named})` : ''}. Nothing was sent.`,
    );
  }

  private async reviewsOf(n: Network): Promise<MemberReviews[]> {
    const out: MemberReviews[] = [];
    for (const m of n.members) {
      const d = await this.d.store.districts.get(m.tenantId, m.districtId);
      if (!d) continue;
      const reviews = await this.d.store.reviews.listByDistrict(m.tenantId, m.districtId);
      out.push({
        tenantId: d.tenantId,
        districtId: d.id,
        name: d.name,
        channelId: d.channelId,
        reviews: reviews.map((x) => ({
          cycle: x.cycle,
          state: x.status === 'cancelled' ? 'cancelled' : x.status === 'complete' ? 'complete' : 'open',
        })),
      });
    }
    return out;
  }
}
