import type { types } from '@slack/bolt';
import { lastCycleText } from '../../app/actions/actionViews';
import type { CommandResult } from '../../app/commands';
import type { PollView, ReviewView } from '../../app/reviews/views';
import { channel, clip, code, join, plain, type RichText, rich, strong } from '../../app/text';
import { type Choice, levelLabel, type Rubric } from '../../domain/rubric';
import { activity1Blocks, activity1ResultBlocks } from './activity1Blocks';
import { LIMITS } from './limits';
import { messageBlocks } from './messageBlocks';
import { escapeMrkdwn, toMrkdwn } from './mrkdwn';
import { planBlocks } from './planBlocks';

type KnownBlock = types.KnownBlock;
type Button = types.Button;
type View = types.View;

/** Slack's limits, re-exported for the block builders that import them from here. */
export { LIMITS };

/**
 * Section and context blocks take RichText only (src/app/text.ts): the one renderer (./mrkdwn.ts) escapes every
 * value the product did not write, so no block can carry a user's mention, link or markup.
 */
const mrkdwn = (t: RichText): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(toMrkdwn(t), LIMITS.sectionText) },
});
const context = (t: RichText): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(toMrkdwn(t), LIMITS.sectionText) }],
});

/** Action ids used by poll messages; the value of every poll button is `reviewId|rowId` (never a voter list). */
export const ACTION = {
  vote: 'micip_vote',
  evidence: 'micip_evidence',
  evidenceModal: 'micip_evidence_modal',
} as const;

export const pollRef = (reviewId: string, rowId: string): string => `${reviewId}|${rowId}`;

/** A button's `reviewId|rowId`, or `reviewId|rowId|g:<group, URI-encoded>` on a small group's own poll. */
export function parsePollRef(value: string): { reviewId: string; rowId: string; group?: string } | null {
  const parts = value.split('|');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) return null;
  if (parts.length === 2) return { reviewId: parts[0], rowId: parts[1] };
  const g = /^g:(.+)$/.exec(parts[2] ?? '');
  if (!g) return null;
  try {
    return { reviewId: parts[0], rowId: parts[1], group: decodeURIComponent(g[1] as string) };
  } catch {
    return null;
  }
}

const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button => ({
  type: 'button',
  text: { type: 'plain_text', text: clip(text, LIMITS.buttonText), emoji: true },
  action_id: actionId,
  value: clip(value, LIMITS.buttonValue),
  ...(style ? { style } : {}),
});

const choiceName = (p: PollView, c: PollView['myChoice']): string =>
  c === null ? '—' : c === 'unsure' ? 'Not sure' : (p.levels.find((l) => l.level === c)?.label ?? String(c));

/** "Accomplished 3 · Proficient 2 · Progressing 0 · Beginning 1 · Not sure 1" (Accomplished first). */
export function distributionText(p: PollView, d: NonNullable<PollView['distribution']>): RichText {
  const parts = p.levels.map((l) => rich`${plain(l.name)} ${strong(d.levels[l.level - 1] ?? 0)}`);
  parts.push(rich`Not sure ${strong(d.unsure)}`);
  return join(parts, ' · ');
}

/** "7 of 12 have voted" plus, unless anonymous, who has not (at most `maxNames`, then "and N more"). */
export function participationText(p: PollView, maxNames = 25): RichText {
  const { voted, eligible, notVoted } = p.participation;
  const count = strong(plain(`${voted} of ${eligible}`));
  const t = p.votingOpen ? rich`${count} ${plain(voted === 1 ? 'has' : 'have')} voted` : rich`${count} voted`;
  if (p.votingOpen && notVoted && notVoted.length > 0) {
    const shown = notVoted.slice(0, maxNames).map((n) => clip(n, 60));
    const more = notVoted.length - shown.length;
    return rich`${t} · not yet: ${join(shown, ', ')}${more > 0 ? plain(` and ${more} more`) : ''}`;
  }
  return t;
}

/**
 * One poll message: the row, its four levels from Accomplished down to Beginning (each with its vote button while
 * voting is open), "not sure", "add evidence", participation, the distribution when visible, the previous round and
 * the result once settled. Stays within Slack's limits whatever the number of voters.
 */
