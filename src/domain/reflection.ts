/**
 * A member's answer to one reflection question on a rated rubric row of a review: one per member, row and
 * question (a new answer replaces the member's earlier one).
 */
export interface Reflection {
  rowId: string;
  /** 1-based index into the rubric's reflection questions. */
  question: number;
  memberId: string;
  text: string;
  at: Date;
}
