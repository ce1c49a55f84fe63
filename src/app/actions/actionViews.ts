import { type ActionItem, sortActions, tallyActions } from '../../domain/action';
import type { Member } from '../../domain/district';
import { levelLabel, type Rubric } from '../../domain/rubric';
import { BLOCK_LIMITS, bullets, clip, code, join, plain, type RichText, rich, strong } from '../text';
import { showDay } from '../when';

/**
 * Channel-neutral views of a district's actions (chat replies, the dashboard, exports, the next cycle's poll).
 * Every string a person typed (action text, names, cycle) stays a value: renderers escape it for their target.
 */
export interface ActionView {
  id: string;
  cycle: string;
  reviewId: string;
  rowId: string;
  rowNumber: number | null;
  rowTitle: string;
  text: string;
  ownerName: string;
  due: string;
  target: number;
  targetLabel: string;
  status: 'open' | 'done';
  doneByName: string | null;
  doneAt: Date | null;
  /** The day it was marked done, in the district's time zone ("2026-11-24"); null while open. */
  doneOn: string | null;
  /** "reflection" when the text is a member's reflection answer. */
  source: 'direct' | 'reflection';
}

export interface ActionRowGroup {
  rowId: string;
  rowNumber: number | null;
  rowTitle: string;
  open: ActionView[];
  done: ActionView[];
}

export interface ActionsView {
  districtName: string;
  open: number;
  done: number;
  rows: ActionRowGroup[];
}

/** One action as people read it: row and level names from the rubric, names from the member list. */
export function actionView(
  a: ActionItem,
  rubric: Rubric | null,
  names: ReadonlyMap<string, string>,
  timezone: string,
): ActionView {
  const index = rubric ? rubric.rows.findIndex((r) => r.id === a.rowId) : -1;
  return {
    id: a.id,
    cycle: a.cycle,
    reviewId: a.reviewId,
    rowId: a.rowId,
    rowNumber: index >= 0 ? index + 1 : null,
    rowTitle: rubric?.rows[index]?.title ?? a.rowId,
    text: a.text,
    ownerName: names.get(a.ownerId) || a.ownerName || a.ownerId,
    due: a.due,
    target: a.target,
    targetLabel: rubric ? levelLabel(rubric, a.target) : String(a.target),
    status: a.status,
    doneByName: a.doneBy ? names.get(a.doneBy) || a.doneBy : null,
    doneAt: a.doneAt,
    doneOn: a.doneAt ? showDay(a.doneAt, timezone) : null,
    source: a.source.kind,
  };
}

export const namesOf = (members: readonly Member[]) =>
  new Map(members.map((m) => [m.memberId, m.displayName || m.memberId]));

/** A district's actions by rubric row (rubric order), open ones first (earliest due), then done ones. */
export function buildActionsView(
  districtName: string,
  actions: readonly ActionItem[],
  rubricOf: (id: string) => Rubric | null,
  members: readonly Member[],
  timezone: string,
): ActionsView {
  const names = namesOf(members);
  const order = [...new Set(actions.map((a) => a.rubricId))].flatMap(
    (id) => rubricOf(id)?.rows.map((r) => r.id) ?? [],
  );
  const rows: ActionRowGroup[] = [];
  for (const a of sortActions(actions, order)) {
    const v = actionView(a, rubricOf(a.rubricId), names, timezone);
    let g = rows.find((r) => r.rowId === v.rowId);
    if (!g) {
      g = { rowId: v.rowId, rowNumber: v.rowNumber, rowTitle: v.rowTitle, open: [], done: [] };
      rows.push(g);
    }
    (v.status === 'open' ? g.open : g.done).push(v);
  }
  const t = tallyActions(actions);
  return { districtName, open: t.total - t.done, done: t.done, rows };
}

