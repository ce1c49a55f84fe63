import type { RespondFn, webApi } from '@slack/bolt';
import type { CommandResult } from '../../app/commands';
import type { Actor } from '../../app/schemas';
import { clip, person, rich } from '../../app/text';
import type { Logger } from '../observability/logger';
import { commandResultBlocks, fileFallbackText, LIMITS } from './blocks';
import { comparisonBlocks } from './groupBlocks';
import { toMrkdwn } from './mrkdwn';
import { cannotPost, type PollMessages } from './pollMessages';
import { type Ephemeral, slackError } from './replies';

/** Shows a command's result: a private reply, a message in the review's channel (and its polls), or a file. */
export type Present = (
  client: webApi.WebClient,
  actor: Actor,
  channelId: string,
  r: CommandResult,
  respond: RespondFn,
) => Promise<void>;

export function commandPresenter(d: { ephemeral: Ephemeral; polls: PollMessages; log: Logger }): Present {
  const { ephemeral, polls, log } = d;

  /**
   * An export as a real file in the channel (files.getUploadURLExternal → upload → files.completeUploadExternal).
   * When the upload fails (an install from before `files:write`: `missing_scope`; the app not in the channel) the
   * caller gets the file inline with what to do — the export is never lost silently.
   */
  async function postFile(
    client: webApi.WebClient,
    actor: Actor,
    channelId: string,
    r: Extract<CommandResult, { kind: 'file' }>,
    respond: RespondFn,
  ) {
    try {
      await client.files.uploadV2({
        channel_id: channelId,
        filename: r.filename,
        title: r.filename,
        content: r.content,
        initial_comment: clip(
          toMrkdwn(rich`${r.message} (requested by ${person(actor.userId)})`),
          LIMITS.sectionText,
        ),
      });
    } catch (e) {
      const code = slackError(e);
      log.warn(`Export upload failed (${code}); showing it inline`);
      await ephemeral(client, actor.tenantId, channelId, actor.userId, fileFallbackText(r, code), respond);
    }
  }

  /** Small groups: each group's thread of polls in the review's channel (after the command's reply). */
  async function presentGroups(
    client: webApi.WebClient,
    actor: Actor,
    channelId: string,
    r: Extract<CommandResult, { kind: 'text' }>,
    respond: RespondFn,
  ) {
    const redraw = r.redraw;
    if (redraw)
      for (const rowId of redraw.rowIds) polls.redraw(client, actor.tenantId, redraw.reviewId, rowId);
    if (r.groupThreads?.groups.some((g) => g.polls.length)) {
      try {
        await polls.groups.post(client, actor.tenantId, r.groupThreads);
      } catch (e) {
        await ephemeral(client, actor.tenantId, channelId, actor.userId, cannotPost(e), respond);
      }
    }
  }

  return async (client, actor, channelId, r, respond) => {
    const { text, blocks } = commandResultBlocks(r);
    if (r.kind === 'file') {
      await postFile(client, actor, channelId, r, respond);
      return;
    }
    if (r.kind === 'activity1' && r.action === 'posted') {
      // Activity 1 is the team's: its card goes to the district's channel for everyone to pick on.
      try {
        await polls.postMessage(client, actor.tenantId, {
          channel: r.activity.channelId,
          text,
          ...(blocks ? { blocks } : {}),
        });
      } catch (e) {
        await ephemeral(
          client,
          actor.tenantId,
          channelId,
          actor.userId,
          `${text}\n${cannotPost(e)}`,
          respond,
        );
      }
      return;
    }
    if (r.kind !== 'review') {
      // `groups compare`: the comparison card under the reply's text, in the same private message.
      const card = r.kind === 'text' && r.comparison ? comparisonBlocks(r.comparison) : [];
      const all = card.length
        ? [...(blocks ?? []), { type: 'divider' as const }, ...card].slice(0, LIMITS.blocksPerMessage)
        : blocks;
      await ephemeral(client, actor.tenantId, channelId, actor.userId, text, respond, all);
      if (r.kind === 'text') await presentGroups(client, actor, channelId, r, respond);
      return;
    }
    const v = r.review;
    // Archiving changes no poll: the coordinator alone is told.
    if (
      r.action === 'status' ||
      r.action === 'results' ||
      r.action === 'archived' ||
      r.action === 'unarchived'
    ) {
      await ephemeral(client, actor.tenantId, channelId, actor.userId, text, respond, blocks);
      // Polls that could not be posted before (the app was not in the channel) are posted now.
      if (r.action === 'status' && v.status === 'active') await polls.ensure(client, actor, v, respond);
      return;
    }
    try {
      await polls.postMessage(client, actor.tenantId, { channel: v.channelId, text, blocks });
    } catch (e) {
      await ephemeral(client, actor.tenantId, channelId, actor.userId, `${text}\n${cannotPost(e)}`, respond);
      if (r.action === 'started') return;
    }
    if (r.action === 'started') {
      await polls.ensure(client, actor, v, respond);
      return;
    }
    for (const p of v.polls) polls.redraw(client, actor.tenantId, v.reviewId, p.rowId);
  };
}
