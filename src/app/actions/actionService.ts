import { z } from 'zod';
import { type ActionItem, completeAction, createAction } from '../../domain/action';
import { isActiveMember } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import type { Review } from '../../domain/review';
import { Access } from '../policy';
import type { Clock, IdGenerator, RubricCatalog, Store } from '../ports';
import { rubricFor } from '../reviews/lookups';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { type ActionsView, type ActionView, actionView, buildActionsView, namesOf } from './actionViews';

export interface ActionServiceDeps {
  store: Store;
  rubrics: RubricCatalog;
  clock: Clock;
  ids: IdGenerator;
}

const addInput = z.object({
  reviewId: idString,
  /** A row by number (1-based) or id. */
  row: z.union([z.number().int(), idString]),
  /** The action's text; or `fromMemberId`: that member's answer to the review's last reflection question. */
  text: z.string({ error: 'must be text' }).max(100_000, 'is far too long').optional(),
  fromMemberId: idString.optional(),
  ownerId: idString,
  due: z.string({ error: 'must be a date' }).max(100),
  target: z.coerce.number({ error: 'must be a number' }),
});

const notHere = (id: string) =>
  new DomainError(
    'invalid-input',
    `There is no action "${id.slice(0, 40)}" for this district. Say "actions" to see them with their ids.`,
  );

/**
 * Actions that come back: a coordinator adds an action to a rated row (typed, or a member's reflection answer),
 * assigned to a member with a due date and a target level; the owner or a coordinator marks it done; everyone who
 * reads the district sees them (`actions`, the dashboard, exports, the next cycle's poll of the row).
 */
export class ActionService {
  private readonly access: Access;

  constructor(private readonly d: ActionServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  /** `action add`: a new open action on a row of the review. */
  async add(actorIn: Actor, input: unknown): Promise<ActionView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(addInput, input);
    const review = await this.access.review(actor, i.reviewId, 'action.manage');
    const rubric = rubricFor(this.d.rubrics, review);
    const index = typeof i.row === 'number' ? i.row - 1 : rubric.rows.findIndex((r) => r.id === i.row);
    const row = rubric.rows[index];
    if (!row || !review.polls.some((p) => p.rowId === row.id)) {
      throw new DomainError(
        'unknown-row',
        `Name a row of this review by number (1-${rubric.rows.length}). Nothing was saved.`,
      );
    }
    const [district, owner] = await Promise.all([
      this.d.store.districts.get(review.tenantId, review.districtId),
      this.d.store.members.get(review.tenantId, review.districtId, i.ownerId),
    ]);
    if (!district) throw notSetUp();
    if (!owner || !isActiveMember(owner)) {
      throw new DomainError(
        'not-member',
        'The owner must be on this district team\'s roster (a coordinator adds them with "roster add @person"). Nothing was saved.',
      );
    }
    const { text, source } = await this.textOf(review, row.id, rubric.reflectionQuestions.length, i);
    const action = createAction(
      {
        id: this.d.ids.next('ac'),
        tenantId: review.tenantId,
        districtId: review.districtId,
        reviewId: review.id,
        cycle: review.cycle,
        rubricId: review.rubricId,
        rowId: row.id,
        text,
        ownerId: owner.memberId,
        ownerName: owner.displayName,
        due: i.due,
        target: i.target,
        source,
        createdBy: actor.userId,
      },
      this.d.clock.now(),
      district.timezone,
    );
    await this.d.store.actions.create(action);
    const members = await this.d.store.members.list(review.tenantId, review.districtId);
    return actionView(action, rubric, namesOf(members), district.timezone);
  }

  /** `action done <id>`: the owner or a coordinator marks an action of the channel's district done. */
  async complete(actorIn: Actor, input: unknown): Promise<ActionView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(z.object({ channelId: idString, actionId: idString }), input);
    const district = await this.districtOf(actor, i.channelId);
    // Outsiders learn nothing: the read rule first (it answers like a missing district's review).
    await this.access.enforce(actor, 'action.read', district);
    const action = await this.d.store.actions.get(district.tenantId, district.id, i.actionId);
    if (!action) throw notHere(i.actionId);
    await this.access.enforce(actor, 'action.complete', district, { actionOwnerId: action.ownerId });
    const done = completeAction(action, actor.userId, this.d.clock.now());
    if (!(await this.d.store.actions.complete(done))) {
      throw new DomainError('invalid-state', 'That action was already marked done.');
    }
    const members = await this.d.store.members.list(district.tenantId, district.id);
    return actionView(done, this.d.rubrics.get(done.rubricId), namesOf(members), district.timezone);
  }

  /** `actions`: the channel's district's actions by row, open and done. */
  async list(actorIn: Actor, input: unknown): Promise<ActionsView> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(z.object({ channelId: idString }), input);
    const district = await this.districtOf(actor, channelId);
    await this.access.enforce(actor, 'action.read', district);
    return this.viewOfDistrict(district.tenantId, district.id, district.name, district.timezone);
  }

  /** The district's actions; the caller must already hold access to it (e.g. a signed dashboard link). */
  async viewOfDistrict(
    tenantId: string,
    districtId: string,
    districtName: string,
    timezone: string,
  ): Promise<ActionsView> {
    const [actions, members] = await Promise.all([
      this.d.store.actions.listByDistrict(tenantId, districtId),
      this.d.store.members.list(tenantId, districtId),
    ]);
    return buildActionsView(districtName, actions, (id) => this.d.rubrics.get(id), members, timezone);
  }

  // ---------- helpers ----------

  private async textOf(
    review: Review,
    rowId: string,
    actionsQuestion: number,
    i: z.infer<typeof addInput>,
  ): Promise<{ text: string; source: ActionItem['source'] }> {
    if (i.fromMemberId === undefined) return { text: i.text ?? '', source: { kind: 'direct' } };
    if (i.text?.trim()) {
      throw new DomainError(
        'invalid-input',
        'Give the action either as text in quotes or as from=@person (their reflection answer), not both. Nothing was saved.',
      );
    }
    const answers = await this.d.store.reflections.list(review.id);
    const answer = answers.find(
      (a) => a.rowId === rowId && a.question === actionsQuestion && a.memberId === i.fromMemberId,
    );
    if (!answer) {
      throw new DomainError(
        'invalid-input',
        `That person has not answered reflection question ${actionsQuestion} (actions) on this row. Nothing was saved.`,
      );
    }
    return {
      text: answer.text,
      source: { kind: 'reflection', question: answer.question, memberId: answer.memberId },
    };
  }

  private async districtOf(actor: { tenantId: string; channelId?: string | undefined }, channelId: string) {
    const d =
      actor.channelId && actor.channelId !== channelId
        ? null
        : await this.d.store.districts.findByChannel(actor.tenantId, channelId);
    if (!d) throw notSetUp();
    return d;
  }
}
