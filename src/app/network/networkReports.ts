import { z } from 'zod';
import { buildNetworkView, type Network } from '../../domain/network';
import {
  type CycleOverview,
  type CycleStatus,
  cycleOverview,
  cycleStatus,
  type DistrictReviews,
  type ReviewSummary,
} from '../../domain/networkReport';
import type { Review } from '../../domain/review';
import { type Access, networkMissing } from '../policy';
import type { RubricCatalog, Store } from '../ports';
import type { ExportFile } from '../reviews/resultsExport';
import { type Actor, actorSchema, parseInput, text } from '../schemas';
import { hasClosedRound, memberRatings } from './networkData';
import { exportNetworks, type NetworkNotes } from './networkExport';
import type { PracticeNoteView } from './practiceNotes';

export interface NetworkReportDeps {
  store: Store;
  rubrics: RubricCatalog;
}

const statusInput = z.object({ cycle: text(120).nullable().default(null) });
const exportInput = z.object({ format: z.enum(['csv', 'json', 'md']).default('csv') });

/** One facilitated network's participation: per cycle (k rule on cycle names), or one cycle's districts. */
export interface StatusReading {
  networkName: string;
  k: number;
  memberCount: number;
  /** Without a cycle: the cycles at least k districts have a review of; the others only counted. */
  overview: { cycles: CycleOverview[]; hidden: number } | null;
  /** With a cycle: how far each member district got (named ones by name, the others counted). */
  cycle: CycleStatus | null;
}

const summary = (r: Review): ReviewSummary => ({
  cycle: r.cycle,
  state:
    r.status === 'cancelled'
      ? 'cancelled'
      : r.status === 'complete'
        ? 'complete'
        : hasClosedRound(r)
          ? 'settled'
          : 'open',
});

/**
 * The facilitator's tools (`network status`, `network export`): participation, never ratings, and the network's
 * figures with the same k rule as the view. Only for the networks the asker facilitates.
 */
export class NetworkReports {
  constructor(
    private readonly d: NetworkReportDeps,
    private readonly access: Access,
    private readonly k: number,
    /** The network's practice notes (the export carries them: facilitators read notes). */
    private readonly notesOf: (n: Network) => Promise<PracticeNoteView[]> = async () => [],
  ) {}

  async status(actorIn: Actor, input: unknown): Promise<StatusReading[]> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(statusInput, input);
    const out: StatusReading[] = [];
    for (const n of await this.facilitated(actor)) {
      const districts = await this.reviewsOf(n);
      out.push({
        networkName: n.name,
        k: this.k,
        memberCount: n.members.length,
        overview: i.cycle === null ? cycleOverview(n, districts, this.k) : null,
        cycle: i.cycle === null ? null : cycleStatus(n, districts, i.cycle),
      });
    }
    return out;
  }

  async export(actorIn: Actor, input: unknown): Promise<ExportFile> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(exportInput, input);
    const views = [];
    const notes: NetworkNotes[] = [];
    for (const n of await this.facilitated(actor)) {
      notes.push({ network: n.name, notes: await this.notesOf(n) });
      views.push(
        buildNetworkView(
          n,
          await memberRatings(this.d.store, n),
          (rubricId) => this.d.rubrics.get(rubricId)?.rows.map((r) => r.id) ?? [],
          { k: this.k },
        ),
      );
    }
    return exportNetworks(views, this.d.rubrics, i.format, notes);
  }

  private async facilitated(actor: Actor): Promise<Network[]> {
    const mine = await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId);
    if (mine.length === 0) throw networkMissing();
    for (const n of mine) await this.access.enforce(actor, 'network.report', null, { network: n });
    return mine;
  }

  private async reviewsOf(n: Network): Promise<DistrictReviews[]> {
    const out: DistrictReviews[] = [];
    for (const m of n.members) {
      const d = await this.d.store.districts.get(m.tenantId, m.districtId);
      if (!d) continue;
      const reviews = await this.d.store.reviews.listByDistrict(m.tenantId, m.districtId);
      out.push({ tenantId: d.tenantId, districtId: d.id, name: d.name, reviews: reviews.map(summary) });
    }
    return out;
  }
}
