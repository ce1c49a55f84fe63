import { z } from 'zod';
import { sortActions } from '../../domain/action';
import { DomainError } from '../../domain/errors';
import type { Review } from '../../domain/review';
import type { Rubric } from '../../domain/rubric';
import { actionView, buildActionsView, namesOf } from '../actions/actionViews';
import { buildPlansReport, type PlansReport } from '../plans/planReport';
import { Access } from '../policy';
import type { RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { zoneOf } from '../when';
import { buildDashboard, type Dashboard } from './dashboardView';
import { loadOwnReview, rubricFor } from './lookups';
import { activity1Report, groupsReport } from './processReport';
import { type ExportFile, exportResults } from './resultsExport';
import { buildResults, type ReviewResults, type RowResult } from './resultsModel';

// The results use cases. The model and chat summary are in resultsModel.ts, the exports in resultsExport.ts,
// the dashboard in dashboardView.ts: all pure, built from what these use cases load.

const reflectionInput = z.object({
  reviewId: idString,
  rowId: idString,
  question: z.number().int().min(1, 'must be 1 or more').max(20),
  answer: text(2000),
});

export interface ResultsServiceDeps {
  store: Store;
  rubrics: RubricCatalog;
  clock: { now(): Date };
}

/** Results, reflection answers, exports and the district dashboard. */
export class ResultsService {
  private readonly access: Access;

  constructor(private readonly d: ResultsServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  private load(tenantId: string, reviewId: string): Promise<Review> {
    return loadOwnReview(this.d.store, tenantId, reviewId);
  }

  private rubricOf(review: Review): Rubric {
    return rubricFor(this.d.rubrics, review);
  }

  async results(actorIn: Actor, input: unknown): Promise<ReviewResults> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(z.object({ reviewId: idString }), input);
    return this.resultsOf(await this.access.review(actor, reviewId, 'review.read'));
  }

  /** Results of a review already known to belong to the caller's tenant (e.g. from a signed dashboard link). */
  async resultsOf(review: Review): Promise<ReviewResults> {
    const rubric = this.rubricOf(review);
    const closedRounds = new Set(review.polls.flatMap((p) => p.rounds.map((r) => r.round)));
    const [district, members, all, votes, reflections, actions, plans] = await Promise.all([
      this.d.store.districts.get(review.tenantId, review.districtId),
      this.d.store.members.list(review.tenantId, review.districtId),
      this.d.store.reviews.listByDistrict(review.tenantId, review.districtId),
      Promise.all([...closedRounds].map((r) => this.d.store.votes.listRound(review.id, r))),
      this.d.store.reflections.list(review.id),
      this.d.store.actions.listByDistrict(review.tenantId, review.districtId),
      this.plansOf(review.tenantId, review.districtId),
    ]);
    const previous =
      all
        .filter(
          (r) =>
            r.id !== review.id &&
            r.rubricId === review.rubricId &&
            r.createdAt.getTime() < review.createdAt.getTime(),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
    const names = new Map(members.map((m) => [m.memberId, m.displayName || m.memberId]));
    const [activity1, smallGroups] = await Promise.all([
      activity1Report(this.d.store, review, rubric, names),
      groupsReport(this.d.store, review, rubric),
    ]);
    const results = buildResults({
      review,
      rubric,
      districtName: district?.name ?? review.districtId,
      members,
      votes: votes.flat(),
      previous,
      reflections,
      actions: sortActions(
        actions.filter((a) => a.reviewId === review.id),
        rubric.rows.map((r) => r.id),
      ).map((a) => actionView(a, rubric, namesOf(members), zoneOf(district))),
      timezone: zoneOf(district),
      plans,
    });
    // Only when there is one: the results of a review without Activity 1 or groups read as before.
    return { ...results, ...(activity1 ? { activity1 } : {}), ...(smallGroups ? { smallGroups } : {}) };
  }

  /**
   * The district's action plans as they stand (every building's latest template and the district's), for the
   * exports and the dashboard; null when no rubric of this server has a "Maintaining Balance" table. Read with the
   * review's or the dashboard's access: `plan.review` allows the same people as `review.read`.
   */
  private async plansOf(tenantId: string, districtId: string): Promise<PlansReport | null> {
    const content = this.d.rubrics.list().find((r) => r.balance)?.balance;
    if (!content) return null;
    const [district, buildings, versions] = await Promise.all([
      this.d.store.districts.get(tenantId, districtId),
      this.d.store.nudges.buildings.list(tenantId, districtId),
      this.d.store.plans.listDistrict(tenantId, districtId),
    ]);
    return buildPlansReport(
      content,
      { name: district?.name ?? districtId },
      buildings.map((b) => ({ id: b.id, name: b.name })),
      versions,
    );
  }

  async export(actorIn: Actor, input: unknown): Promise<ExportFile> {
    const i = parseInput(
      z.object({
        reviewId: idString,
        format: z.enum(['csv', 'json', 'md'], { error: 'must be csv, json or md' }),
      }),
      input,
    );
    return exportResults(await this.results(actorIn, { reviewId: i.reviewId }), i.format);
  }

  /**
   * Keeps a member's answer to one reflection question on a rated row (one answer per member and question; a
   * new answer replaces the member's earlier one).
   */
  async answerReflection(actorIn: Actor, input: unknown): Promise<RowResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(reflectionInput, input);
    const review = await this.access.review(actor, i.reviewId, 'review.reflect');
    const rubric = this.rubricOf(review);
    const poll = review.polls.find((p) => p.rowId === i.rowId);
    if (!poll) throw new DomainError('unknown-row', `This review has no rubric row "${i.rowId}".`);
    if (i.question > rubric.reflectionQuestions.length) {
      throw new DomainError(
        'invalid-input',
        `There are ${rubric.reflectionQuestions.length} reflection questions: choose 1 to ${rubric.reflectionQuestions.length}.`,
        { question: 'out of range' },
      );
    }
    if (!poll.outcome) {
      throw new DomainError(
        'invalid-state',
        'This row has no rating yet: reflect on it once the team has settled its rating.',
      );
    }
    await this.d.store.reflections.put(review.id, {
      rowId: i.rowId,
      question: i.question,
      memberId: actor.userId,
      text: i.answer,
      at: this.d.clock.now(),
    });
    const results = await this.resultsOf(review);
    return results.rows.find((r) => r.rowId === i.rowId) as RowResult;
  }

  /** The dashboard of one district; the caller must already hold access to (tenantId, districtId). */
  async dashboard(tenantId: string, districtId: string): Promise<Dashboard> {
    const district = await this.d.store.districts.get(tenantId, districtId);
    if (!district) throw new DomainError('unknown-district', 'That district does not exist here.');
    const [reviews, actions, members, plans] = await Promise.all([
      this.d.store.reviews.listByDistrict(tenantId, districtId),
      this.d.store.actions.listByDistrict(tenantId, districtId),
      this.d.store.members.list(tenantId, districtId),
      this.plansOf(tenantId, districtId),
    ]);
    return {
      ...buildDashboard(district, reviews, this.d.rubrics),
      actions: buildActionsView(
        district.name,
        actions,
        (id) => this.d.rubrics.get(id),
        members,
        district.timezone,
      ),
      plans,
    };
  }

  /** A review of the given district, refused as unknown when it belongs to another district or tenant. */
  async reviewOfDistrict(tenantId: string, districtId: string, reviewId: string): Promise<Review> {
    const review = await this.load(tenantId, parseInput(idString, reviewId));
    if (review.districtId !== districtId) {
      throw new DomainError('unknown-review', 'That review does not exist here (it may have been removed).');
    }
    return review;
  }
}
