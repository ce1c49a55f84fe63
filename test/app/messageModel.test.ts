import {
  actions,
  BLOCK_LIMITS,
  bullets,
  button,
  code,
  hasBlock,
  numbered,
  openLink,
  plain,
  plainText,
  RichText,
  rich,
  segments,
  strong,
  table,
} from '../../src/app/text';

/** The channel-neutral message model's blocks: lists, tables and buttons, and the bad input they refuse. */

test('a list, a table and a row of buttons stand on their own lines between text', () => {
  const msg = rich`${strong('Open reviews')}\n${bullets(['Fall', rich`${code('spring')} (new)`])}\nRatings:\n${table(
    [plain('Row'), plain('Rating')],
    [[plain('1. Vision'), strong(plain('Evolving'))]],
  )}\n${actions(button('Show results', 'command', 'results'), openLink('Dashboard', 'https://x.example/d'))}`;
  expect(plainText(msg).split('\n')).toEqual([
    'Open reviews',
    '• Fall',
    '• `spring` (new)',
    'Ratings:',
    'Row | Rating',
    '1. Vision | Evolving',
    '[Show results]  Dashboard: https://x.example/d',
  ]);
  const parts = segments(msg);
  expect(parts.map((p) => (RichText.isRichText(p) ? `text:${plainText(p)}` : p.kind))).toEqual([
    'text:Open reviews',
    'list',
    'text:Ratings:',
    'table',
    'actions',
  ]);
  expect(hasBlock(msg, ['table'])).toBe(true);
  expect(hasBlock(rich`just ${strong('text')}`)).toBe(false);
});

test('numbered lists count from 1; strings in items and cells are user values', () => {
  const list = numbered(['<!channel>', 'b']);
  expect(plainText(list)).toBe('1. <!channel>\n2. b');
  const span = list.spans[0];
  expect(span?.kind === 'list' && span.items[0]?.spans).toEqual([{ kind: 'user', text: '<!channel>' }]);
  const t = table(['Name'], [['=HYPERLINK()']]).spans[0];
  expect(t?.kind === 'table' && t.rows[0]?.[0]?.spans).toEqual([{ kind: 'user', text: '=HYPERLINK()' }]);
});

test('a message without blocks is one segment, unchanged (spaces and line breaks kept)', () => {
  const msg = plain('line one \n\nline two ');
  expect(segments(msg)).toEqual([msg]);
});

test('bad blocks are refused with a clear error', () => {
  expect(() => table([plain('A'), plain('B')], [[plain('only one')]])).toThrow(
    /Table row 1 has 1 cells; the header has 2/,
  );
  expect(() => table([], [])).toThrow(/at least one column/);
  expect(() =>
    table(
      ['x'],
      Array.from({ length: BLOCK_LIMITS.tableRows + 1 }, () => ['y']),
    ),
  ).toThrow(/holds at most 99/);
  expect(() => bullets(Array.from({ length: BLOCK_LIMITS.listItems + 1 }, () => 'x'))).toThrow(
    /list holds at most 100/,
  );
  expect(() => actions()).toThrow(/needs at least one/);
  expect(() => button('Go', 'Bad Verb', '')).toThrow(/verb must be a-z/);
  expect(() => button('Go', 'ok', 'x'.repeat(2000))).toThrow(/payload holds at most/);
  expect(() => openLink('Go', 'javascript:alert(1)')).toThrow(/http\(s\) links only/);
});
