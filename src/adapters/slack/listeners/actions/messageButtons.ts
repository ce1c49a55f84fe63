import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { MESSAGE_ACTION_PREFIX } from '../../messageBlocks';
import { runCommandLine } from '../commands/micip';
import { type ListenerContext, tenantOf } from '../context';

/** The buttons of a reply (the message model's actions, ./messageBlocks.ts): `micip_msg:<verb>:<n>`, `micip_open:<n>`. */
const COMMAND_BUTTON = new RegExp(`^${MESSAGE_ACTION_PREFIX}command:\\d+$`);
const LINK_BUTTON = /^micip_open:\d+$/;

/**
 * A reply's `command` button runs its payload as a command line for whoever clicks, in the channel of the message
 * (the policy decides as for a typed command); a link button's click is only acknowledged (Slack opens the link).
 */
export function registerMessageButtons(app: App, ctx: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(LINK_BUTTON, async ({ ack }) => {
    await ack();
  });
  app.action<BlockAction<ButtonAction>>(COMMAND_BUTTON, async ({ ack, body, action, client, respond }) => {
    await ack();
    const channelId = body.channel?.id;
    if (!channelId || typeof action.value !== 'string') return;
    await runCommandLine(ctx, {
      client,
      teamId: tenantOf(body),
      userId: body.user.id,
      userName: body.user.name ?? '',
      channelId,
      channelName: body.channel?.name,
      text: action.value,
      respond,
    });
  });
}
