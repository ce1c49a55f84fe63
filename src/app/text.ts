/**
 * Reply text as a small channel-neutral model: what the product wrote (plain text, emphasis, a command, a link it
 * issued, a reference to a channel or person) and what it did not write (`user`: names, cycles, evidence, notes,
 * error details quoting input). Each channel has one renderer (Slack mrkdwn, Teams markdown, Adaptive Card text
 * runs, plain text) that escapes `user` spans for its target, so a message built here cannot forget to.
 *
 * Build text with the `rich` tag: its literal parts are the product's own words, and every interpolated string is
 * a user value. Markup exists only as the helpers below; the model holds no platform syntax.
 */
export type Span =
  | { readonly kind: 'plain'; readonly text: string }
  | { readonly kind: 'user'; readonly text: string }
  | { readonly kind: 'strong'; readonly content: RichText }
  | { readonly kind: 'em'; readonly content: RichText }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'link'; readonly url: string; readonly label: string }
  | { readonly kind: 'channel'; readonly id: string }
  | { readonly kind: 'person'; readonly id: string }
  // Blocks: each stands on lines of its own wherever it is put (renderers start and end it on a new line).
  | { readonly kind: 'list'; readonly ordered: boolean; readonly items: readonly RichText[] }
  | {
      readonly kind: 'table';
      readonly header: readonly RichText[];
      readonly rows: readonly (readonly RichText[])[];
    }
  | { readonly kind: 'actions'; readonly actions: readonly MessageAction[] };

/** The kinds of span that are blocks (a list, a table, a row of buttons) rather than inline text. */
export const BLOCK_KINDS = ['list', 'table', 'actions'] as const;
export type BlockSpan = Extract<Span, { kind: (typeof BLOCK_KINDS)[number] }>;
export const isBlock = (s: Span): s is BlockSpan => (BLOCK_KINDS as readonly string[]).includes(s.kind);

/**
 * A button of a message, labelled in the product's words: `submit` sends its verb and payload back to the app
 * (Slack: a button's action id and value; Teams: Action.Submit data; web: a button's data attributes); `open`
 * opens a link the product issued.
 */
export type MessageAction =
  | {
      readonly kind: 'submit';
      readonly label: string;
      readonly verb: string;
      readonly payload: string;
      readonly style?: 'primary' | 'danger';
    }
  | { readonly kind: 'open'; readonly label: string; readonly url: string };

/** A piece of reply text. Nominal (a class with a private brand), so a plain string is never taken for one. */
export class RichText {
  private readonly brand = 'RichText';

  private constructor(readonly spans: readonly Span[]) {}

  static of(spans: readonly Span[]): RichText {
    return new RichText(spans.filter((s) => !(s.kind === 'plain' || s.kind === 'user') || s.text !== ''));
  }

  static isRichText(v: unknown): v is RichText {
    return v instanceof RichText && v.brand === 'RichText';
  }
}

/** What `rich` accepts between its literal parts: a string is a user value, a number is written as is. */
export type Interpolation = string | number | RichText;

const spansOf = (v: Interpolation): Span[] =>
  RichText.isRichText(v)
    ? [...v.spans]
    : typeof v === 'number'
      ? [{ kind: 'plain', text: String(v) }]
      : [{ kind: 'user', text: v }];

/** `rich\`Review ${strong(cycle)} started\``: literal parts are the product's words, strings are user values. */
export function rich(strings: TemplateStringsArray, ...values: Interpolation[]): RichText {
  const spans: Span[] = [];
  strings.forEach((s, i) => {
    spans.push({ kind: 'plain', text: s });
    if (i < values.length) spans.push(...spansOf(values[i] as Interpolation));
  });
  return RichText.of(spans);
}

/** The product's own words, unescaped markup-free text (e.g. a list of usage lines built elsewhere). */
export const plain = (text: string): RichText => RichText.of([{ kind: 'plain', text }]);
/** A value the product did not write (same as interpolating a string into `rich`). */
export const user = (text: string): RichText => RichText.of([{ kind: 'user', text }]);
export const strong = (v: Interpolation): RichText => RichText.of([{ kind: 'strong', content: toRich(v) }]);
export const em = (v: Interpolation): RichText => RichText.of([{ kind: 'em', content: toRich(v) }]);
/** A command, usage line or id the product wrote, shown as code. */
export const code = (text: string): RichText => RichText.of([{ kind: 'code', text }]);
/** A link the product issued (e.g. a signed dashboard link). */
export const link = (url: string, label: string): RichText => RichText.of([{ kind: 'link', url, label }]);
/** A chat channel or conversation, by id (each channel renders its own reference). */
export const channel = (id: string): RichText => RichText.of([{ kind: 'channel', id }]);
/** A person, by their chat user id. */
export const person = (id: string): RichText => RichText.of([{ kind: 'person', id }]);

