import { validateCard } from '../../src/adapters/cards/validate';
import { parseCsv } from '../support/csv';

/**
 * Hostile text: what a member, coordinator or their directory could put into a name, cycle, note or form, and the
 * detectors that say whether any of it came out live (a mention, a link, markup, a formula) in a target.
 */

/** In every hostile value, near its start: text holding it came from a user. */
export const MARK = '☣';
/** "${" without a template literal (linters take it for a mistake). */
const CURLY = ['$', '{'].join('');

export const PIECES = {
  mentions: [
    '<!channel>',
    '<!here>',
    '<@U0EVIL>',
    '<#C0EVIL>',
    '<!subteam^S0EVIL>',
    '@channel',
    '@here',
    '<at>All</at>',
  ],
  links: [
    '<https://evil.example|Login>',
    '[Reset your password](https://evil.example/reset)',
    'https://evil.example/x',
    'www.evil.example',
    'attacker@evil.example',
    '<mailto:attacker@evil.example|mail>',
  ],
  markdown: ['*b*', '**b**', '_i_', '~s~', '`tick`', '```fence```', '# heading', '> quote', '- item'],
  html: ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '&lt;b&gt;', '&amp;'],
  formulas: ['=1+1', '+1', '-1', '@SUM(A1)', ';=cmd', ',=1', '\t=1'],
  templates: [`${CURLY}$root}`, `${CURLY}title}`, '{{x}}', '{{DATE(2017-02-14T06:08:39Z, SHORT)}}'],
  unicode: ['\u202Eevil\u202C', 'zero\u200Bwidth\u200D\u2060', '\u2066iso\u2069'],
} as const;

/** Every piece, space-separated (no straight double quote: command lines quote with it). */
export const ALL = Object.values(PIECES).flat().join(' ');

/** `start` (what the value begins with, e.g. a formula character), the mark, then the corpus, cut to `max`. */
const fill = (start: string, max: number): string => `${start}${MARK} ${ALL} ${ALL}`.slice(0, max).trimEnd();

