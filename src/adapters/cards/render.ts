import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { lastCycleText } from '../../app/actions/actionViews';
import type { PollView, ReviewView, RoundView } from '../../app/reviews/views';
import { clip, join, plain, type RichText, rich, strong } from '../../app/text';
import type { Choice } from '../../domain/rubric';
import { toRuns } from './teamsText';

/**
 * The shared Adaptive Card renderer (schema 1.5, what Teams supports). Templates live in `cards/` and are read
 * once; each render fills a template with a small, pre-formatted data object built from the channel-neutral
 * view models in src/app/reviews/views.ts. Used by the Teams adapter and by the web console's card preview.
 *
 * Text that holds a value the product did not write (names, cycles, evidence, notes, messages quoting input) is
 * given to the templates as TextRuns (`toRuns`, src/adapters/cards/teamsText.ts) for a RichTextBlock, never as a
 * TextBlock or fact: those parse markdown. TextBlocks and facts carry the product's and the rubric's own text.
 */
export type AdaptiveCard = Record<string, unknown> & {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
};

/** Teams shows a card's automatic refresh to at most 60 listed users; beyond that the refresh is manual. */
export const MAX_REFRESH_USER_IDS = 60;
/** Teams rejects activities above ~100 KB (and Slack/Teams clients slow down well before): cards stay below this. */
export const MAX_CARD_BYTES = 80 * 1024;

export const CARD_TEMPLATE_NAMES = ['poll', 'results', 'status'] as const;
export type CardTemplateName = (typeof CARD_TEMPLATE_NAMES)[number];

/** Where the templates live: `<repo>/cards` (from src/adapters/cards and from dist/adapters/cards alike). */
export const CARDS_DIR = process.env.CARDS_DIR ?? path.join(__dirname, '..', '..', '..', 'cards');

let templates: Map<CardTemplateName, object> | null = null;

/** Reads and parses every template once (call at start-up to fail fast on a broken template). */
export function loadCardTemplates(dir: string = CARDS_DIR): Map<CardTemplateName, object> {
  if (templates && dir === CARDS_DIR) return templates;
  const loaded = new Map<CardTemplateName, object>();
  for (const name of CARD_TEMPLATE_NAMES) {
    const file = path.join(dir, `${name}.json`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`Card template ${file} could not be read: ${e instanceof Error ? e.message : e}`);
    }
    if (!json || typeof json !== 'object' || (json as { type?: unknown }).type !== 'AdaptiveCard') {
      throw new Error(`Card template ${file} is not an AdaptiveCard`);
    }
    loaded.set(name, json);
  }
  if (dir === CARDS_DIR) templates = loaded;
  return loaded;
}

/** Expands a template with data. Exposed for other card templates (e.g. nudges) kept in `cards/`. */
export function expandTemplate(template: object, data: object): AdaptiveCard {
  const t = new ACData.Template(template);
  return t.expand({ $root: data }) as AdaptiveCard;
}

function expand(name: CardTemplateName, data: object): AdaptiveCard {
  const t = loadCardTemplates().get(name);
  if (!t) throw new Error(`no card template ${name}`);
  return expandTemplate(t, data);
}

// ---------- formatting helpers ----------

const pct = (n: number, total: number) => (total > 0 ? `${Math.round((100 * n) / total)}%` : '0%');

const bar = (n: number, total: number) => {
  const width = total > 0 ? Math.round((10 * n) / total) : 0;
  return '█'.repeat(width) || '·';
};

export function choiceLabel(view: Pick<PollView, 'levels'>, choice: Choice): string {
  if (choice === 'unsure') return 'Not sure';
  return view.levels.find((l) => l.level === choice)?.label ?? `Level ${choice}`;
}

const statusText: Record<PollView['status'], string> = {
  voting: 'Voting open',
  settled: 'Consensus reached',
  unsettled: 'No consensus yet',
  'needs-decision': 'Needs a coordinator decision',
  decided: 'Decided by a coordinator',
};

const reasonText: Record<RoundView['reason'], string> = {
  consensus: 'consensus',
  'no-quorum': 'too few votes for a quorum',
  'no-agreement': 'no agreement',
};

