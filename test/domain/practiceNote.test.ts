import { NOTE_LIMITS, noteContents, noteKey } from '../../src/domain/practiceNote';

const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 15, min));

describe('noteContents: texts only, ordered, empty and repeated texts dropped, capped', () => {
  test('evidence by round then time, once each; reflections by question; actions by creation', () => {
    const c = noteContents({
      evidence: [
        { round: 2, text: 'late', at: at(1) },
        { round: 1, text: ' same ', at: at(3) },
        { round: 1, text: 'first', at: at(2) },
        { round: 1, text: 'same', at: at(4) },
        { round: 1, text: null, at: at(5) },
        { round: 1, text: '  ', at: at(6) },
      ],
      reflections: [
        { question: 3, text: 'q3', at: at(1) },
        { question: 1, text: 'q1 later', at: at(9) },
        { question: 1, text: 'q1', at: at(2) },
        { question: 2, text: ' ', at: at(2) },
      ],
      actions: [
        { text: 'second', target: 3, status: 'done', createdAt: at(5) },
        { text: 'first', target: 2, status: 'open', createdAt: at(1) },
      ],
    });
    expect(c).toEqual({
      evidence: ['first', 'same', 'late'],
      reflections: [
        { question: 1, text: 'q1' },
        { question: 1, text: 'q1 later' },
        { question: 3, text: 'q3' },
      ],
      actions: [
        { text: 'first', target: 2, done: false },
        { text: 'second', target: 3, done: true },
      ],
    });
  });

  test('at most NOTE_LIMITS of each kind, each text cut with "…"', () => {
    const long = 'x'.repeat(NOTE_LIMITS.text + 50);
    const c = noteContents({
      evidence: Array.from({ length: 15 }, (_, i) => ({ round: 1, text: `${i} ${long}`, at: at(i) })),
      reflections: [],
      actions: [],
    });
    expect(c.evidence).toHaveLength(NOTE_LIMITS.evidence);
    expect(c.evidence[0]).toHaveLength(NOTE_LIMITS.text);
    expect(c.evidence[0]?.endsWith('…')).toBe(true);
    expect(c.evidence[0]?.startsWith('0 xx')).toBe(true);
  });
});

test('noteKey: one per district, row and cycle (cycle without case or extra spaces)', () => {
  const k = { tenantId: 'T1', districtId: 'd1', rubricId: 'r', rowId: 'row1', cycle: '2026-27  Fall' };
  expect(noteKey(k)).toBe(noteKey({ ...k, cycle: ' 2026-27 fall' }));
  expect(noteKey(k)).not.toBe(noteKey({ ...k, rowId: 'row2' }));
  expect(noteKey(k)).not.toBe(noteKey({ ...k, districtId: 'd2' }));
});
