import type { PracticeNoteView } from '../../app/network/practiceNotes';
import type { RubricCatalog } from '../../app/ports';
import { esc } from './pages';

/**
 * The practice notes section of the co-op network page (only on a link handed to a reader of notes: facilitators and
 * member districts' coordinators). Every text was typed by people of the sharing district: all of it goes through
 * `esc`.
 */
export function notesSection(notes: readonly PracticeNoteView[], rubrics: RubricCatalog): string {
  if (notes.length === 0) {
    return '<section data-testid="practice-notes"><h2>Practice notes</h2><p class="muted">None shared yet.</p></section>';
  }
  const items = notes.map((n) => {
    const cat = rubrics.get(n.rubricId);
    const level = (l: number) => esc(cat?.levels[l - 1]?.name ?? `level ${l}`);
    const lines = [
      ...n.evidence.map((e) => `<li>Evidence: ${esc(e)}</li>`),
      ...n.reflections.map(
        (r) =>
          `<li>${esc(cat?.reflectionQuestions[r.question - 1] ?? `Question ${r.question}`)} ${esc(r.text)}</li>`,
      ),
      ...n.actions.map(
        (a) => `<li>Action (aiming at ${level(a.target)}${a.done ? ', done' : ''}): ${esc(a.text)}</li>`,
      ),
    ];
    return `<article class="note"><h3>${esc(cat?.title ?? n.rubricId)}, row ${n.rowNumber}: ${esc(n.rowTitle)} — ${esc(n.cycle)}</h3><p class="muted">From ${esc(n.by)}</p><ul>${lines.join('')}</ul></article>`;
  });
  return `<section data-testid="practice-notes"><h2>Practice notes</h2>${items.join('\n')}</section>`;
}
