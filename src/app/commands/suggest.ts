/**
 * Typo suggestions for an unknown command word ("stauts" → status): the closest of the given words by
 * Damerau–Levenshtein distance (optimal string alignment: insert, delete, substitute, swap two neighbours).
 */

/** Edits (insert, delete, substitute, or swap two neighbouring letters) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i letters of a and the first j letters of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}

/**
 * The word of `words` that `typed` most likely meant, or null when none is close: within 2 edits (1 for words of
 * 3 to 5 letters, none for shorter ones, so "xy" is not taken for "?"), or starting with at least 3 letters
 * typed ("sched" → schedule). The fewest edits wins; on a tie, the earlier word.
 */
export function closest(typed: string, words: readonly string[]): string | null {
  let best: { word: string; distance: number } | null = null;
  for (const word of words) {
    const distance = editDistance(typed, word);
    const near = distance <= Math.min(2, Math.floor(word.length / 3));
    const prefix = typed.length >= 3 && word.startsWith(typed);
    if ((near || prefix) && (!best || distance < best.distance)) best = { word, distance };
  }
  return best?.word ?? null;
}
