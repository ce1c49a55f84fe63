import type { Level } from './rubric';

/**
 * A practice note (issue 17): what one member district chose to share with its co-op network about one rubric row
 * of one cycle — the row's evidence texts (from closed rounds), the reflection answers and the actions written for
 * it. Never a vote, a voter's or an owner's name, or building data: the note holds texts and levels only. It is a
 * snapshot taken when the coordinator shares it (sharing again replaces it) and is gone at once when withdrawn.
 */
export interface PracticeNote {
  networkId: string;
  tenantId: string;
  districtId: string;
  reviewId: string;
  cycle: string;
  rubricId: string;
  rowId: string;
  /** Evidence texts of the row's closed rounds, without who wrote them or what they voted (duplicates once). */
  evidence: string[];
  /** Reflection answers on the row: the question's number and the text, without who answered. */
  reflections: Array<{ question: number; text: string }>;
  /** Actions written for the row: the text, the level aimed at and whether it is done; no owner, no due date. */
  actions: Array<{ text: string; target: Level; done: boolean }>;
  sharedAt: Date;
}

/** The most of each kind a note carries, and the longest text kept (a chat reply stays within the platforms' limits). */
export const NOTE_LIMITS = { evidence: 10, reflections: 10, actions: 10, text: 500 } as const;

/** A text cut to `max` characters, with "…" where it was cut. */
export const clipText = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Cycle names match without case, outer spaces or repeated spaces (as in the network view). */
const cycleKeyOf = (cycle: string) => cycle.trim().replace(/\s+/g, ' ').toLowerCase();

/** One note per district, rubric row and cycle (the key within its network's namespace). */
export const noteKey = (n: Pick<PracticeNote, 'tenantId' | 'districtId' | 'rubricId' | 'rowId' | 'cycle'>) =>
  [n.tenantId, n.districtId, n.rubricId, n.rowId, cycleKeyOf(n.cycle)].map(encodeURIComponent).join('|');

/** What a district's row gives to a note: every text it has, stripped of who wrote it. */
export interface NoteSources {
  evidence: ReadonlyArray<{ round: number; text: string | null; at: Date }>;
  reflections: ReadonlyArray<{ question: number; text: string; at: Date }>;
  actions: ReadonlyArray<{ text: string; target: Level; status: 'open' | 'done'; createdAt: Date }>;
}

/**
 * The note's contents from the row's sources: texts only, in order, empty ones and repeats dropped, at most
 * NOTE_LIMITS of each kind, each text at most NOTE_LIMITS.text characters.
 */
export function noteContents(s: NoteSources): Pick<PracticeNote, 'evidence' | 'reflections' | 'actions'> {
  const seen = new Set<string>();
  const evidence = [...s.evidence]
    .sort((a, b) => a.round - b.round || a.at.getTime() - b.at.getTime())
    .map((e) => (e.text ?? '').trim())
    .filter((t) => t !== '' && !seen.has(t) && seen.add(t))
    .slice(0, NOTE_LIMITS.evidence)
    .map((t) => clipText(t, NOTE_LIMITS.text));
  const reflections = [...s.reflections]
    .sort((a, b) => a.question - b.question || a.at.getTime() - b.at.getTime())
    .filter((r) => r.text.trim() !== '')
    .map((r) => ({ question: r.question, text: clipText(r.text.trim(), NOTE_LIMITS.text) }))
    .slice(0, NOTE_LIMITS.reflections);
  const actions = [...s.actions]
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((a) => ({
      text: clipText(a.text.trim(), NOTE_LIMITS.text),
      target: a.target,
      done: a.status === 'done',
    }))
    .slice(0, NOTE_LIMITS.actions);
  return { evidence, reflections, actions };
}

/** How a note is attributed: the district's name only if it chose to be named in the network. */
export const ANONYMOUS_DISTRICT = 'a district in the network';
