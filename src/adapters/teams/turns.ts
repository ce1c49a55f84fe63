import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { CommandResult } from '../../app/commands';
import { teamsUserText } from '../cards/teamsText';
import { commandLine, type IncomingActivity, type TeamsIdentity } from './activity';
import { type TurnDeps, userMessage } from './context';
import { runAction, submitValue } from './invokes';
import { teamsReminders } from './reminders';
import { channelReference, replyReference } from './roster';

/** What a reply's `command` button sends (Action.Submit data). */
const commandButton = z.object({ verb: z.literal('command'), payload: z.string().min(1).max(1900) }).loose();

/**
 * The bot was added to or removed from a conversation, or people joined: remember (or forget) where to post and
 * who is there, note who installed the app, and say hello the first time.
 */
export async function onConversationUpdate(
  d: TurnDeps,
  ctx: TurnContext,
  a: IncomingActivity,
  who: TeamsIdentity,
): Promise<void> {
  const removed =
    (a.type === 'installationUpdate' && a.action?.startsWith('remove')) ||
    (a.membersRemoved ?? []).some((m) => m.id === a.recipient?.id);
  if (removed) {
    await d.directory.forgetConversation(who.tenantId, who.channelId);
    return;
  }
  const reference = channelReference(ctx, who);
  const now = d.clock?.now() ?? new Date();
  const saved = await d.directory.saveConversation(who.tenantId, who.channelId, reference, now);
  const humans = (a.membersAdded ?? []).filter((m) => m.id !== a.recipient?.id).slice(0, 2000);
  if (humans.length)
    await d.roster.remember(
      who.tenantId,
      who.channelId,
      humans.map((m) => [m.aadObjectId ?? m.id, m.id]),
      false,
    );
  const botAdded =
    (a.type === 'installationUpdate' && (a.action ?? 'add').startsWith('add')) ||
    (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id);
  // Whoever adds the app to a team (or chat) is its installer there: they may set up district teams in it.
  if (botAdded) await d.roster.saveInstaller(who);
  if (botAdded && saved.added) {
    await d.outbox.send(reference, {
      type: 'message',
      text: 'Hello! I run MICIP collaboration reviews here. Mention me with **help** to see what you can do.',
    });
  }
}

/** A message: a command for the bot (or an Action.Submit from a client without Universal Actions). */
export async function onMessage(
  d: TurnDeps,
  ctx: TurnContext,
  a: IncomingActivity,
  who: TeamsIdentity,
): Promise<void> {
  await d.roster.remember(who.tenantId, who.channelId, [[who.userId, who.channelUserId]], true);
  // A channel where the bot was mentioned but whose install event we missed still becomes reachable.
  const now = d.clock?.now() ?? new Date();
  await d.directory.saveConversation(
    who.tenantId,
    who.channelId,
    channelReference(ctx, who),
    now,
    'ifAbsent',
  );
  const reply = replyReference(ctx);
  const answer = (e: unknown) =>
    d.outbox.send(reply, { type: 'message', text: teamsUserText(userMessage(d, e)) });
  // A reply's `command` button (the message model's actions, cards/messageCard.ts): its payload is the command line.
  const button = commandButton.safeParse(a.value);
  if (a.value !== undefined && a.value !== null && !a.text && !button.success) {
    // Action.Submit fallback from a client without Universal Actions.
    const parsed = submitValue.safeParse(a.value);
    if (!parsed.success) {
      await d.outbox.send(reply, {
        type: 'message',
        text: 'That card action is not valid: nothing was recorded.',
      });
      return;
    }
    try {
      await runAction(d, who, parsed.data);
    } catch (e) {
      await answer(e);
    }
    return;
  }
  let known: Map<string, string>;
  try {
    known = await d.roster.resolveMentions(ctx, a, who);
  } catch (e) {
    await answer(e);
    return;
  }
  const line = button.success ? button.data.payload : commandLine(a, known);
  let result: CommandResult;
  try {
    result = await d.commands.run(
      {
        actor: d.roster.actorOf(who),
        channelId: who.channelId,
        people: d.roster.people(a, known),
        channelMembers: d.roster.channelMembers(ctx, who),
        reminders: teamsReminders(d.outbox, d.roster),
      },
      line || 'help',
    );
  } catch (e) {
    await answer(e);
    return;
  }
  await d.cards.afterCommand(ctx, who, result);
}