export function pollBlocks(p: PollView): KnownBlock[] {
  const ref = pollRef(p.reviewId, p.rowId);
  const blocks: KnownBlock[] = [];
  blocks.push({
    type: 'header',
    text: { type: 'plain_text', text: clip(`${p.rowNumber}. ${p.title}`, LIMITS.headerText), emoji: false },
  });
  const mode = [p.blind ? 'blind' : null, p.anonymous ? 'anonymous' : null].filter(Boolean).join(', ');
  const state = p.votingOpen
    ? `Round ${p.round} · voting open`
    : p.result
      ? `Round ${p.round} · rated`
      : p.cancelled
        ? `Round ${p.round} · review cancelled`
        : `Round ${p.round} · closed`;
  blocks.push(
    context(
      rich`${strong(p.cycle)} · Row ${p.rowNumber} of ${p.rowCount} · ${plain(state)}${mode ? plain(` · ${mode}`) : ''}${
        p.votingOpen ? plain(' · Start at Accomplished and move left until the description fits.') : ''
      }`,
    ),
  );
  for (const l of p.levels) {
    const section: types.SectionBlock = {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(toMrkdwn(rich`${strong(plain(l.label))}\n${plain(l.text)}`), LIMITS.sectionText),
      },
    };
    if (p.votingOpen) section.accessory = button(l.name, `${ACTION.vote}_${l.level}`, ref);
    blocks.push(section);
  }
  if (p.votingOpen) {
    blocks.push({
      type: 'actions',
      block_id: `micip_poll_actions`,
      elements: [
        button('Not sure', `${ACTION.vote}_unsure`, ref),
        button('Add evidence', ACTION.evidence, ref),
      ],
    });
  }
  blocks.push(context(participationText(p)));
  if (p.lastCycleActions) blocks.push(context(lastCycleText(p.lastCycleActions)));
  if (p.distribution) {
    blocks.push(mrkdwn(rich`${strong(plain('Votes this round:'))} ${distributionText(p, p.distribution)}`));
    if (p.evidence.length > 0) {
      const shown = p.evidence.slice(-5);
      const lines = shown.map(
        (e) =>
          rich`• ${clip(e.text, 400)}${e.by ? rich` — ${clip(e.by, 60)}` : ''}${
            e.choice !== null ? plain(` (${choiceName(p, e.choice)})`) : ''
          }`,
      );
      const more = p.evidence.length - shown.length;
      blocks.push(
        mrkdwn(
          rich`${strong(plain('Evidence:'))}\n${join(lines, '\n')}${more > 0 ? plain(`\n…and ${more} earlier`) : ''}`,
        ),
      );
    }
  } else if (p.votingOpen && p.blind) {
    blocks.push(context(plain('Blind review: the distribution is shown when the round closes.')));
  }
  if (p.previousRound) {
    const pr = p.previousRound;
    const why = pr.settled ? 'consensus' : pr.reason === 'no-quorum' ? 'no quorum' : 'no agreement';
    const head = rich`${strong(plain(`Round ${pr.round}:`))} ${distributionText(p, pr.distribution)} (${plain(why)})`;
    const lines = pr.evidence
      .slice(-3)
      .map((e) => rich`• ${clip(e.text, 300)}${e.by ? rich` — ${clip(e.by, 60)}` : ''}`);
    blocks.push(mrkdwn(lines.length > 0 ? rich`${head}\n${join(lines, '\n')}` : head));
  }
  if (p.result) {
    const how =
      p.result.how === 'consensus'
        ? plain(`by consensus in round ${p.result.round}`)
        : rich`by a coordinator's decision${p.result.note ? rich`: “${clip(p.result.note, 500)}”` : ''}`;
    blocks.push(mrkdwn(rich`:white_check_mark: ${strong(plain(`Rated ${p.result.label}`))} ${how}.`));
  } else if (!p.votingOpen && p.lastRound) {
    const lr = p.lastRound;
    const why =
      lr.reason === 'no-quorum'
        ? `not enough votes (quorum ${lr.quorum})`
        : 'no level reached the agreement threshold';
    const next =
      p.status === 'needs-decision' ? 'a coordinator records the rating' : 'another round may follow';
    blocks.push(
      mrkdwn(rich`${strong(plain(`No consensus in round ${lr.round}:`))} ${plain(`${why}; ${next}`)}.`),
    );
  }
  return blocks.slice(0, LIMITS.blocksPerMessage);
}

