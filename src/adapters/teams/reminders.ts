import type { ReminderMessenger } from '../../app/ports';
import { channelReminderIntro, howToVote, rowsText } from '../../app/reviews/reminderText';
import type { ReviewService } from '../../app/reviews/reviewService';
import { clip } from '../../app/text';
import type { Vote } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { teamsUserText, toTeamsMarkdown } from '../cards/teamsText';
import type { TurnDeps } from './context';
import type { TeamsOutbox } from './outbox';
import type { TeamsRoster } from './roster';

/** People mentioned in one reminder message (a long list goes out as several messages). */
const MENTIONS_PER_MESSAGE = 20;

/**
 * `remind` in Teams: one message in the district's channel that @-mentions only the people who have not voted
 * (Teams mention entities, so each of them is notified), each with the rows still waiting for them. A personal
 * 1:1 would need a proactive conversation per person (createConversation, the app reachable in personal scope)
 * that this adapter does not have; the mentions reach the same people at the cost of the channel seeing who was
 * reminded, which in a named review the polls already show ("not voted: …"). So this messenger is not private:
 * anonymous reviews are not reminded through it (the use case refuses, nothing is sent).
 * Mentions use the Teams id (MRI) the bot has seen for the person in this channel, else their Entra object id.
 */
export function teamsReminders(outbox: TeamsOutbox, roster: TeamsRoster): ReminderMessenger {
  return {
    private: false,
    async remind(place, view) {
      const mris = await roster.teamsIds(place.tenantId, place.channelId);
      const unreachable: string[] = [];
      let sent = 0;
      for (let i = 0; i < view.reminders.length; i += MENTIONS_PER_MESSAGE) {
        const chunk = view.reminders.slice(i, i + MENTIONS_PER_MESSAGE);
        const entities = [];
        const lines = [];
        for (const r of chunk) {
          const name = teamsUserText(clip(r.displayName, 100)) || 'member';
          const at = `<at>${name}</at>`;
          entities.push({ type: 'mention', text: at, mentioned: { id: mris[r.userId] ?? r.userId, name } });
          lines.push(`${at}: ${toTeamsMarkdown(rowsText(r.rows))}`);
        }
        const text = [
          toTeamsMarkdown(channelReminderIntro(view)),
          ...lines,
          toTeamsMarkdown(howToVote(view)),
        ].join('\n\n');
        try {
          await outbox.postToChannel(place.tenantId, place.channelId, { type: 'message', text, entities });
          sent += chunk.length;
        } catch {
          unreachable.push(...chunk.map((r) => r.userId));
        }
      }
      if (sent === 0 && unreachable.length) {
        throw new DomainError(
          'invalid-state',
          'I could not post the reminder in this channel, so nobody was reminded. Try again in a minute.',
        );
      }
      return { unreachable };
    },
  };
}

/**
 * After a vote was stored and its card answered: if it brought the row to its quorum and this process claimed the
 * notice (QuorumNotices, once per row and round across replicas), posts it in the channel through the outbox. Nothing
 * waits for it; a failed post gives the claim back for the next vote.
 */
export function postQuorumNotice(
  d: { service: Pick<ReviewService, 'quorum'>; outbox: TeamsOutbox; log: TurnDeps['log'] },
  vote: Vote,
): void {
  void d.service.quorum.afterVote(vote).then(async (n) => {
    if (!n) return;
    try {
      await d.outbox.postToChannel(n.tenantId, n.channelId, {
        type: 'message',
        text: toTeamsMarkdown(n.text),
      });
    } catch (e) {
      d.log('the quorum notice could not be posted', e);
      await n.release().catch(() => undefined);
    }
  });
}