/** An action as an item of a list (its id, text, owner, due date and target, or when it was done). */
export function actionItem(v: ActionView): RichText {
  const what = rich`“${clip(v.text, 300)}” — ${clip(v.ownerName, 80)}`;
  return v.status === 'open'
    ? rich`${code(v.id)} ${what}, due ${plain(v.due)}, target ${plain(v.targetLabel)}`
    : rich`✓ ${code(v.id)} ${what}, done${v.doneByName ? rich` by ${clip(v.doneByName, 80)}` : ''} ${plain(v.doneOn ?? '')}`;
}

/** One line of an action in a chat reply. */
export const actionLine = (v: ActionView): RichText => rich`• ${actionItem(v)}`;

/** The `actions` reply: every row with actions, open then done. */
export function actionsText(v: ActionsView): RichText {
  if (v.rows.length === 0) {
    return rich`${strong(v.districtName)} has no actions yet. A coordinator adds one with ${code('action add <row> "text" owner=@person due=2027-02-01 target=3')}.`;
  }
  const parts: RichText[] = [
    rich`${strong('Actions')} of ${strong(v.districtName)}: ${plain(`${v.open} open, ${v.done} done`)}`,
  ];
  for (const g of v.rows) {
    const head = g.rowNumber
      ? rich`${strong(plain(`Row ${g.rowNumber}`))} “${g.rowTitle}”`
      : rich`${strong('Row')} “${g.rowTitle}”`;
    // A real list per row (at most BLOCK_LIMITS.listItems; the dashboard lists every one).
    const items = [...g.open, ...g.done].map(actionItem);
    const shown = items.slice(0, BLOCK_LIMITS.listItems);
    const more = items.length - shown.length;
    parts.push(rich`${head}\n${bullets(shown)}${more > 0 ? rich`\n${plain(`and ${more} more`)}` : ''}`);
  }
  return join(parts, '\n\n');
}

/**
 * What the next cycle's poll of a row shows of last cycle's actions for that row: how many were done, and each
 * one's text (cut short) and whether it was done.
 */
export interface LastCycleActions {
  cycle: string;
  done: number;
  total: number;
  items: Array<{ text: string; done: boolean }>;
}

/**
 * Last cycle's actions of `rowId` as seen from `review`: the actions of the latest earlier review of the same
 * rubric in the district that has any actions (by when that review was created). Null when there are none.
 */
export function lastCycleActions(
  review: { id: string; rubricId: string; createdAt: Date },
  rowId: string,
  actions: readonly ActionItem[],
  reviewCreatedAt: ReadonlyMap<string, Date>,
): LastCycleActions | null {
  const earlier = actions.filter((a) => {
    const at = reviewCreatedAt.get(a.reviewId);
    return (
      a.reviewId !== review.id &&
      a.rubricId === review.rubricId &&
      at !== undefined &&
      at.getTime() < review.createdAt.getTime()
    );
  });
  if (earlier.length === 0) return null;
  const latest = earlier.reduce((best, a) =>
    (reviewCreatedAt.get(a.reviewId)?.getTime() ?? 0) > (reviewCreatedAt.get(best.reviewId)?.getTime() ?? 0)
      ? a
      : best,
  );
  const row = sortActions(
    earlier.filter((a) => a.reviewId === latest.reviewId && a.rowId === rowId),
    [],
  );
  if (row.length === 0) return null;
  const t = tallyActions(row);
  return {
    cycle: latest.cycle,
    done: t.done,
    total: t.total,
    items: row.map((a) => ({ text: clip(a.text, 120), done: a.status === 'done' })),
  };
}

/** "Last cycle's actions (2025-26 Spring): 2 of 3 done — ✓ … · ○ …" (at most `maxItems`, each cut short). */
export function lastCycleText(l: LastCycleActions, maxItems = 3): RichText {
  const items = l.items.slice(0, maxItems).map((i) => rich`${plain(i.done ? '✓' : '○')} ${clip(i.text, 60)}`);
  const more = l.items.length - Math.min(l.items.length, maxItems);
  return rich`${strong(plain("Last cycle's actions"))} (${clip(l.cycle, 60)}): ${plain(`${l.done} of ${l.total} done`)} — ${join(items, ' · ')}${more > 0 ? plain(` · and ${more} more`) : ''}`;
}