const toRich = (v: Interpolation): RichText => RichText.of(spansOf(v));

/** Most items of a list, rows of a table and buttons of one row that a message holds (every chat has limits). */
export const BLOCK_LIMITS = { listItems: 100, tableRows: 99, tableColumns: 10, actions: 5 } as const;

const tooMany = (what: string, n: number, max: number) =>
  new Error(`A message ${what} holds at most ${max}; got ${n}`);

/** A bulleted list; each item is a line of text (a string is a user value). */
export function bullets(items: readonly Interpolation[]): RichText {
  return listOf(items, false);
}
/** A numbered list (1., 2., …). */
export function numbered(items: readonly Interpolation[]): RichText {
  return listOf(items, true);
}
function listOf(items: readonly Interpolation[], ordered: boolean): RichText {
  if (items.length > BLOCK_LIMITS.listItems) throw tooMany('list', items.length, BLOCK_LIMITS.listItems);
  return RichText.of([{ kind: 'list', ordered, items: items.map(toRich) }]);
}

/** A small table: a header row and rows of the same number of cells (a string is a user value). */
export function table(
  header: readonly Interpolation[],
  rows: readonly (readonly Interpolation[])[],
): RichText {
  if (header.length === 0) throw new Error('A table needs at least one column');
  if (header.length > BLOCK_LIMITS.tableColumns)
    throw tooMany('table row', header.length, BLOCK_LIMITS.tableColumns);
  if (rows.length > BLOCK_LIMITS.tableRows) throw tooMany('table', rows.length, BLOCK_LIMITS.tableRows);
  rows.forEach((r, i) => {
    if (r.length !== header.length)
      throw new Error(`Table row ${i + 1} has ${r.length} cells; the header has ${header.length}`);
  });
  return RichText.of([{ kind: 'table', header: header.map(toRich), rows: rows.map((r) => r.map(toRich)) }]);
}

