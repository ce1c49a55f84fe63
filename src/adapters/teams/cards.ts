import { type Activity, CardFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { CommandResult } from '../../app/commands';
import type { KeyValueRepo } from '../../app/ports';
import { PollDraws } from '../../app/reviews/pollDraws';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { ReviewView } from '../../app/reviews/views';
import { hasBlock, link, plain, rich } from '../../app/text';
import { renderActivity1Card } from '../cards/activity1Card';
import { renderComparisonCard } from '../cards/groupCards';
import { renderMessageCard } from '../cards/messageCard';
import { renderPlanCard } from '../cards/planCard';
import { type AdaptiveCard, renderPollCard, renderResultsCard, renderStatusCard } from '../cards/render';
import { toTeamsMarkdown } from '../cards/teamsText';
import { DeadlineError, withDeadline } from '../deadline';
import type { OwedMarks } from '../owedRedraws';
import type { TeamsIdentity } from './activity';
import { KV } from './directory';
import { TeamsGroupThreads } from './groupThreads';
import type { TeamsOutbox } from './outbox';
import { channelReference, replyReference, type TeamsRoster } from './roster';

interface StoredPollCard {
  tenantId: string;
  channelId: string;
  activityId: string;
}

const BOT_ACTOR_ID = 'teams-bot';

export function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(card)] };
}

/**
 * What the bot posts in a conversation: the reply to a command (text, a file as a link, status and results cards,
 * a review's poll cards) and the shared poll cards it keeps up to date (at most once per interval per card, always
 * drawn from the latest stored state).
 */
export class PollCards {
  /**
   * Each card in hand: its pending update (`timer`, `run`), whether a vote is still to be drawn, when it was last
   * drawn, and `linger`: kept one interval after a drawn update, so that a later vote's update keeps the pace.
   */
  private readonly cardTimers = new Map<
    string,
    {
      timer: NodeJS.Timeout | null;
      dirty: boolean;
      last: number;
      run: (() => void) | null;
      linger: NodeJS.Timeout | null;
    }
  >();
  /** Set by `flush`: cards are redrawn at once, without waiting for their interval. */
  private flushing = false;
  private readonly pendingCardUpdates = new Set<Promise<unknown>>();
  /** The small groups' own conversations of poll cards (./groupThreads.ts), redrawn with the team's card. */
  readonly groups: TeamsGroupThreads;
  /** The polls of a review redrawn together share their reads (../../app/reviews/pollDraws.ts). */
  private readonly draws: PollDraws;

  constructor(
    private readonly o: {
      kv: KeyValueRepo;
      service: ReviewService;
      outbox: TeamsOutbox;
      roster: TeamsRoster;
      updateInterval: number;
      log: (message: string, error?: unknown) => void;
      /**
       * Durable marks of the cards this process has in hand (../owedRedraws.ts): written when a card is taken in
       * hand, removed when it is let go drawn, so that another process draws them if this one dies.
       */
      owed?: OwedMarks;
    },
  ) {
    this.groups = new TeamsGroupThreads(o);
    this.draws = new PollDraws(o.service);
  }

