import { blockLines, chatSafe, link, plain, type RichText } from '../../app/text';

/**
 * The one place where text becomes Teams text: Adaptive Card text runs and Teams message markdown.
 *
 * Cards: a TextBlock (and a FactSet's title and value) parses a markdown subset (bold, italic, lists, links), and
 * renderers do not agree on backslash escapes. A RichTextBlock's TextRuns are never parsed as markdown, so user
 * values go into cards only as runs (`toRuns`); TextBlocks keep the product's own text.
 * https://learn.microsoft.com/adaptive-cards/create/textfeatures
 *
 * Messages: the bot's text messages are markdown that Teams turns into HTML. A user value is written with numeric
 * character references for every character markdown or HTML could read as syntax; a reference is never syntax
 * (CommonMark 6.2), and the HTML shows the character itself.
 */

/** One inline of a RichTextBlock (Adaptive Cards 1.2+). */
export interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  italic?: boolean;
  fontType?: 'Monospace';
  size?: 'Small' | 'Medium' | 'Large';
  color?: 'Good' | 'Warning' | 'Attention' | 'Accent';
  isSubtle?: boolean;
  selectAction?: { type: 'Action.OpenUrl'; url: string };
}

export type RunStyle = Pick<TextRun, 'weight' | 'size' | 'color' | 'isSubtle'>;

/** User text for a TextRun: no markdown is parsed there; automatic links and `{{DATE(…)}}` are broken. */
export const cardUserText = (s: string): string => chatSafe(s);

/** Reply text as the inlines of a RichTextBlock, every run with `base` style; adjacent equal runs are merged. */
export function toRuns(t: RichText, base: RunStyle = {}): TextRun[] {
  const out: TextRun[] = [];
  const push = (text: string, style: Partial<TextRun>) => {
    if (!text) return;
    const run: TextRun = { type: 'TextRun', text, ...base, ...style };
    const last = out[out.length - 1];
    if (last && sameStyle(last, run)) last.text += text;
    else out.push(run);
  };
  const walk = (r: RichText, style: Partial<TextRun>) => {
    for (const s of r.spans) {
      switch (s.kind) {
        case 'plain':
          push(s.text, style);
          break;
        case 'user':
          push(cardUserText(s.text), style);
          break;
        case 'strong':
          walk(s.content, { ...style, weight: 'Bolder' });
          break;
        case 'em':
          walk(s.content, { ...style, italic: true });
          break;
        case 'code':
        case 'channel':
        case 'person':
          push(s.kind === 'code' ? s.text : s.id, { ...style, fontType: 'Monospace' });
          break;
        case 'link':
          push(s.label, { ...style, selectAction: { type: 'Action.OpenUrl', url: s.url } });
          break;
        case 'list':
        case 'table':
        case 'actions':
          // Inside text runs a block is lines of text (a card draws it as its own element: ./messageCard.ts).
          blockRuns(s).forEach((line, i) => {
            if (i > 0) push('\n', style);
            for (const cell of line) walk(cell, style);
          });
          break;
      }
    }
  };
  walk(t, {});
  return out;
}

/** A block as lines of rich text: list items with their mark, table rows with " | " between cells, button labels. */
function blockRuns(b: Parameters<typeof blockLines>[0]): RichText[][] {
  const mark = (i: number) => plain(b.kind === 'list' && b.ordered ? `${i + 1}. ` : '• ');
  switch (b.kind) {
    case 'list':
      return b.items.map((item, i) => [mark(i), item]);
    case 'table':
      return [b.header, ...b.rows].map((row) => row.flatMap((c, i) => (i ? [plain(' | '), c] : [c])));
    case 'actions':
      return [
        b.actions.flatMap((a, i) => [
          plain(i ? '  ' : ''),
          a.kind === 'open' ? link(a.url, a.label) : plain(a.label),
        ]),
      ];
  }
}

const sameStyle = (a: TextRun, b: TextRun): boolean => {
  const { text: _a, ...x } = a;
  const { text: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
};

/** Characters markdown or HTML may read as syntax anywhere in a line. */
const INLINE_SYNTAX = /[&<>\\*_~`[\]|]/g;
/** Characters that are syntax at the start of a line: headings, quotes, list items, rules, setext underlines. */
const LINE_START_SYNTAX = /(^|\n)([ \t]*)([#>+\-=]|\d+[.)])/g;

const ref = (c: string): string => `&#${c.codePointAt(0)};`;

/** A user value as Teams message markdown: shown exactly as written, never as markup, mentions or links. */
export function teamsUserText(s: string): string {
  return chatSafe(s)
    .replace(INLINE_SYNTAX, ref)
    .replace(
      LINE_START_SYNTAX,
      (_m, nl: string, ws: string, mark: string) => `${nl}${ws}${ref(mark[0] as string)}${mark.slice(1)}`,
    );
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders reply text as Teams message markdown. */
export function toTeamsMarkdown(t: RichText): string {
  return t.spans
    .map((s) => {
      switch (s.kind) {
        case 'plain':
          return escapeHtml(s.text);
        case 'user':
          return teamsUserText(s.text);
        case 'strong':
          return `**${toTeamsMarkdown(s.content)}**`;
        case 'em':
          return `_${toTeamsMarkdown(s.content)}_`;
        case 'code':
        case 'channel':
        case 'person': {
          const text = s.kind === 'code' ? s.text : s.id;
          const fence = text.includes('`') ? '``' : '`';
          return `${fence}${text}${fence}`;
        }
        case 'link':
          return `[${teamsUserText(s.label)}](${s.url.replace(/[()\s<>]/g, encodeURIComponent)})`;
        case 'list':
          // A markdown list: Teams shows it as one (each item's user text is escaped as everywhere).
          return s.items
            .map((item, i) => `${s.ordered ? `${i + 1}.` : '-'} ${toTeamsMarkdown(item)}`)
            .join('\n');
        case 'table':
        case 'actions':
          // A message cannot hold a table or buttons: lines of text here; replies with them are sent as cards.
          return blockLines(s, toTeamsMarkdown, (label, url) => toTeamsMarkdown(link(url, label))).join(
            '\n\n',
          );
      }
      return '';
    })
    .join('');
}