export const pollFallbackText = (p: PollView): string =>
  clip(`Rubric poll, row ${p.rowNumber}: ${p.title}`, LIMITS.messageText);

/**
 * The confirmation of a written vote, drawn from the rubric alone (the vote hot path builds no poll view). `late`:
 * the click was answered as failed (the write took longer than the deadline) and the write landed afterwards.
 */
export function voteConfirmationFor(
  rubric: Rubric | null,
  rowId: string,
  choice: Choice,
  round: number,
  late = false,
): string {
  const index = rubric ? rubric.rows.findIndex((r) => r.id === rowId) : -1;
  const row = index >= 0 ? rubric?.rows[index] : undefined;
  const where = row ? rich`row ${index + 1} “${plain(clip(row.title, 200))}”` : plain('this row');
  const name = choice === 'unsure' ? 'Not sure' : rubric ? levelLabel(rubric, choice) : String(choice);
  const recorded = rich`Your vote on ${where} is recorded: ${strong(plain(name))} (round ${round}). You can change it until the round closes.`;
  return toMrkdwn(
    late
      ? rich`Slack showed an error because saving took too long, but your vote was saved after all. ${recorded}`
      : recorded,
  );
}

/** A summary of a review for `status` / `results` and channel announcements. */
export function reviewSummaryBlocks(message: RichText, v: ReviewView): KnownBlock[] {
  const lines = v.polls.map((p) => {
    const state = p.result
      ? rich`rated ${strong(plain(p.result.label))} (${plain(p.result.how)})`
      : plain(
          p.votingOpen
            ? `voting, ${p.participation.voted} of ${p.participation.eligible} voted`
            : p.status === 'needs-decision'
              ? 'needs a coordinator decision'
              : 'no consensus yet',
        );
    return rich`${p.rowNumber}. ${plain(clip(p.title, 120))} — ${state}`;
  });
  const deadline = v.deadlineText ? ` · deadline ${v.deadlineText}` : '';
  return [
    // The message may hold a list or a table (results): Block Kit draws them (./messageBlocks.ts).
    ...messageBlocks(message),
    context(rich`${plain(`Round ${v.round} (${v.roundStatus}) · ${v.status}${deadline}`)}`),
    mrkdwn(join(lines, '\n')),
  ];
}

/** A reply's top-level `text` (notifications and clients without blocks): the same renderer, cut to Slack's limit. */
export const messageText = (t: RichText): string => clip(toMrkdwn(t), LIMITS.messageText);

export function commandResultBlocks(r: CommandResult): { text: string; blocks?: KnownBlock[] } {
  switch (r.kind) {
    case 'help':
    case 'text':
    case 'reviews':
      // Text, lists, tables and buttons as Block Kit (./messageBlocks.ts).
      return { text: messageText(r.text), blocks: messageBlocks(r.text) };
    case 'review':
      return { text: messageText(r.message), blocks: reviewSummaryBlocks(r.message, r.review) };
    case 'file':
      return { text: messageText(r.message) };
    case 'activity1':
      return {
        text: messageText(r.message),
        blocks: r.action === 'posted' ? activity1Blocks(r.activity) : activity1ResultBlocks(r.activity),
      };
    case 'plan':
      return { text: messageText(r.message), blocks: planBlocks(r.plan, r.saved) };
  }
}

/** Slack errors of `files.uploadV2` that a reinstall with the `files:write` scope fixes (installs older than it). */
const SCOPE_ERRORS = new Set(['missing_scope', 'no_permission', 'not_allowed_token_type', 'invalid_scope']);
const CHANNEL_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/**
 * The inline fallback of an export whose upload failed (`code`: Slack's error): why, what to do (reinstall for the
 * `files:write` scope), and the file itself in a code block, cut to fit one message with the cut stated.
 */
