import type { Activity1Content } from './activity1';
import type { BalanceContent } from './balance';

/** The ordered levels of a MICIP continuum rubric: 1 = Beginning (Individualistic) … 4 = Accomplished (Collaborative). */
export type Level = 1 | 2 | 3 | 4;
export const LEVELS: readonly Level[] = [1, 2, 3, 4];
/** What a member may answer on a poll: a level, or "not sure". */
export type Choice = Level | 'unsure';

export const isLevel = (n: unknown): n is Level => n === 1 || n === 2 || n === 3 || n === 4;

export interface RubricLevel {
  level: Level;
  name: string;
  subtitle?: string | undefined;
}

export interface RubricRow {
  id: string;
  title: string;
  /** Cell text per level, index 0 = level 1 (Beginning) … index 3 = level 4 (Accomplished). */
  cells: readonly [string, string, string, string];
}

export interface Rubric {
  id: string;
  title: string;
  source: string;
  levels: readonly [RubricLevel, RubricLevel, RubricLevel, RubricLevel];
  rows: readonly RubricRow[];
  reflectionQuestions: readonly string[];
  /** The toolkit's learner outcomes, Section One and Activity 1, when the toolkit has them. */
  activity1?: Activity1Content | undefined;
  /** The toolkit's "Maintaining Balance" table (Section 3), when the toolkit has it: the action plans' functions. */
  balance?: BalanceContent | undefined;
}

export const cellText = (row: RubricRow, level: Level): string => row.cells[level - 1] as string;

export const levelInfo = (rubric: Rubric, level: Level): RubricLevel =>
  rubric.levels[level - 1] as RubricLevel;

/** "Beginning (Individualistic)" */
export const levelLabel = (rubric: Rubric, level: Level): string => {
  const l = levelInfo(rubric, level);
  return l.subtitle ? `${l.name} (${l.subtitle})` : l.name;
};

/**
 * Levels in the order the toolkit asks a team to read them (Activity 2): start at Accomplished and
 * move left until a description fits.
 */
export const LEVELS_ACCOMPLISHED_FIRST: readonly Level[] = [4, 3, 2, 1];
