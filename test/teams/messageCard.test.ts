import { renderMessageCard } from '../../src/adapters/cards/messageCard';
import { toTeamsMarkdown } from '../../src/adapters/cards/teamsText';
import { validateCard } from '../../src/adapters/cards/validate';
import {
  actions,
  bullets,
  button,
  code,
  numbered,
  openLink,
  plain,
  rich,
  strong,
  table,
} from '../../src/app/text';

/** The message model in Teams: a card (Table, bulleted RichTextBlocks, ActionSet) and markdown lists. */

type Any = Record<string, unknown>;
const msg = rich`${strong('Results')}\n${bullets(['a', rich`${code('b')}`])}\n${table(
  [plain('Row'), plain('Rating')],
  [['1. Vision', strong(plain('Evolving'))]],
)}\n${actions(button('Next round', 'command', 'next', 'primary'), openLink('Dashboard', 'https://x.example/d'))}`;

test('a reply with a list, a table and buttons is a valid Adaptive Card 1.5', () => {
  const card = renderMessageCard(msg);
  expect(validateCard(card)).toEqual([]);
  const body = card.body as Any[];
  expect(body.map((b) => b.type)).toEqual(['RichTextBlock', 'Container', 'Table', 'ActionSet']);
  const items = (body[1] as { items: Array<{ inlines: Array<{ text: string }> }> }).items;
  expect(items.map((i) => i.inlines.map((r) => r.text).join(''))).toEqual(['• a', '• b']);
  const t = body[2] as { firstRowAsHeader: boolean; rows: Array<{ cells: Array<{ items: Any[] }> }> };
  expect(t.firstRowAsHeader).toBe(true);
  expect(t.rows).toHaveLength(2);
  expect(t.rows[0]?.cells[0]?.items[0]).toMatchObject({ inlines: [{ text: 'Row', weight: 'Bolder' }] });
  expect(t.rows[1]?.cells[0]?.items[0]).toMatchObject({ inlines: [{ type: 'TextRun', text: '1. Vision' }] });
  expect((body[3] as { actions: Any[] }).actions).toEqual([
    {
      type: 'Action.Submit',
      title: 'Next round',
      data: { verb: 'command', payload: 'next' },
      style: 'positive',
    },
    { type: 'Action.OpenUrl', title: 'Dashboard', url: 'https://x.example/d' },
  ]);
});

test('in a Teams text message a list is a markdown list, its user text escaped', () => {
  expect(toTeamsMarkdown(rich`Reviews\n${bullets(['*Fall*', 'Spring'])}`)).toBe(
    'Reviews\n- &#42;Fall&#42;\n- Spring',
  );
  expect(toTeamsMarkdown(numbered([plain('one'), plain('two')]))).toBe('1. one\n2. two');
});