function names(list: string[], max: number): RichText {
  const shown = join(list.slice(0, max), ', ');
  return list.length > max ? rich`${shown} and ${list.length - max} more` : shown;
}

function roundSummary(view: PollView, r: RoundView): string {
  const d = r.distribution;
  const parts = view.levels.map((l) => `${l.name} ${d.levels[l.level - 1] ?? 0}`);
  if (d.unsure) parts.push(`not sure ${d.unsure}`);
  const agreement = r.stats.rwg === null ? '' : `, agreement rwg ${r.stats.rwg.toFixed(2)}`;
  return `Round ${r.round}: ${parts.join(' · ')} (${r.settled ? 'consensus' : reasonText[r.reason]}${agreement})`;
}

export interface PollCardOptions {
  /**
   * Channel user ids (Teams MRIs) that get an automatic, personal refresh of the card (their own choice shown).
   * More than 60, or an anonymous review → no list (see renderPollCard). Omit for no refresh section at all.
   */
  refreshUserIds?: readonly string[] | null;
  /** Show "Your vote: …" (a card drawn for one viewer, e.g. the reply to their own invoke or a refresh). */
  personal?: boolean;
  /** How many evidence lines to show at most (default 10, each clipped to 500 characters). */
  maxEvidence?: number;
  /** A message shown prominently under the title, e.g. why a click was not recorded. */
  notice?: string | null;
}

/** The data object the poll template is filled with. Exported for tests and previews. */
export function pollCardData(view: PollView, opts: PollCardOptions = {}) {
  const maxEvidence = opts.maxEvidence ?? 10;
  const d = view.distribution;
  const header = rich`${clip(view.cycle, 60)} · Row ${view.rowNumber} of ${view.rowCount} · Round ${view.round} · ${plain(view.cancelled && !view.result ? 'Review cancelled' : statusText[view.status])}`;
  const notVoted = view.participation.notVoted;
  const evidence = view.evidence.slice(-maxEvidence).map((e) => ({
    runs: toRuns(
      e.by
        ? rich`${strong(clip(e.by, 80))}${e.choice ? plain(` (${choiceLabel(view, e.choice)})`) : ''}: ${clip(e.text, 500)}`
        : rich`• ${clip(e.text, 500)}`,
    ),
  }));
  if (view.evidence.length > maxEvidence) {
    evidence.unshift({
      runs: toRuns(plain(`(${view.evidence.length - maxEvidence} earlier items not shown)`)),
    });
  }
  const prev = view.previousRound;
  const result = view.result;
  const personal = opts.personal ?? false;
  return {
    reviewId: view.reviewId,
    rowId: view.rowId,
    header: toRuns(header, { size: 'Small', isSubtle: true }),
    title: view.title,
    showNotice: !!opts.notice,
    // A refusal's message may quote what was typed: a user value as a whole.
    notice: toRuns(rich`${opts.notice ? clip(opts.notice, 500) : ''}`, {
      color: 'Attention',
      weight: 'Bolder',
    }),
    fallbackText: `${view.title}: ${statusText[view.status]}. ${view.participation.voted} of ${view.participation.eligible} have voted.`,
    instructions:
      'Start at Accomplished and move down until the description fits where your district is today.',
    voting: view.votingOpen,
    levels: view.levels.map((l) => ({ label: `${l.level} · ${l.label}`, text: l.text })),
    participation: `${view.participation.voted} of ${view.participation.eligible} have voted${view.votingOpen ? '' : ` in round ${view.round}`}.`,
    showNotVoted: view.votingOpen && !!notVoted && notVoted.length > 0,
    notVoted: toRuns(
      notVoted?.length
        ? rich`Not voted yet: ${names(
            notVoted.map((n) => clip(n, 60)),
            30,
          )}`
        : plain(''),
      { isSubtle: true },
    ),
    showHiddenNote: d === null,
    hiddenNote: 'Blind round: the distribution is shown when the round closes.',
    showDistribution: d !== null && d.total > 0,
    distribution: d
      ? [
          ...view.levels.map((l) => {
            const n = d.levels[l.level - 1] ?? 0;
            return { title: l.label, value: `${n} ${bar(n, d.total)} ${pct(n, d.total)}` };
          }),
          { title: 'Not sure', value: `${d.unsure} ${bar(d.unsure, d.total)} ${pct(d.unsure, d.total)}` },
        ]
      : [],
    showEvidence: evidence.length > 0,
    evidence,
    showLastCycle: view.lastCycleActions !== null,
    lastCycle: toRuns(view.lastCycleActions ? lastCycleText(view.lastCycleActions) : plain(''), {
      isSubtle: true,
    }),
    showPreviousRound: prev !== null,
    previousRound: prev ? roundSummary(view, prev) : '',
    showResult: result !== null,
    result: toRuns(
      result
        ? rich`Result: ${plain(result.label)} — ${
            result.how === 'consensus'
              ? plain(`consensus in round ${result.round}`)
              : rich`decided by a coordinator${result.note ? rich`: ${clip(result.note, 500)}` : ''}`
          }`
        : plain(''),
      { weight: 'Bolder', color: 'Good' },
    ),
    showMyChoice: personal,
    myChoice:
      view.myChoice === null
        ? 'You have not voted on this row yet.'
        : `Your vote: ${choiceLabel(view, view.myChoice)}${view.myEvidence ? ' (with evidence)' : ''}`,
    myEvidence: personal ? (view.myEvidence ?? '') : '',
    votes: view.levels.map((l) => ({
      title: personal && view.myChoice === l.level ? `✓ ${l.name}` : l.name,
      choice: l.level as Choice,
      style: personal && view.myChoice === l.level ? 'positive' : 'default',
      reviewId: view.reviewId,
      rowId: view.rowId,
    })),
    unsure: {
      title: personal && view.myChoice === 'unsure' ? '✓ Not sure' : 'Not sure',
      style: personal && view.myChoice === 'unsure' ? 'positive' : 'default',
    },
  };
}

