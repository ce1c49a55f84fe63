import type { App } from '@slack/bolt';
import { CHANNELS_NS, SLASH_COMMAND } from '../../constants';
import { commandTextFromSlack } from '../../mrkdwn';
import { slackReminders } from '../../reminders';
import { errorReply } from '../../replies';
import type { ListenerContext } from '../context';

/** `/micip …`: the shared command language (src/app/commands.ts), answered privately or in the channel. */
export function registerMicip(app: App, ctx: ListenerContext): void {
  const { asker, commands, kv, present, ephemeral, log, outbound } = ctx;
  app.command(SLASH_COMMAND, async ({ ack, command, client, respond }) => {
    await ack();
    const channelId = command.channel_id;
    const actor = asker.actor(client, {
      teamId: command.team_id,
      userId: command.user_id,
      displayName: command.user_name ?? '',
      channelId,
      channelName: command.channel_name,
    });
    try {
      const result = await commands.run(
        {
          actor,
          channelId,
          people: asker.people(client, command.team_id),
          channelMembers: asker.channelMembers(client, command.team_id),
          reminders: slackReminders(client, log, outbound),
        },
        commandTextFromSlack(command.text ?? ''),
      );
      // App Home lists the districts of the channels where setup ran.
      if (/^\s*setup\b/i.test(command.text ?? '')) {
        await kv.put(`${CHANNELS_NS}:${command.team_id}`, channelId, {
          tenantId: command.team_id,
          channelId,
        });
      }
      await present(client, actor, channelId, result, respond);
    } catch (e) {
      await ephemeral(
        client,
        command.team_id,
        channelId,
        command.user_id,
        errorReply(e, 'command', log),
        respond,
      );
    }
  });
}