/** Values at the limit of each field. */
export const HOSTILE = {
  /** The reported case: a cycle name with an @channel and a disguised link (≤ 60). */
  cycle: `<!channel>${MARK} <https://evil.example|Login>`,
  district: fill('=HYPERLINK("https://evil.example")', 120).replace(/"/g, ''),
  /** 256 characters: what Microsoft Entra ID allows. */
  name: fill('@channel', 256),
  otherName: fill('[Reset your password](https://evil.example/reset)', 256),
  evidence: fill('+1', 2000),
  note: fill(';=cmd', 2000),
  reflection: fill('@SUM(A1)', 2000),
  building: fill('-2+3', 120),
  /** Monitoring-data form text (meaning, recommendations: ≤ 3000). */
  form: fill('=1+1', 3000),
} as const;

export const TOO_LONG = {
  name: 'n'.repeat(257),
  cycle: 'c'.repeat(61),
  /** 100,000 characters. */
  text: `${HOSTILE.evidence}${'x'.repeat(100_000)}`.slice(0, 100_000),
} as const;

// ---------------------------------------------------------------- detectors (each returns what leaked)

/** Slack mrkdwn: nothing from user text may mention, link or be auto-linked by Slack. */
export function slackLeaks(mrkdwn: string): string[] {
  const out: string[] = [];
  const check = (re: RegExp, what: string) => {
    const m = re.exec(mrkdwn);
    if (m) out.push(`${what}: …${mrkdwn.slice(Math.max(0, m.index - 20), m.index + 40)}…`);
  };
  check(/<!/, 'special mention (<!channel>, <!here>, <!subteam>)');
  check(/<@U0EVIL/, 'user mention');
  check(/<#C0EVIL/, 'channel link');
  check(/<(?:https?|mailto):[^>]*evil/i, 'link');
  check(/https?:\/\/evil|www\.evil|evil\.example|@evil/i, 'bare URL or e-mail that Slack links');
  check(/(^|[^\w\u2060])@(?:channel|here|everyone)\b/, '@-mention that Slack may resolve');
  check(/<at>/i, 'Teams mention');
  return out;
}

type Json = unknown;

/** Every mrkdwn text of a Slack payload (message text, mrkdwn text objects, file comments), for `slackLeaks`. */
export function slackTexts(payload: Json): string[] {
  const out: string[] = [];
  const walk = (x: Json, key: string | null) => {
    if (Array.isArray(x)) for (const v of x) walk(v, null);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      for (const [k, v] of Object.entries(o)) {
        if ((k === 'text' || k === 'initial_comment') && typeof v === 'string' && key === null) out.push(v);
        else walk(v, k);
      }
    }
  };
  walk(payload, null);
  return out;
}

/**
 * An Adaptive Card: valid for schema 1.5, user text (marked) never in a TextBlock or a fact (markdown is parsed
 * there), and the text runs holding it link nothing and format no {{DATE()}}.
 */
export function cardLeaks(card: Json): string[] {
  const out = validateCard(card as object).map((i) => `invalid card (${i.phase}): ${i.message}`);
  const walk = (x: Json) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.type === 'TextBlock' && String(o.text ?? '').includes(MARK))
        out.push(`user text in a TextBlock: ${String(o.text).slice(0, 60)}`);
      if (o.type === 'FactSet') {
        for (const f of (o.facts as Array<{ title?: string; value?: string }>) ?? []) {
          if (`${f.title}${f.value}`.includes(MARK)) out.push(`user text in a fact: ${f.title}`);
        }
      }
      if (o.type === 'TextRun') {
        const t = String(o.text ?? '');
        if (/https?:\/\/evil|www\.evil|evil\.example|@evil/i.test(t))
          out.push(`auto-link in a text run: ${t.slice(0, 60)}`);
        if (/\{\{/.test(t)) out.push(`{{…}} function in a text run: ${t.slice(0, 60)}`);
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** Teams message markdown: no markup, mention, HTML or link from user text; code blocks stay closed. */
export function teamsTextLeaks(text: string): string[] {
  const out: string[] = [];
  const fences = text.split('```');
  if (fences.length % 2 === 0) out.push('a code block is not closed (a fence in the content ended it)');
  const outside = fences.filter((_, i) => i % 2 === 0).join('\n');
  for (const raw of [
    ...PIECES.mentions.filter((p) => p.startsWith('<')),
    '<script',
    '<img',
    '<https',
    '<mailto',
  ])
    if (outside.includes(raw)) out.push(`raw ${raw}`);
  for (const md of ['*b*', '_i_', '~s~', '`tick`', '](https://evil'])
    if (outside.includes(md)) out.push(`live markdown ${md}`);
  if (/https?:\/\/evil|www\.evil|evil\.example|@evil/i.test(outside)) out.push('bare URL or e-mail');
  return out;
}

/** HTML: user text appears only escaped (no tag, mention or link of it), checked without parsing. */
export function htmlLeaks(html: string): string[] {
  const out: string[] = [];
  for (const tag of ['<script', '<img', '<at>', '<!channel', '<!here', '<@U0EVIL', '<https', '<mailto'])
    if (html.toLowerCase().includes(tag)) out.push(`raw ${tag}`);
  if (/href="(?:https?:\/\/evil|javascript:)/i.test(html)) out.push('link to the attacker');
  if (/[\u202A-\u202E\u2066-\u2069]/.test(html)) out.push('bidi override');
  return out;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA = /^[\s"]*[=+\-@]|^[\t\r]/;

/**
 * CSV: no cell starts with a formula character, read with `,` (RFC 4180) or split the way a spreadsheet in a
 * locale with `;` or tab separators would split the same lines (numbers excepted).
 */
export function csvLeaks(csv: string): string[] {
  const out: string[] = [];
  parseCsv(csv).forEach((row, r) => {
    row.forEach((cell, c) => {
      if (FORMULA.test(cell) && !NUMBER.test(cell)) out.push(`row ${r} cell ${c}: ${cell.slice(0, 30)}`);
    });
  });
  for (const line of csv.split(/\r?\n/))
    for (const sep of [';', '\t'])
      line
        .split(sep)
        .slice(1)
        .forEach((piece) => {
          if (FORMULA.test(piece) && !NUMBER.test(piece.trim()))
            out.push(`after "${sep === '\t' ? 'tab' : sep}": ${piece.slice(0, 30)}`);
        });
  return out;
}

/** Markdown export: user text shows as written, never as markup, HTML or a link. */
export function markdownLeaks(md: string): string[] {
  const out: string[] = [];
  if (md.includes('[Reset your password](')) out.push('live link');
  // A backslash before `<` makes it text (CommonMark 2.4): only an unescaped `<` is HTML or an autolink.
  for (const tag of ['<script', '<img', '<!channel', '<https', '<at>'])
    if (
      md
        .split(tag)
        .slice(0, -1)
        .some((before) => !before.endsWith('\\'))
    )
      out.push(`raw ${tag}`);
  for (const [re, what] of [
    [/(^|[^\\])\*b\*/, '*b*'],
    [/(^|[^\\])_i_/, '_i_'],
    [/(^|[^\\])~s~/, '~s~'],
    [/(^|[^\\])`tick`/, '`tick`'],
  ] as const)
    if (re.test(md)) out.push(`live ${what}`);
  if (/https?:\/\/evil|www\.evil|evil\.example|@evil/i.test(md)) out.push('bare URL or e-mail');
  return out;
}
