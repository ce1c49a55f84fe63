import { z } from 'zod';
import { type Activity1, type Activity1Content, checkPick, startsNew } from '../../domain/activity1';
import type { District } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import type { Rubric } from '../../domain/rubric';
import { Access } from '../policy';
import type { Clock, IdGenerator, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { type Activity1View, buildActivity1View } from './activity1View';

export interface Activity1ServiceDeps {
  store: Store;
  rubrics: RubricCatalog;
  clock: Clock;
  ids: IdGenerator;
}

const DEFAULT_RUBRIC = 'culture-of-collaboration';

const startInput = z.object({ channelId: idString, rubricId: idString.default(DEFAULT_RUBRIC) });
const answerInput = z.object({
  activityId: idString,
  // Numbers from a card's ChoiceSet arrive as strings; the domain checks the range.
  outcome: z.coerce.number({ error: 'must be a number' }),
  // Length and emptiness are checked by the domain, with a message that says what to do.
  reason: z.string({ error: 'must be text' }).max(100_000, 'is far too long'),
});

const noActivity = () =>
  new DomainError(
    'invalid-state',
    'This district has no Activity 1 yet. A coordinator can start it with the "activity1" command.',
  );
const notHere = () =>
  new DomainError(
    'invalid-state',
    "That Activity 1 card does not belong to this channel's district team (or it was removed). Nothing was saved.",
  );

/**
 * The toolkit's Activity 1 for a district: one per cycle. It is started (or posted again) by a coordinator before
 * the cycle's review, each person picks the learner outcome that most resonates with them and says why, and
 * `review start` shows the team's spread before round 1 and attaches the Activity 1 to that review — the next
 * `activity1` then starts the next cycle's.
 */
export class Activity1Service {
  private readonly access: Access;

  constructor(private readonly d: Activity1ServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  /** `activity1`: the district's current Activity 1, started if there is none for the coming review. */
  async start(actorIn: Actor, input: unknown): Promise<Activity1View> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(startInput, input);
    const district = await this.districtOf(actor, i.channelId);
    await this.access.enforce(actor, 'activity1.start', district);
    const rubric = this.rubric(i.rubricId);
    const content = this.contentOf(rubric);
    let activity = await this.d.store.activity1.latest(actor.tenantId, district.id);
    if (startsNew(activity)) {
      activity = {
        id: this.d.ids.next('a1'),
        tenantId: actor.tenantId,
        districtId: district.id,
        channelId: district.channelId,
        rubricId: rubric.id,
        startedAt: this.d.clock.now(),
        startedBy: actor.userId,
        reviewId: null,
      };
      await this.d.store.activity1.create(activity);
    }
    return this.viewOf(district, activity as Activity1, content, actor.userId, true);
  }

  /** A person's pick on the card: the outcome and why (re-picking replaces). Returns their refreshed view. */
  async answer(actorIn: Actor, input: unknown): Promise<Activity1View> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(answerInput, input);
    const { district, activity } = await this.activityInChannel(actor, i.activityId);
    await this.access.enforce(actor, 'activity1.answer', district);
    const content = this.contentOf(this.rubric(activity.rubricId));
    const pick = checkPick(content.learnerOutcomes.length, i.outcome, i.reason);
    await this.d.store.activity1.putPick(activity.id, {
      memberId: actor.userId,
      displayName: actor.displayName,
      ...pick,
      at: this.d.clock.now(),
    });
    return this.viewOf(district, activity, content, actor.userId, true);
  }

  /** One Activity 1 as the asker sees it (a card's refresh), asked from the district's channel. */
  async view(actorIn: Actor, input: unknown): Promise<Activity1View> {
    const actor = parseInput(actorSchema, actorIn);
    const { activityId } = parseInput(z.object({ activityId: idString }), input);
    const { district, activity } = await this.activityInChannel(actor, activityId);
    const s = await this.access.enforce(actor, 'district.read', district);
    return this.viewOf(
      district,
      activity,
      this.contentOf(this.rubric(activity.rubricId)),
      actor.userId,
      s.inChannel,
    );
  }

  /** `activity1 results`: the district's latest Activity 1, its spread and reasons (names in its own channel). */
  async results(actorIn: Actor, input: unknown): Promise<Activity1View> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(z.object({ channelId: idString }), input);
    const district = await this.districtOf(actor, channelId);
    const s = await this.access.enforce(actor, 'district.read', district);
    const activity = await this.d.store.activity1.latest(actor.tenantId, district.id);
    if (!activity) throw noActivity();
    return this.viewOf(
      district,
      activity,
      this.contentOf(this.rubric(activity.rubricId)),
      actor.userId,
      s.inChannel,
    );
  }

  /**
   * Called when a review starts in the district's channel: the Activity 1 not yet shown before a review is attached
   * to it, and its view returned when anyone has picked (null otherwise: nothing to show).
   */
  async beforeReview(actorIn: Actor, input: unknown): Promise<Activity1View | null> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(z.object({ channelId: idString, reviewId: idString }), input);
    const district = await this.districtOf(actor, i.channelId);
    const s = await this.access.enforce(actor, 'review.manage', district);
    const activity = await this.d.store.activity1.latest(actor.tenantId, district.id);
    if (!activity || activity.reviewId !== null) return null;
    const rubric = this.d.rubrics.get(activity.rubricId);
    if (!rubric?.activity1) return null;
    await this.d.store.activity1.save({ ...activity, reviewId: i.reviewId });
    const view = await this.viewOf(district, activity, rubric.activity1, actor.userId, s.inChannel);
    return view.total > 0 ? view : null;
  }

  // ---------- helpers ----------

  private async districtOf(actor: { tenantId: string; channelId?: string | undefined }, channelId: string) {
    const d =
      actor.channelId && actor.channelId !== channelId
        ? null
        : await this.d.store.districts.findByChannel(actor.tenantId, channelId);
    if (!d) {
      throw notSetUp();
    }
    return d;
  }

  /** The Activity 1 of the district whose channel the actor asks from; anything else reads as "not here". */
  private async activityInChannel(
    actor: { tenantId: string; channelId?: string | undefined },
    activityId: string,
  ): Promise<{ district: District; activity: Activity1 }> {
    const district = actor.channelId
      ? await this.d.store.districts.findByChannel(actor.tenantId, actor.channelId)
      : null;
    const activity = district
      ? await this.d.store.activity1.get(actor.tenantId, district.id, activityId)
      : null;
    if (!district || !activity) throw notHere();
    return { district, activity };
  }

  private rubric(id: string): Rubric {
    const rubric = this.d.rubrics.get(id);
    if (!rubric) throw new DomainError('invalid-input', `There is no rubric "${id}" on this server.`);
    return rubric;
  }

  private contentOf(rubric: Rubric): Activity1Content {
    if (!rubric.activity1) {
      throw new DomainError(
        'invalid-state',
        `The rubric "${rubric.title}" has no Activity 1 (learner outcomes).`,
      );
    }
    return rubric.activity1;
  }

  private async viewOf(
    district: District,
    activity: Activity1,
    content: Activity1Content,
    viewerId: string,
    showNames: boolean,
  ): Promise<Activity1View> {
    const [picks, members] = await Promise.all([
      this.d.store.activity1.listPicks(activity.id),
      showNames ? this.d.store.members.list(district.tenantId, district.id) : Promise.resolve([]),
    ]);
    return buildActivity1View({
      activity,
      content,
      districtName: district.name,
      picks,
      names: new Map(members.map((m) => [m.memberId, m.displayName])),
      viewerId,
      showNames,
    });
  }
}