export function fileFallbackText(
  r: Extract<CommandResult, { kind: 'file' }>,
  code: string,
  max: number = LIMITS.messageText,
): string {
  const why = SCOPE_ERRORS.has(code)
    ? `:warning: I could not post the file to this channel: this install of the app may not upload files (\`${code}\`). A coordinator or workspace admin should *reinstall the app* (Slack app settings → Install App → Reinstall to Workspace) so it gets the \`files:write\` permission; until then exports are shown here.`
    : CHANNEL_ERRORS.has(code)
      ? `:warning: I could not post the file to this channel (\`${code}\`). Add the app to the channel (channel name → Integrations → Add apps) to get exports as files; here it is inline.`
      : `:warning: I could not upload the file (\`${code}\`); here it is inline.`;
  const head = `${why}\n${clip(toMrkdwn(r.message), 300)}\n`;
  // The file's text is shown, never read as mrkdwn: <, > and & escaped (mentions, links), no fence can close early.
  const content = escapeMrkdwn(r.content).replace(/```/g, '`\u200b``');
  const room = max - head.length - 6;
  if (content.length <= room) return `${head}\`\`\`${content}\`\`\``;
  const note = (n: number) =>
    `\n(cut to fit one message: the first ${n} of ${content.length} characters; ${SCOPE_ERRORS.has(code) ? 'after the reinstall' : 'once the upload works'} the export comes as the whole file)`;
  // Never cut an escape such as &amp; in two.
  const cut = (k: number) => content.slice(0, k).replace(/&[a-z]{0,3}$/, '');
  const shown = cut(Math.max(0, room - note(room).length));
  return `${head}\`\`\`${shown}\`\`\`${note(shown.length)}`;
}

export function evidenceModal(ref: string, meta: string, title: string, current: string | null): View {
  return {
    type: 'modal',
    callback_id: ACTION.evidenceModal,
    private_metadata: meta,
    title: { type: 'plain_text', text: 'Add evidence' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      context(rich`For: ${strong(clip(title, 200))}`),
      {
        type: 'input',
        block_id: 'evidence',
        label: { type: 'plain_text', text: 'What evidence supports your rating?' },
        element: {
          type: 'plain_text_input',
          action_id: 'text',
          multiline: true,
          max_length: 2000,
          ...(current ? { initial_value: clip(current, 2000) } : {}),
        },
      },
      context(rich`Poll ${code(ref)}`),
    ],
  };
}

export interface HomeDistrict {
  name: string;
  channelId: string;
  coordinator: boolean;
  reviews: Array<{ view: ReviewView; notVoted: PollView[] }>;
}

/** App Home: the caller's districts, their open reviews and the rows where the caller has not voted yet. */
export function homeView(districts: HomeDistrict[]): View {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'MICIP collaboration reviews' } },
  ];
  if (districts.length === 0) {
    blocks.push(
      mrkdwn(
        rich`You are not on a district team yet. In your district team channel, a coordinator runs ${code('/micip setup "District name"')}; then vote on the rubric polls posted there.`,
      ),
    );
  }
  for (const d of districts) {
    if (blocks.length > LIMITS.blocksPerView - 4) break;
    blocks.push({ type: 'divider' });
    blocks.push(
      mrkdwn(
        rich`${strong(d.name)} — ${channel(d.channelId)}${d.coordinator ? plain(' · you are a coordinator') : ''}`,
      ),
    );
    if (d.reviews.length === 0) blocks.push(context(plain('No open review.')));
    for (const r of d.reviews) {
      if (blocks.length > LIMITS.blocksPerView - 2) break;
      const todo = r.notVoted.map((p) => rich`• ${p.rowNumber}. ${plain(clip(p.title, 150))}`);
      const cycle = strong(r.view.cycle);
      const text =
        r.view.roundStatus === 'open'
          ? todo.length > 0
            ? rich`${cycle} · round ${r.view.round} · you have not voted on:\n${join(todo, '\n')}`
            : rich`${cycle} · round ${r.view.round} · you have voted on every open row. Thank you!`
          : rich`${cycle} · round ${r.view.round} is closed; waiting for the coordinator.`;
      blocks.push(mrkdwn(text));
    }
  }
  return { type: 'home', blocks: blocks.slice(0, LIMITS.blocksPerView) };
}
