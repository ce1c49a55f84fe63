import type { Distribution } from '../../domain/consensus';
import type { PollStatus, Review } from '../../domain/review';
import type { Level } from '../../domain/rubric';
import type { ActionsView } from '../actions/actionViews';
import type { PlansReport } from '../plans/planReport';
import type { RubricCatalog } from '../ports';

// The district dashboard: each rubric's rows × the district's cycles, built from stored reviews only.

export interface DashboardCell {
  reviewId: string;
  rating: Level | null;
  status: PollStatus;
}

export interface DashboardRow {
  rowId: string;
  rowNumber: number;
  title: string;
  /** One per cycle column, oldest first; null when that review does not cover the row. */
  cells: Array<DashboardCell | null>;
  /** Distribution of the latest closed round of this row in the latest review (null before any close). */
  latest: { round: number; distribution: Distribution; gap: number | null } | null;
}

export interface DashboardRubric {
  rubricId: string;
  rubricTitle: string;
  levelNames: string[];
  cycles: Array<{
    reviewId: string;
    cycle: string;
    status: 'active' | 'complete' | 'cancelled';
    round: number;
  }>;
  rows: DashboardRow[];
}

export interface Dashboard {
  tenantId: string;
  districtId: string;
  districtName: string;
  /** The district's time zone: the page shows its times (link expiry, submissions) in it. */
  timezone: string;
  rubrics: DashboardRubric[];
  /** The district's actions, open and done, by row (set by ResultsService.dashboard). */
  actions?: ActionsView;
  /** The district's action plans as they stand (set by ResultsService.dashboard; null: no balance table here). */
  plans?: PlansReport | null;
}

/** Pure: rows × cycles per rubric, oldest cycle first. `reviews` may come in any order. */
export function buildDashboard(
  district: { tenantId: string; id: string; name: string; timezone: string },
  reviews: readonly Review[],
  rubrics: RubricCatalog,
): Dashboard {
  const byRubric = new Map<string, Review[]>();
  for (const r of [...reviews].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const list = byRubric.get(r.rubricId) ?? [];
    list.push(r);
    byRubric.set(r.rubricId, list);
  }
  const out: DashboardRubric[] = [];
  for (const [rubricId, list] of byRubric) {
    const rubric = rubrics.get(rubricId);
    if (!rubric) continue;
    const latest = list[list.length - 1];
    out.push({
      rubricId,
      rubricTitle: rubric.title,
      levelNames: rubric.levels.map((l) => l.name),
      cycles: list.map((r) => ({ reviewId: r.id, cycle: r.cycle, status: r.status, round: r.round })),
      rows: rubric.rows.map((row, idx) => {
        const lastPoll = latest?.polls.find((p) => p.rowId === row.id);
        const lastRound = lastPoll?.rounds[lastPoll.rounds.length - 1];
        return {
          rowId: row.id,
          rowNumber: idx + 1,
          title: row.title,
          cells: list.map((r) => {
            const p = r.polls.find((x) => x.rowId === row.id);
            return p ? { reviewId: r.id, rating: p.outcome?.rating ?? null, status: p.status } : null;
          }),
          latest: lastRound
            ? {
                round: lastRound.round,
                distribution: lastRound.stats.distribution,
                gap: lastRound.stats.perspectiveGap,
              }
            : null,
        };
      }),
    });
  }
  return {
    tenantId: district.tenantId,
    districtId: district.id,
    districtName: district.name,
    timezone: district.timezone,
    rubrics: out,
  };
}
