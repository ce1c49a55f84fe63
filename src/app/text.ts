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
  | { readonly kind: 'person'; readonly id: string };

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
      }
      return '';
    })
    .join('');
}

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
