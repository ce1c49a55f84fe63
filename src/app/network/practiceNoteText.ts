import { clipText } from '../../domain/practiceNote';
import type { RubricCatalog } from '../ports';
import { code, join, plain, type RichText, rich, strong } from '../text';
import type { PracticeNoteView, ShareResult, UnshareResult } from './practiceNotes';

/**
 * Practice notes as rich text (chat replies). Every text of a note was typed by people of the sharing district: it
 * goes in as user text (escaped by each channel's renderer), never as markup.
 */

const levelName = (rubrics: RubricCatalog, rubricId: string, level: number): string =>
  rubrics.get(rubricId)?.levels[level - 1]?.name ?? `level ${level}`;

/** The network view in chat shows this many notes, each text cut to VIEW_TEXT_MAX (the page shows them all, whole). */
export const VIEW_NOTES_MAX = 12;
export const VIEW_TEXT_MAX = 200;

/**
 * The note's contents, one line each: evidence, reflection answers (by question), actions (target, done); each
 * text cut to `max` characters.
 */
export function noteBody(
  n: PracticeNoteView,
  rubrics: RubricCatalog,
  max = Number.POSITIVE_INFINITY,
): RichText[] {
  const questions = rubrics.get(n.rubricId)?.reflectionQuestions ?? [];
  const cut = (s: string) => clipText(s, max);
  const lines: RichText[] = [];
  for (const e of n.evidence) lines.push(rich`  – Evidence: ${cut(e)}`);
  for (const r of n.reflections) {
    lines.push(rich`  – ${questions[r.question - 1] ?? `Question ${r.question}`} ${cut(r.text)}`);
  }
  for (const a of n.actions) {
    lines.push(
      rich`  – Action (aiming at ${levelName(rubrics, n.rubricId, a.target)}${a.done ? ', done' : ''}): ${cut(a.text)}`,
    );
  }
  return lines;
}

export function shareText(r: ShareResult, rubrics: RubricCatalog): RichText {
  const n = r.note;
  const count = (k: number, one: string) => `${k} ${one}${k === 1 ? '' : 's'}`;
  return join(
    [
      rich`Shared with the co-op network ${strong(r.networkName)} as a practice note on row ${String(n.rowNumber)} ${strong(n.rowTitle)}, cycle ${n.cycle}: ${plain(count(n.evidence.length, 'evidence text'))}, ${plain(count(n.reflections.length, 'reflection answer'))}, ${plain(count(n.actions.length, 'action'))} — exactly this:`,
      ...noteBody(n, rubrics),
      r.named
        ? rich`The network's facilitators and member districts' coordinators see it under your district's name, ${strong(n.by)}.`
        : rich`The network's facilitators and member districts' coordinators see it from "${plain(n.by)}" (your district is not named).`,
      rich`Never shared: votes, who voted or wrote what, owners of actions, building data. Withdraw it at any time with ${code(`network unshare ${n.rowNumber}`)}.`,
    ],
    '\n',
  );
}

export const unshareText = (r: UnshareResult): RichText =>
  rich`Withdrawn from ${strong(r.networkName)}: your practice note on row ${String(r.rowNumber)} ${strong(r.rowTitle)} (${join(r.cycles, ', ')}). The network no longer sees it.`;

/** The network view's practice notes, by rubric and row (only for askers the policy lets read them). */
export function notesText(notes: readonly PracticeNoteView[], rubrics: RubricCatalog): RichText {
  if (notes.length === 0) {
    return rich`Practice notes: none shared yet (a member district's coordinator shares one with ${code('network share <row>')}).`;
  }
  const lines: RichText[] = [rich`${strong('Practice notes')} shared by member districts:`];
  for (const n of notes) {
    const rubric = rubrics.get(n.rubricId)?.title ?? n.rubricId;
    lines.push(
      rich`• ${rubric}, row ${String(n.rowNumber)} ${strong(n.rowTitle)} — ${n.cycle}, from ${n.by}:`,
    );
    lines.push(...noteBody(n, rubrics));
  }
  return join(lines, '\n');
}