  /** Posts what a command's result calls for, in reply to the turn (and poll cards in the channel). */
  async afterCommand(ctx: TurnContext, who: TeamsIdentity, r: CommandResult): Promise<void> {
    const send = (a: Partial<Activity>) => this.o.outbox.send(replyReference(ctx), a);
    switch (r.kind) {
      case 'text': {
        // A table or buttons need a card (a message's markdown cannot hold them). `groups compare`: the comparison
        // card attached to the reply itself (one message: the text, then the card).
        const reply: Partial<Activity> = hasBlock(r.text, ['table', 'actions'])
          ? cardActivity(renderMessageCard(r.text))
          : { type: 'message', text: toTeamsMarkdown(r.text) };
        await send(
          r.comparison
            ? {
                ...reply,
                attachments: [
                  ...(reply.attachments ?? []),
                  CardFactory.adaptiveCard(renderComparisonCard(r.comparison)),
                ],
              }
            : reply,
        );
        if (r.redraw) {
          const { reviewId, rowIds } = r.redraw;
          for (const rowId of rowIds) this.scheduleUpdate(who.tenantId, reviewId, rowId, true);
        }
        // Small groups: each group's own conversation of polls in the channel.
        if (r.groupThreads?.groups.some((g) => g.polls.length)) {
          // Off the turn (a split of 10 groups is 70 posts): idle() waits for it like for a card update.
          const threads = r.groupThreads;
          const channel = channelReference(ctx, who);
          const reply = replyReference(ctx); // the turn's context is gone by the time this runs
          const p = this.groups
            .post(who.tenantId, channel, threads)
            .catch(async (e) => {
              this.o.log("posting the small groups' polls failed", e);
              await this.o.outbox.send(reply, {
                type: 'message',
                text: "I could not post the small groups' polls in this channel: the groups are set, and every vote on the team's polls records its group.",
              });
            })
            .catch((e) => this.o.log('telling the coordinator failed', e))
            .finally(() => this.pendingCardUpdates.delete(p));
          this.pendingCardUpdates.add(p);
        }
        return;
      }
      case 'help':
      case 'reviews':
        // A table or buttons need a card (a message's markdown cannot hold them); lists are markdown lists.
        await send(
          hasBlock(r.text, ['table', 'actions'])
            ? cardActivity(renderMessageCard(r.text))
            : { type: 'message', text: toTeamsMarkdown(r.text) },
        );
        return;
      case 'file': {
        // Teams bots cannot upload files into a channel: post a signed download link, and the content inline
        // when it is small enough to read there.
        const download = r.url
          ? toTeamsMarkdown(rich`\n\n${link(r.url, `Download ${r.filename}`)} (private link)`)
          : '';
        // The file's text stays inside its code block: no fence in it can close the block early.
        const body =
          r.content.length <= 20_000
            ? `${download}\n\n\`\`\`\n${r.content.replace(/```/g, '`\u200b``')}\n\`\`\``
            : download || '\n\nThe file is too large to post in Teams: use the web dashboard to download it.';
        await send({
          type: 'message',
          text: `${toTeamsMarkdown(rich`${r.message} (${plain(r.filename)})`)}${body}`,
        });
        return;
      }
      case 'activity1':
        // Posted: the card for everyone in the channel to pick on; results: the spread and reasons as text.
        await send({ type: 'message', text: toTeamsMarkdown(r.message) });
        if (r.action === 'posted') await send(cardActivity(renderActivity1Card(r.activity)));
        return;
      case 'plan':
        // The plan as text; the form (a card with inputs) for whoever may save it.
        await send({ type: 'message', text: toTeamsMarkdown(r.message) });
        if (r.plan.canSave) await send(cardActivity(renderPlanCard(r.plan)));
        return;
      case 'review':
        break;
    }
    const view = r.review;
    // Results come with a table: a card then (a message's markdown cannot hold one).
    await send(
      hasBlock(r.message, ['table', 'actions'])
        ? cardActivity(renderMessageCard(r.message))
        : { type: 'message', text: toTeamsMarkdown(r.message) },
    );
    switch (r.action) {
      case 'started':
        await this.postPolls(who.tenantId, channelReference(ctx, who), view);
        return;
      case 'archived':
      case 'unarchived':
        return; // no poll changes: the message says it
      case 'status':
        await send(cardActivity(renderStatusCard(view)));
        return;
      case 'results':
        await send(cardActivity(renderResultsCard(view)));
        return;
      case 'closed':
      case 'decided':
      case 'next-round':
      case 'cancelled':
      case 'deadline':
        // Cancelled: the polls are redrawn without their vote buttons; no results card (nothing was settled).
        for (const p of view.polls) this.scheduleUpdate(who.tenantId, view.reviewId, p.rowId, true);
        if (r.action === 'closed' || r.action === 'decided')
          await send(cardActivity(renderResultsCard(view)));
        return;
    }
  }

  /** Posts one poll card per rubric row and remembers each card's activity id for later updates. */
  async postPolls(
    tenantId: string,
    reference: Partial<ConversationReference>,
    view: ReviewView,
  ): Promise<void> {
    const channelId = view.channelId;
    const refreshIds = await this.o.roster.refreshIds(tenantId, channelId);
    for (const poll of view.polls) {
      const res = await this.o.outbox.send(
        reference,
        cardActivity(renderPollCard(poll, { refreshUserIds: refreshIds })),
      );
      if (res?.id) {
        await this.o.kv.put(KV.pollCard, `${view.reviewId}|${poll.rowId}`, {
          tenantId,
          channelId,
          activityId: res.id,
        } satisfies StoredPollCard);
      }
    }
  }

  /** Redraws the shared (non-personal) card of one poll: at most once per interval, always the latest state. */
  scheduleUpdate(tenantId: string, reviewId: string, rowId: string, immediate = false): void {
    const key = `${reviewId}|${rowId}`;
    let t = this.cardTimers.get(key);
    if (!t) {
      t = { timer: null, dirty: false, last: 0, run: null, linger: null };
      this.cardTimers.set(key, t);
      void this.o.owed?.owe(key, tenantId);
    }
    if (t.linger) clearTimeout(t.linger);
    t.linger = null;
    const state = t;
    state.dirty = true;
    if (state.timer) return;
    const delay =
      immediate || this.flushing ? 0 : Math.max(0, state.last + this.o.updateInterval - Date.now());
    state.run = () => {
      state.timer = null;
      state.run = null;
      state.dirty = false;
      state.last = Date.now();
      const p = Promise.all([
        this.updateCard(tenantId, reviewId, rowId),
        this.groups.update(tenantId, reviewId, rowId),
      ])
        .catch((e) => this.o.log(`updating the card of ${key} failed`, e))
        .finally(() => {
          this.pendingCardUpdates.delete(p);
          // The interval counts from the answer too: an update that waited in the conversation's send queue is
          // not followed by another less than an interval after it reached Teams.
          state.last = Date.now();
          if (state.dirty) this.scheduleUpdate(tenantId, reviewId, rowId);
          else if (!state.timer) {
            // Drawn: kept one interval (a later vote's update waits for the pace), then let go.
            state.linger = setTimeout(() => {
              state.linger = null;
              if (state.dirty || state.timer || this.cardTimers.get(key) !== state) return;
              this.cardTimers.delete(key);
              void this.o.owed?.paid(key);
            }, this.o.updateInterval);
          }
        });
      this.pendingCardUpdates.add(p);
    };
    state.timer = setTimeout(state.run, delay);
  }

  /**
   * Before the process stops: redraws now every shared card still waiting for its interval (stopped, the process
   * would drop the update: without `owed` marks nobody would draw it, the card showing an old count until someone
   * votes on it again; with them another process would, but only after POLL_REDRAW_ADOPT_SECONDS), then waits for
   * the sends. True once done; false if `timeoutMs` passed first.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.flushing = true;
    for (const t of this.cardTimers.values()) {
      if (!t.timer || !t.run) continue;
      clearTimeout(t.timer);
      t.run();
    }
    return withDeadline(this.idle(), timeoutMs).then(
      () => true,
      (e: unknown) => {
        if (e instanceof DeadlineError) return false;
        throw e;
      },
    );
  }

  /** Resolves when every queued send and pending card update has finished. */
  async idle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const timers = [...this.cardTimers.values()].filter((t) => t.timer);
      if (!timers.length && !this.pendingCardUpdates.size) {
        await this.o.outbox.idle();
        if (!this.pendingCardUpdates.size && ![...this.cardTimers.values()].some((t) => t.timer)) return;
      }
      await Promise.all([...this.pendingCardUpdates]);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * A card a process that died owed a redraw (../owedRedraws.ts: `key` as `scheduleUpdate` names it): redrawn now
   * from the latest stored state.
   */
  adopt(tenantId: string, key: string): void {
    const [reviewId, rowId, ...rest] = key.split('|');
    if (reviewId && rowId && !rest.length) this.scheduleUpdate(tenantId, reviewId, rowId, true);
  }

  /** Stops every timer; the cards drawn are let go, those still owed a redraw stay marked for another process. */
  stop(): void {
    for (const [key, t] of this.cardTimers) {
      if (t.timer) clearTimeout(t.timer);
      if (t.linger) {
        clearTimeout(t.linger);
        if (!t.dirty && !t.timer) void this.o.owed?.paid(key);
      }
    }
    this.cardTimers.clear();
  }

  private async updateCard(tenantId: string, reviewId: string, rowId: string): Promise<void> {
    const posted = await this.o.kv.get<StoredPollCard>(KV.pollCard, `${reviewId}|${rowId}`);
    if (!posted || posted.tenantId !== tenantId) return; // posted elsewhere (e.g. Slack) or not at all
    const stored = await this.o.outbox.conversation(tenantId, posted.channelId);
    if (!stored) return;
    // The bot redraws the card it posted in that channel.
    const view = await this.draws.draw(
      { tenantId, userId: BOT_ACTOR_ID, channelId: posted.channelId, conversation: 'channel' },
      reviewId,
      rowId,
    );
    const refreshIds = await this.o.roster.refreshIds(tenantId, posted.channelId);
    const card = renderPollCard(view, { refreshUserIds: refreshIds });
    await this.o.outbox.send(stored.reference, cardActivity(card), { replaceId: posted.activityId });
  }
}
