import { DomainError } from '../../domain/errors';
import type { Level, Rubric } from '../../domain/rubric';
import type { CommandContext } from './types';

/** Reading the words of a command line: tokens, flags and options, mentions, channels, levels, numbers, dates. */

/** Splits text into words, keeping "quoted phrases" (straight or curly quotes) and <@mentions> together. */
export function tokenize(input: string): string[] {
  const tokens: string[] = [];
  // <@U123|Display Name> mentions may contain spaces: keep them whole.
  const re = /(<[^<>]*>)|"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '');
  }
  return tokens;
}

export interface Parsed {
  words: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

/** `key=value` options (keys of letters and dashes), the known flags, and the remaining words in order. */
export function parseArgs(tokens: string[], knownFlags: string[]): Parsed {
  const words: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq > 0 && /^[a-z-]+$/i.test(t.slice(0, eq)))
      options.set(t.slice(0, eq).toLowerCase(), t.slice(eq + 1));
    else if (knownFlags.includes(t.toLowerCase())) flags.add(t.toLowerCase());
    else words.push(t);
  }
  return { words, flags, options };
}

const MENTION = /^<@([A-Za-z0-9._:-]+)(?:\|([^>]*))?>$|^@([A-Za-z0-9._:-]+)$/;

export function parseMention(token: string | undefined): { id: string; name: string } | null {
  if (!token) return null;
  const m = MENTION.exec(token);
  if (!m) return null;
  const id = (m[1] ?? m[3]) as string;
  return { id, name: m[2] ?? '' };
}

/** A `<@U123>` / `<@U123|Name>` mention's user id (the nudge commands' member lists), else null. */
export const parseUser = (t: string): string | null =>
  /^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$/.exec(t)?.[1] ?? null;

/**
 * `#C123` or a raw channel id such as a Teams `19:…@thread.tacv2`. (Slack's `<#C123|name>` links are turned into
 * `#C123` by the Slack adapter before a command reaches the app.)
 */
export function parseChannel(token: string | undefined): string | null {
  if (!token) return null;
  const plain = /^#?([A-Za-z0-9_.:@-]{2,200})$/.exec(token);
  return plain && (token.startsWith('#') || /^(C|G|19:)/.test(token)) ? (plain[1] ?? null) : null;
}

/**
 * The mentioned person as the platform knows them. A mention is only text: without the platform's word that the
 * person exists here, nobody is granted anything (a typed "<@anyone|Name>" must not become a coordinator).
 */
export async function confirmed(ctx: CommandContext, who: { id: string; name: string }) {
  const found = ctx.people ? await ctx.people.confirm(who.id) : null;
  if (!found) {
    throw new DomainError(
      'invalid-input',
      `I could not find ${who.name ? `"${who.name.slice(0, 80)}"` : 'that person'} in this workspace, so nothing was changed. Mention them with @ so the app can look them up.`,
    );
  }
  return { displayName: found.displayName || who.name };
}

/** The error for input a command cannot read: the problem, then the command's usage. */
export const usageError = (usage: string, problem: string): DomainError =>
  new DomainError('invalid-input', `${problem}\nUsage: ${usage}`);

/** A level by number (1-4) or by the start of its name or subtitle in the rubric. */
export function parseLevel(token: string | undefined, rubric: Rubric | null): Level | null {
  if (!token) return null;
  const n = Number(token);
  if (Number.isInteger(n) && n >= 1 && n <= 4) return n as Level;
  const t = token.toLowerCase();
  const names = rubric?.levels ?? [];
  const found = names.find(
    (l) => l.name.toLowerCase().startsWith(t) || l.subtitle?.toLowerCase().startsWith(t),
  );
  return found ? found.level : null;
}

type Usage = (problem: string) => DomainError;

export function parseNumber(usage: Usage, name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw usage(`"${name}" must be a number (got "${raw}").`);
  return n;
}

export function parseDate(usage: Usage, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime()))
    throw usage(`"deadline" must be a date such as 2026-12-15T17:00Z (got "${raw}").`);
  return d;
}
