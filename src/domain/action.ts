import { DomainError } from './errors';
import { addDays, localDateString, localParts } from './localTime';
import type { Level } from './rubric';

/**
 * An action the district team commits to after a review (the toolkit's reflection: "What actions might the team
 * consider to begin the shift? To maintain the shift?"): what, who owns it, by when, the level of the rubric row it
 * aims the row at, and whether it is done. Each action belongs to the review (cycle) it was written in, so the next
 * cycle's poll of that row can show how many of last cycle's actions were done.
 */
export interface ActionItem {
  id: string;
  tenantId: string;
  districtId: string;
  /** The review (cycle) the action was written in, and its cycle's name. */
  reviewId: string;
  cycle: string;
  rubricId: string;
  rowId: string;
  text: string;
  ownerId: string;
  ownerName: string;
  /** Calendar date, YYYY-MM-DD (in the district's time zone). */
  due: string;
  target: Level;
  /** Where the text came from: typed directly, or a member's reflection answer. */
  source: { kind: 'direct' } | { kind: 'reflection'; question: number; memberId: string };
  status: 'open' | 'done';
  doneBy: string | null;
  doneAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

export const ACTION_TEXT_MAX = 1000;

/** A YYYY-MM-DD that names a real calendar day, else null. */
export function parseDueDate(raw: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? raw.trim() : null;
}

/** The district's calendar day at `now` (YYYY-MM-DD). */
export const localDay = (now: Date, tz: string): string => localDateString(localParts(now, tz));

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  const ms = (s: string) => Date.parse(`${s}T00:00:00Z`);
  return Math.round((ms(to) - ms(from)) / 86_400_000);
}

export type NewAction = Omit<
  ActionItem,
  'status' | 'doneBy' | 'doneAt' | 'createdAt' | 'text' | 'due' | 'target'
> & {
  text: string;
  due: string;
  target: number;
};

/**
 * A new open action, checked: some text (at most ACTION_TEXT_MAX characters, kept as typed apart from outer
 * spaces), a real due date that is not before the district's today, a target level 1-4.
 */
export function createAction(input: NewAction, now: Date, tz: string): ActionItem {
  const text = input.text.trim();
  if (!text) throw new DomainError('invalid-input', 'Say what the action is, in quotes. Nothing was saved.');
  if (text.length > ACTION_TEXT_MAX) {
    throw new DomainError(
      'invalid-input',
      `An action is at most ${ACTION_TEXT_MAX} characters (this one has ${text.length}); shorten it. Nothing was saved.`,
    );
  }
  const due = parseDueDate(input.due);
  if (!due) {
    throw new DomainError(
      'invalid-input',
      `"due" must be a calendar date such as 2027-02-01 (got "${input.due.slice(0, 40)}"). Nothing was saved.`,
    );
  }
  const today = localDay(now, tz);
  if (due < today) {
    throw new DomainError(
      'invalid-input',
      `The due date ${due} has already passed (today is ${today}). Nothing was saved.`,
    );
  }
  if (!Number.isInteger(input.target) || input.target < 1 || input.target > 4) {
    throw new DomainError(
      'bad-level',
      'The target level is a number from 1 (Beginning) to 4 (Accomplished), e.g. target=3. Nothing was saved.',
    );
  }
  return {
    ...input,
    text,
    due,
    target: input.target as Level,
    status: 'open',
    doneBy: null,
    doneAt: null,
    createdAt: now,
  };
}

/** The action marked done by `by` at `now`; an action already done is refused (who and when it was done). */
export function completeAction(a: ActionItem, by: string, now: Date): ActionItem {
  if (a.status === 'done') {
    throw new DomainError(
      'invalid-state',
      `That action was already marked done${a.doneAt ? ` on ${a.doneAt.toISOString().slice(0, 10)}` : ''}.`,
    );
  }
  return { ...a, status: 'done', doneBy: by, doneAt: now };
}

/**
 * Whether an owner should be reminded of `a` on `today` (the district's calendar day): open, and due within
 * `withinDays` days or overdue. Returns the days left (negative: overdue), or null for no reminder.
 */
export function reminderDue(a: ActionItem, today: string, withinDays: number): number | null {
  if (a.status !== 'open') return null;
  const left = daysBetween(today, a.due);
  return left <= withinDays ? left : null;
}

/** The key a reminder is claimed under: one per action per district calendar day. */
export const reminderKey = (a: Pick<ActionItem, 'tenantId' | 'districtId' | 'id'>, day: string) =>
  `${encodeURIComponent(a.tenantId)}|${encodeURIComponent(a.districtId)}|${a.id}|${day}`;

/** Reminders go out from this local hour on (not at midnight). */
export const REMINDER_EARLIEST_HOUR = 8;
/** …and not from this local hour on (quiet evening); a day missed entirely is simply the next day's reminder. */
export const REMINDER_LATEST_HOUR = 20;

/** Whether `now` is within the hours reminders go out in the district's time zone. */
export function inReminderHours(now: Date, tz: string): boolean {
  const h = localParts(now, tz).hour;
  return h >= REMINDER_EARLIEST_HOUR && h < REMINDER_LATEST_HOUR;
}

/** The day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return localDateString(addDays({ year: y, month: m, day: d }, 1));
}

/** Open first (earliest due first), then done (latest done first); by row order when `rowOrder` is given. */
export function sortActions(actions: readonly ActionItem[], rowOrder: readonly string[] = []): ActionItem[] {
  const row = (a: ActionItem) => {
    const i = rowOrder.indexOf(a.rowId);
    return i < 0 ? rowOrder.length : i;
  };
  return [...actions].sort(
    (a, b) =>
      row(a) - row(b) ||
      (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) ||
      (a.status === 'open'
        ? a.due.localeCompare(b.due)
        : (b.doneAt?.getTime() ?? 0) - (a.doneAt?.getTime() ?? 0)) ||
      a.id.localeCompare(b.id),
  );
}

/** "2 of 3 done" for a row's actions of one cycle. */
export interface ActionTally {
  done: number;
  total: number;
}

export const tallyActions = (actions: readonly ActionItem[]): ActionTally => ({
  done: actions.filter((a) => a.status === 'done').length,
  total: actions.length,
});
