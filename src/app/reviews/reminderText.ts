import { join, plain, type RichText, rich, strong } from '../text';
import type { Reminder, ReminderRow, ReminderView, RemindReport } from './reminders';

/** The words of reminders, the coordinator's reply to `remind` and the quorum notice; every chat renders them. */

/** At most this many names in one reply (a roster of hundreds would not fit a chat message). */
const MAX_NAMES = 50;

/** `row 1 “Shared vision…”, row 3 “…”` */
export const rowsText = (rows: readonly ReminderRow[]): RichText =>
  join(
    rows.map((r) => rich`row ${r.rowNumber} “${r.title}”`),
    ', ',
  );

/** How to vote, and until when (both chats deliver reminders in the district's channel). */
export function howToVote(view: ReminderView): RichText {
  const until = view.deadlineText ? plain(` Voting closes ${view.deadlineText}.`) : plain('');
  const anon = view.anonymous ? plain(' This review is anonymous: nobody sees what you chose.') : plain('');
  return rich`Vote on each row's poll in this channel: pick the level whose description fits your district (start at Accomplished and move left), or "Not sure".${until}${anon}`;
}

/** The reminder one person gets privately (Slack), naming the rows still waiting for their vote. */
export function personalReminder(view: ReminderView, r: Reminder): RichText {
  const n = r.rows.length;
  return rich`${strong('Reminder')}: round ${view.round} of ${strong(view.cycle)} is open and ${plain(n === 1 ? 'one row waits' : `${n} rows wait`)} for your vote: ${rowsText(r.rows)}. ${howToVote(view)}`;
}

/** The first line of a reminder posted once in the channel for several people (Teams; the mentions follow). */
export function channelReminderIntro(view: ReminderView): RichText {
  return rich`${strong('Reminder')}: round ${view.round} of ${strong(view.cycle)} is open, and these rows still wait for your vote:`;
}

const names = (list: readonly string[]): RichText => {
  const shown = list.slice(0, MAX_NAMES);
  const more = list.length - shown.length;
  return more > 0 ? rich`${join(shown, ', ')} and ${more} more` : join(shown, ', ');
};

/** The coordinator's reply: how many were reminded and, in named reviews, who (anonymous reviews: counts only). */
export function remindReply(r: RemindReport): RichText {
  const head = rich`${strong(r.cycle)}, round ${r.round} (${r.openRows} row(s) open, ${r.rosterSize} on the roster):`;
  if (r.reminded === 0 && r.unreachable === 0) {
    return rich`${head} everyone on the roster has voted on every open row, so nobody was reminded.`;
  }
  const how = plain(r.private ? 'privately' : 'with a mention in this channel');
  const parts: RichText[] = [
    r.names
      ? rich`${head} reminded ${r.reminded} person(s) ${how}${r.reminded ? rich`: ${names(r.names.reminded)}` : ''}.`
      : rich`${head} reminded ${r.reminded} person(s) ${how}. The review is anonymous, so their names are not shown.`,
  ];
  if (r.unreachable) {
    parts.push(
      r.names
        ? rich`Could not reach ${r.unreachable} (not in this channel?): ${names(r.names.unreachable)}.`
        : rich`Could not reach ${r.unreachable} (not in this channel?).`,
    );
  }
  return join(parts, ' ');
}

/** The channel notice when a row reaches its quorum in a round. */
export function quorumNoticeText(n: {
  rowNumber: number;
  title: string;
  round: number;
  voted: number;
  eligible: number;
}): RichText {
  return rich`Row ${n.rowNumber} “${n.title}” has reached its quorum in round ${n.round}: ${n.voted} of ${n.eligible} voted. Voting stays open until a coordinator closes the round.`;
}
