import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { CHANNELS_NS, SLASH_COMMAND } from '../../constants';
import { commandTextFromSlack } from '../../mrkdwn';
import { slackReminders } from '../../reminders';
import { errorReply } from '../../replies';
import type { ListenerContext } from '../context';

/** Who typed (or clicked) a command line, where, and how to answer them privately. */
export interface CommandLine {
  client: WebClient;
  teamId: string;
  userId: string;
  userName: string;
  channelId: string;
  channelName?: string | undefined;
  text: string;
  respond: RespondFn;
}

/** Runs a command line of the shared language for its sender and presents the result (or the error) to them. */
export async function runCommandLine(ctx: ListenerContext, c: CommandLine): Promise<void> {
  const { asker, commands, kv, present, ephemeral, log, outbound } = ctx;
  const { client, channelId } = c;
  const actor = asker.actor(client, {
    teamId: c.teamId,
    userId: c.userId,
    displayName: c.userName,
    channelId,
    channelName: c.channelName,
  });
  try {
    const result = await commands.run(
      {
        actor,
        channelId,
        people: asker.people(client, c.teamId),
        channelMembers: asker.channelMembers(client, c.teamId),
        reminders: slackReminders(client, log, outbound),
      },
      c.text,
    );
    // App Home lists the districts of the channels where setup ran.
    if (/^\s*setup\b/i.test(c.text)) {
      await kv.put(`${CHANNELS_NS}:${c.teamId}`, channelId, { tenantId: c.teamId, channelId });
    }
    await present(client, actor, channelId, result, c.respond);
  } catch (e) {
    await ephemeral(client, c.teamId, channelId, c.userId, errorReply(e, 'command', log), c.respond);
  }
}

const IMPORTING =
  "Reading this channel's members for the roster. The first 50 people take seconds; Slack lets an app look up about 45 more a minute, so a big channel takes a few minutes. The report follows here.";

/** `/micip …`: the shared command language (src/app/commands.ts), answered privately or in the channel. */
export function registerMicip(app: App, ctx: ListenerContext): void {
  app.command(SLASH_COMMAND, async ({ ack, command, client, respond }) => {
    // A roster import reads each person with users.info at Slack's Tier 4 pace: say so at once, the report follows.
    await ack(
      /^\s*roster\s+import\b/i.test(command.text ?? '')
        ? { response_type: 'ephemeral', text: IMPORTING }
        : undefined,
    );
    await runCommandLine(ctx, {
      client,
      teamId: command.team_id,
      userId: command.user_id,
      userName: command.user_name ?? '',
      channelId: command.channel_id,
      channelName: command.channel_name,
      text: commandTextFromSlack(command.text ?? ''),
      respond,
    });
  });
}
