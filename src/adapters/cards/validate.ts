/**
 * Validation of expanded cards with the official `adaptivecards` library (its main entry needs a DOM; the dist
 * bundle parses and validates without one). Used by tests and by start-up checks; not on the hot path.
 */
// biome-ignore lint/suspicious/noExplicitAny: the dist bundle ships no typings of its own
const AC: any = require('adaptivecards/dist/adaptivecards.js');

export interface CardIssue {
  phase: 'parse' | 'validate';
  message: string;
}

/** Parses the card as schema 1.5 and returns every parse and validation event (empty = valid). */
export function validateCard(card: object): CardIssue[] {
  const issues: CardIssue[] = [];
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++)
    issues.push({ phase: 'parse', message: ctx.getEventAt(i).message });
  const results = parsed.validateProperties();
  for (const e of results.validationEvents as Array<{ message: string }>) {
    issues.push({ phase: 'validate', message: e.message });
  }
  return issues;
}