export const cardBytes = (card: object) => Buffer.byteLength(JSON.stringify(card), 'utf8');

/** A card's fallbackText (plain text where a client cannot draw the card): user values without automatic links. */
export const cardFallback = (t: RichText): string =>
  toRuns(t)
    .map((r) => r.text)
    .join('');

/**
 * One poll card per rubric row: row title, levels from Accomplished down to Beginning, vote actions
 * (Action.Execute with an Action.Submit fallback), "not sure", an evidence input, participation, and the
 * distribution only when the view allows it. Stays under 80 KB by showing less evidence when needed.
 */
export function renderPollCard(view: PollView, opts: PollCardOptions = {}): AdaptiveCard {
  let maxEvidence = opts.maxEvidence ?? 10;
  for (;;) {
    const card = expand('poll', pollCardData(view, { ...opts, maxEvidence }));
    if (opts.refreshUserIds !== undefined && opts.refreshUserIds !== null && view.votingOpen) {
      const ids = opts.refreshUserIds;
      card.refresh = {
        action: {
          type: 'Action.Execute',
          verb: 'refresh',
          title: 'Refresh',
          data: { reviewId: view.reviewId, rowId: view.rowId },
        },
        // Anonymous reviews never list anyone: the refresh list grows with each first click, so a shared card's
        // payload would tell who voted (and, next to live totals, how). Without `userIds` Teams refreshes the card
        // automatically for everyone in a chat or channel of up to 60 people; in a larger one members see the
        // shared card (totals only) and a Refresh button that shows them their own vote.
        ...(!view.anonymous && ids.length > 0 && ids.length <= MAX_REFRESH_USER_IDS
          ? { userIds: [...ids] }
          : {}),
      };
    }
    if (cardBytes(card) <= MAX_CARD_BYTES || maxEvidence === 0) return card;
    maxEvidence = Math.floor(maxEvidence / 2);
  }
}