/** A row of buttons (at most BLOCK_LIMITS.actions). */
export function actions(...list: MessageAction[]): RichText {
  if (list.length === 0) throw new Error('A row of actions needs at least one');
  if (list.length > BLOCK_LIMITS.actions) throw tooMany('row of actions', list.length, BLOCK_LIMITS.actions);
  return RichText.of([{ kind: 'actions', actions: list }]);
}
const VERB = /^[a-z][a-z0-9_-]{0,39}$/;
/** A button that sends `verb` and `payload` back to the app (the verb: a-z, 0-9, _ or -, at most 40). */
export function button(
  label: string,
  verb: string,
  payload: string,
  style?: 'primary' | 'danger',
): MessageAction {
  if (!VERB.test(verb)) throw new Error(`A button's verb must be a-z, 0-9, _ or - (at most 40): "${verb}"`);
  if (payload.length > 1900) throw new Error("A button's payload holds at most 1,900 characters");
  return { kind: 'submit', label, verb, payload, ...(style ? { style } : {}) };
}
/** A button that opens a link the product issued (http or https only). */
export function openLink(label: string, url: string): MessageAction {
  if (!/^https?:\/\//i.test(url))
    throw new Error(`A link button opens http(s) links only: "${url.slice(0, 40)}"`);
  return { kind: 'open', label, url };
}

/**
 * Splits a message into runs of inline text and blocks, in order: what the block renderers (Slack Block Kit,
 * Adaptive Cards, HTML) draw one by one. Line breaks next to a block are dropped (it stands on its own lines), and
 * so is whitespace-only text between blocks.
 */
export function segments(t: RichText): Array<RichText | BlockSpan> {
  if (!hasBlock(t)) return t.spans.length ? [t] : [];
  const out: Array<RichText | BlockSpan> = [];
  let run: Span[] = [];
  const flush = () => {
    // Line breaks next to a block are the block's own (it stands on its own lines).
    const trimmed = trimBreaks(run);
    if (trimmed.length) out.push(RichText.of(trimmed));
    run = [];
  };
  for (const s of t.spans) {
    if (isBlock(s)) {
      flush();
      out.push(s);
    } else run.push(s);
  }
  flush();
  return out;
}

function trimBreaks(spans: Span[]): Span[] {
  const out = [...spans];
  const first = out[0];
  if (first?.kind === 'plain') out[0] = { kind: 'plain', text: first.text.replace(/^\n+/, '') };
  const last = out[out.length - 1];
  if (last?.kind === 'plain') out[out.length - 1] = { kind: 'plain', text: last.text.replace(/\n+$/, '') };
  const kept = out.filter((s) => !(s.kind === 'plain' && s.text === ''));
  return kept.length === 1 && kept[0]?.kind === 'plain' && kept[0].text.trim() === '' ? [] : kept;
}

/** Whether `t` holds a block of one of `kinds` (e.g. a table, which a plain chat message cannot show). */
export const hasBlock = (t: RichText, kinds: readonly BlockSpan['kind'][] = BLOCK_KINDS): boolean =>
  t.spans.some((s) => isBlock(s) && kinds.includes(s.kind));

/** Joins pieces with a separator written by the product (e.g. "\n"). */
export function join(parts: readonly Interpolation[], separator: string): RichText {
  const spans: Span[] = [];
  parts.forEach((p, i) => {
    if (i > 0) spans.push({ kind: 'plain', text: separator });
    spans.push(...spansOf(p));
  });
  return RichText.of(spans);
}

/** The text without any markup: for logs, tests, the web console and other plain-text surfaces. */
export function plainText(t: RichText): string {
  return t.spans
    .map((s) => {
      switch (s.kind) {
        case 'plain':
        case 'user':
          return s.text;
        case 'code':
          return `\`${s.text}\``;
        case 'strong':
        case 'em':
          return plainText(s.content);
        case 'link':
          return s.label === s.url ? s.url : `${s.label} (${s.url})`;
        case 'channel':
          return `#${s.id}`;
        case 'person':
          return `@${s.id}`;
        case 'list':
        case 'table':
        case 'actions':
          return blockLines(s, plainText).join('\n');
      }
      return '';
    })
    .join('');
}

/**
 * A block as lines of text (for plain text, and for chat text that cannot hold it, e.g. a notification's fallback):
 * list items as "• item" or "1. item", a table's rows as cells joined by " | ", buttons as "label" or "label: url".
 * `inline` renders each cell; the caller puts the result on lines of its own.
 */
export function blockLines(
  b: BlockSpan,
  inline: (t: RichText) => string,
  linkOf = plainLinkButton,
): string[] {
  switch (b.kind) {
    case 'list':
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '•'} ${inline(item)}`);
    case 'table':
      return [b.header, ...b.rows].map((row) => row.map(inline).join(' | '));
    case 'actions':
      return [b.actions.map((a) => (a.kind === 'open' ? linkOf(a.label, a.url) : `[${a.label}]`)).join('  ')];
  }
}
const plainLinkButton = (label: string, url: string): string => `${label}: ${url}`;

// ---------------------------------------------------------------- user text shared by every chat target

/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder the text around them. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Removes the characters that let a value reorder the product's text after it on screen (an "RTL override"). */
export const neutralizeBidi = (s: string): string => s.replace(BIDI_CONTROLS, '');

/** U+2060 WORD JOINER: invisible, no line break; put inside a pattern, it stops the pattern from matching. */
export const WORD_JOINER = '\u2060';

/**
 * Breaks what chat clients and servers turn into links or mentions on their own (bare URLs, `www.` hosts, domain
 * names, e-mail addresses, `@here`, `#channel`, `{{DATE(…)}}`), by a word joiner after `:` of `://`, after `.`,
 * `@` or `#` when a letter or digit follows, and between `{{`. The text reads the same; nothing links.
 */
export const breakAutoLinks = (s: string): string =>
  s
    .replace(/:(?=\/\/)/g, `:${WORD_JOINER}`)
    .replace(/([.@#])(?=[\p{L}\p{N}])/gu, `$1${WORD_JOINER}`)
    .replace(/\{(?=\{)/g, `{${WORD_JOINER}`);

/** The first step of every chat and card target for a user value: no reordering, no automatic links. */
export const chatSafe = (s: string): string => breakAutoLinks(neutralizeBidi(s));

/** `s` cut to at most `max` characters, ending in "…" when cut (every channel's length limits). */
export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
