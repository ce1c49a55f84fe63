import { z } from 'zod';
import type { District } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { cycleKey, type Network, sameDistrict } from '../../domain/network';
import { ANONYMOUS_DISTRICT, noteContents, noteKey, type PracticeNote } from '../../domain/practiceNote';
import type { Review } from '../../domain/review';
import type { RubricRow } from '../../domain/rubric';
import type { Access } from '../policy';
import type { Clock, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { districtOfChannel, hasClosedRound } from './networkData';

export interface PracticeNoteDeps {
  store: Store;
  clock: Clock;
  rubrics: RubricCatalog;
}

/** Key-value namespace of one network's practice notes (one record per district, row and cycle). */
export const NOTES_NS = (networkId: string) => `network-notes:${networkId}`;

type StoredNote = Omit<PracticeNote, 'sharedAt'> & { sharedAt: string };

const noteInput = z.object({
  channelId: idString,
  row: z.string().trim().min(1).max(200),
  cycle: text(120).nullable().default(null),
});

/** A practice note as a network member reads it: attributed by name only if the district chose to be named. */
export interface PracticeNoteView {
  /** The district's name if it is named in the network, else "a district in the network". */
  by: string;
  cycle: string;
  rubricId: string;
  rowId: string;
  rowNumber: number;
  rowTitle: string;
  evidence: string[];
  reflections: Array<{ question: number; text: string }>;
  actions: PracticeNote['actions'];
  sharedAt: Date;
}

export interface ShareResult {
  networkName: string;
  note: PracticeNoteView;
  /** Whether the network will see the district's name beside the note. */
  named: boolean;
}

export interface UnshareResult {
  networkName: string;
  rowNumber: number;
  rowTitle: string;
  /** Cycles whose note on the row was withdrawn. */
  cycles: string[];
}

/**
 * Practice notes (`network share|unshare <row> ["cycle"]`): a member district's coordinator shares one row's
 * evidence texts, reflection answers and actions of a cycle with the network, as a snapshot without any name or
 * vote, and may withdraw it at any time (gone from every view and export at once). Who reads them is the policy's
 * `network.notes` (facilitators and member districts' coordinators); `NetworkService.read` asks it.
 */
export class PracticeNotes {
  constructor(
    private readonly d: PracticeNoteDeps,
    private readonly access: Access,
  ) {}

  async share(actorIn: Actor, input: unknown): Promise<ShareResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(noteInput, input);
    const { district, network } = await this.place(actor, i.channelId);
    const review = this.reviewFor(
      await this.d.store.reviews.listByDistrict(district.tenantId, district.id),
      i.cycle,
    );
    const { row, index } = this.rowOf(review.rubricId, i.row);
    const poll = review.polls.find((p) => p.rowId === row.id);
    const votes = [];
    for (const r of poll?.rounds ?? [])
      votes.push(...(await this.d.store.votes.listRow(review.id, row.id, r.round)));
    const reflections = (await this.d.store.reflections.list(review.id)).filter((a) => a.rowId === row.id);
    const actions = (await this.d.store.actions.listByDistrict(district.tenantId, district.id)).filter(
      (a) => a.reviewId === review.id && a.rowId === row.id,
    );
    const contents = noteContents({
      evidence: votes.map((v) => ({ round: v.round, text: v.evidence, at: v.castAt })),
      reflections,
      actions,
    });
    if (contents.evidence.length + contents.reflections.length + contents.actions.length === 0) {
      throw new DomainError(
        'invalid-state',
        `Row ${index + 1} has no evidence, reflection answers or actions in the cycle "${review.cycle}": there is nothing to share. Nothing was shared.`,
      );
    }
    const note: PracticeNote = {
      networkId: network.id,
      tenantId: district.tenantId,
      districtId: district.id,
      reviewId: review.id,
      cycle: review.cycle,
      rubricId: review.rubricId,
      rowId: row.id,
      ...contents,
      sharedAt: this.d.clock.now(),
    };
    await this.d.store.kv.put(NOTES_NS(network.id), noteKey(note), {
      ...note,
      sharedAt: note.sharedAt.toISOString(),
    });
    const named = network.members.find((m) => sameDistrict(m, refOf(district)))?.named ?? false;
    return {
      networkName: network.name,
      named,
      note: this.viewOf(note, named ? district.name : ANONYMOUS_DISTRICT),
    };
  }

  async unshare(actorIn: Actor, input: unknown): Promise<UnshareResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(noteInput, input);
    const { district, network } = await this.place(actor, i.channelId);
    const mine = (await this.stored(network)).filter((n) => sameDistrict(n, refOf(district)));
    const rubricId =
      mine[0]?.rubricId ??
      this.latest(await this.d.store.reviews.listByDistrict(district.tenantId, district.id))?.rubricId;
    if (!rubricId) throw this.nothingShared(i.row);
    const { row, index } = this.rowOf(rubricId, i.row);
    const gone = mine.filter(
      (n) => n.rowId === row.id && (i.cycle === null || cycleKey(n.cycle) === cycleKey(i.cycle)),
    );
    if (gone.length === 0) throw this.nothingShared(i.row, i.cycle);
    for (const n of gone) await this.d.store.kv.delete(NOTES_NS(network.id), noteKey(n));
    return {
      networkName: network.name,
      rowNumber: index + 1,
      rowTitle: row.title,
      cycles: gone.map((n) => n.cycle).sort((a, b) => a.localeCompare(b)),
    };
  }

  /**
   * The network's notes as its readers see them (the caller has checked `network.notes`): only of districts that
   * are members now, named only if they chose to be, by rubric, row and cycle.
   */
  async notesOf(network: Network): Promise<PracticeNoteView[]> {
    const out: PracticeNoteView[] = [];
    const names = new Map<string, string>();
    for (const n of await this.stored(network)) {
      const member = network.members.find((m) => sameDistrict(m, n));
      if (!member) continue;
      const k = `${n.tenantId}|${n.districtId}`;
      if (member.named && !names.has(k)) {
        names.set(
          k,
          (await this.d.store.districts.get(n.tenantId, n.districtId))?.name ?? ANONYMOUS_DISTRICT,
        );
      }
      out.push(this.viewOf(n, member.named ? (names.get(k) ?? ANONYMOUS_DISTRICT) : ANONYMOUS_DISTRICT));
    }
    return out.sort(
      (a, b) =>
        a.rubricId.localeCompare(b.rubricId) ||
        a.rowNumber - b.rowNumber ||
        a.cycle.localeCompare(b.cycle) ||
        a.sharedAt.getTime() - b.sharedAt.getTime(),
    );
  }

  /** Withdraws every note a district shared with the network (it left the network). */
  async removeDistrict(network: Network, ref: { tenantId: string; districtId: string }): Promise<void> {
    for (const n of await this.stored(network)) {
      if (sameDistrict(n, ref)) await this.d.store.kv.delete(NOTES_NS(network.id), noteKey(n));
    }
  }

  private async stored(network: Network): Promise<PracticeNote[]> {
    const list = await this.d.store.kv.list<StoredNote>(NOTES_NS(network.id));
    return list.map(({ value }) => ({ ...value, sharedAt: new Date(value.sharedAt) }));
  }

  private viewOf(n: PracticeNote, by: string): PracticeNoteView {
    const rows = this.d.rubrics.get(n.rubricId)?.rows ?? [];
    const index = rows.findIndex((r) => r.id === n.rowId);
    return {
      by,
      cycle: n.cycle,
      rubricId: n.rubricId,
      rowId: n.rowId,
      rowNumber: index + 1,
      rowTitle: rows[index]?.title ?? n.rowId,
      evidence: n.evidence,
      reflections: n.reflections,
      actions: n.actions,
      sharedAt: n.sharedAt,
    };
  }

  private async place(actor: Actor, channelId: string): Promise<{ district: District; network: Network }> {
    const district = await districtOfChannel(this.d.store, actor, channelId);
    const [network] = await this.d.store.networks.listByDistrict(district.tenantId, district.id);
    if (!network) {
      // A coordinator learns the district is in no network; anyone else is refused as a non-coordinator.
      await this.access.enforce(actor, 'network.contact', district);
      throw new DomainError('invalid-state', 'This district is not in a co-op network.');
    }
    await this.access.enforce(actor, 'network.share', district, { network });
    return { district, network };
  }

  private latest(reviews: Review[]): Review | null {
    return (
      reviews.filter(hasClosedRound).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null
    );
  }

  /** The district's latest review with a closed round (of the cycle, if named). */
  private reviewFor(reviews: Review[], cycle: string | null): Review {
    const r = this.latest(
      cycle === null ? reviews : reviews.filter((x) => cycleKey(x.cycle) === cycleKey(cycle)),
    );
    if (r) return r;
    throw new DomainError(
      'invalid-state',
      cycle === null
        ? 'Your district has no review with a closed round yet: a practice note shares a rated row. Nothing was shared.'
        : `Your district has no review of the cycle "${cycle}" with a closed round. Nothing was shared.`,
    );
  }

  private rowOf(rubricId: string, row: string): { row: RubricRow; index: number } {
    const rubric = this.d.rubrics.get(rubricId);
    const rows = rubric?.rows ?? [];
    const n = /^\d+$/.test(row) ? Number(row) : Number.NaN;
    const index = Number.isInteger(n) ? n - 1 : rows.findIndex((r) => r.id === row);
    const found = rows[index];
    if (!found) {
      throw new DomainError(
        'unknown-row',
        `"${row.slice(0, 40)}" is not a row of ${rubric?.title ?? 'the rubric'}: give a row number from 1 to ${rows.length}.`,
      );
    }
    return { row: found, index };
  }

  private nothingShared(row: string, cycle: string | null = null): DomainError {
    return new DomainError(
      'invalid-state',
      `Your district shares no practice note on row ${row.slice(0, 40)}${cycle ? ` for the cycle "${cycle.slice(0, 60)}"` : ''}. Nothing was changed.`,
    );
  }
}

const refOf = (d: District) => ({ tenantId: d.tenantId, districtId: d.id });