function ratingLine(p: PollView): { rating: string; color: string } {
  if (p.result) {
    return {
      rating: `${p.result.label} — ${p.result.how === 'consensus' ? `consensus in round ${p.result.round}` : 'decided by a coordinator'}`,
      color: 'Good',
    };
  }
  if (p.status === 'voting') return { rating: 'Voting in progress', color: 'Default' };
  if (p.status === 'needs-decision') return { rating: 'Needs a coordinator decision', color: 'Warning' };
  return { rating: 'No consensus yet', color: 'Warning' };
}

const modeText = (v: ReviewView) =>
  [v.blind ? 'blind' : 'open', v.anonymous ? 'anonymous' : 'named'].join(', ');

/** Ratings so far, row by row, with the numbers of each row's last closed round. */
export function renderResultsCard(view: ReviewView): AdaptiveCard {
  const rated = view.polls.filter((p) => p.result).length;
  const rows = view.polls.map((p) => {
    const r = p.lastRound;
    const facts = r
      ? [
          { title: 'Votes', value: `${r.distribution.total} (not sure ${r.distribution.unsure})` },
          { title: 'Median', value: r.stats.median === null ? '—' : String(r.stats.median) },
          { title: 'Share at mode', value: pct(Math.round(r.stats.shareAtMode * 100), 100) },
          { title: 'Agreement (rwg)', value: r.stats.rwg === null ? '—' : r.stats.rwg.toFixed(2) },
          ...(r.stats.perspectiveGap === null
            ? []
            : [{ title: 'District − building', value: r.stats.perspectiveGap.toFixed(1) }]),
        ]
      : [];
    return {
      title: `${p.rowNumber}. ${p.title}`,
      ...ratingLine(p),
      showFacts: facts.length > 0,
      facts,
      showNote: !!p.result?.note,
      note: toRuns(p.result?.note ? rich`Note: ${clip(p.result.note, 500)}` : plain(''), { isSubtle: true }),
    };
  });
  return expand('results', {
    header: `${view.rubricTitle} · ${modeText(view)}`,
    title: toRuns(rich`Results — ${view.cycle}`, { size: 'Large', weight: 'Bolder' }),
    summary: `${rated} of ${view.polls.length} rows rated · round ${view.round} ${view.roundStatus} · review ${view.status}.`,
    fallbackText: cardFallback(rich`Results of ${view.cycle}: ${rated} of ${view.polls.length} rows rated.`),
    rows,
    showReflection: view.status === 'complete' && view.reflectionQuestions.length > 0,
    reflection: view.reflectionQuestions.map((q, i) => ({ line: `${i + 1}. ${q}` })),
  });
}

/** State of a review: round, deadline, rule, and each row's status and participation. */
export function renderStatusCard(view: ReviewView): AdaptiveCard {
  const rated = view.polls.filter((p) => p.result).length;
  const rule =
    view.rule.kind === 'adjacent-levels'
      ? `${pct(view.rule.threshold * 100, 100)} on two adjacent levels`
      : `${pct(view.rule.threshold * 100, 100)} on one level`;
  return expand('status', {
    header: toRuns(rich`${plain(view.rubricTitle)}`, { size: 'Small', isSubtle: true }),
    title: toRuns(rich`Review ${view.cycle}`, { size: 'Large', weight: 'Bolder' }),
    fallbackText: cardFallback(
      rich`${view.cycle}: round ${view.round} is ${plain(view.roundStatus)}; ${rated} of ${view.polls.length} rows rated.`,
    ),
    facts: [
      { title: 'Round', value: `${view.round} of at most ${view.maxRounds} (${view.roundStatus})` },
      { title: 'Review', value: view.status },
      { title: 'Mode', value: modeText(view) },
      { title: 'Consensus rule', value: `${rule}, quorum ${view.rule.minVoters}` },
      {
        title: 'Deadline',
        value: view.deadlineText ?? 'none',
      },
      { title: 'Members', value: String(view.memberCount) },
      { title: 'Rated', value: `${rated} of ${view.polls.length} rows` },
    ],
    rows: view.polls.map((p) => ({
      title: `${p.rowNumber}. ${p.title}`,
      state: `${statusText[p.status]} · ${p.participation.voted}/${p.participation.eligible} voted`,
    })),
  });
}
