import { commandResultBlocks } from '../../src/adapters/slack/blocks';
import { MESSAGE_ACTION_PREFIX, messageBlocks } from '../../src/adapters/slack/messageBlocks';
import {
  actions,
  bullets,
  button,
  code,
  link,
  numbered,
  openLink,
  person,
  plain,
  rich,
  strong,
  table,
} from '../../src/app/text';

/** The message model as Block Kit: sections, rich_text lists, tables as monospace columns, an actions block. */

/** The value at `path` in a block tree (undefined when absent). */
function at(x: unknown, ...path: Array<string | number>): unknown {
  let v = x;
  for (const k of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

test('text, lists, tables and buttons become section, rich_text_list, preformatted and actions blocks', () => {
  const items = [
    rich`${strong('Fall')} — ${code('close')}`,
    rich`see ${link('https://x.example/d', 'dashboard')} ${person('U1')}`,
  ];
  const grid = table([plain('Row'), plain('Rating')], [['1. Vision', strong(plain('Evolving'))]]);
  const buttons = actions(
    button('Close', 'command', 'close', 'danger'),
    openLink('Dashboard', 'https://x.example/d'),
  );
  const msg = rich`${strong('Reviews')}\n${bullets(items)}\n${numbered(['first'])}\n${grid}\n${table(
    [plain('Second')],
    [['table']],
  )}\n${buttons}`;
  const blocks = messageBlocks(msg);
  expect(blocks.map((b) => b.type)).toEqual([
    'section',
    'rich_text',
    'rich_text',
    'rich_text',
    'rich_text',
    'actions',
  ]);
  expect(at(blocks, 1, 'elements', 0)).toMatchObject({ type: 'rich_text_list', style: 'bullet' });
  expect(at(blocks, 1, 'elements', 0, 'elements', 0, 'elements')).toEqual([
    { type: 'text', text: 'Fall', style: { bold: true } },
    { type: 'text', text: ' — ' },
    { type: 'text', text: 'close', style: { code: true } },
  ]);
  expect(at(blocks, 1, 'elements', 0, 'elements', 1, 'elements')).toEqual([
    { type: 'text', text: 'see ' },
    { type: 'link', url: 'https://x.example/d', text: 'dashboard' },
    { type: 'text', text: ' ' },
    { type: 'user', user_id: 'U1' },
  ]);
  expect(at(blocks, 2, 'elements', 0, 'style')).toBe('ordered');
  // Each table: aligned columns in one preformatted text element (the values as text, never markup).
  expect(at(blocks, 3, 'elements', 0, 'type')).toBe('rich_text_preformatted');
  expect(at(blocks, 3, 'elements', 0, 'elements')).toEqual([
    { type: 'text', text: 'Row        Rating\n1. Vision  Evolving' },
  ]);
  expect(at(blocks, 4, 'elements', 0, 'elements', 0, 'text')).toBe('Second\ntable');
  expect(at(blocks, 5, 'elements', 0)).toMatchObject({
    action_id: `${MESSAGE_ACTION_PREFIX}command:0`,
    value: 'close',
    style: 'danger',
  });
  expect(at(blocks, 5, 'elements', 1)).toMatchObject({
    url: 'https://x.example/d',
    text: { text: 'Dashboard' },
  });
});

test('user text in rich text: no mention, link or auto-link can come out of it', () => {
  const blocks = messageBlocks(bullets(['<!channel> <@U0EVIL> https://evil.example @here']));
  expect(at(blocks, 0, 'elements', 0, 'elements', 0, 'elements', 'length')).toBe(1);
  const text = String(at(blocks, 0, 'elements', 0, 'elements', 0, 'elements', 0, 'text'));
  expect(text).not.toMatch(/<!|<@|https:\/\/evil|evil\.example|@here/);
  expect(text.replace(/\u2060/g, '')).toBe('<!channel> <@U0EVIL> https://evil.example @here');
});

test('help arrives as real lists in Slack: one rich_text_list per section', () => {
  const text = rich`Head\n\n${strong('Reviews')}\n${bullets([code('status'), code('results')])}\n\n${strong('Setup')}\n${bullets([code('setup')])}`;
  const { blocks, text: fallback } = commandResultBlocks({ kind: 'help', text });
  expect((blocks ?? []).map((b) => b.type)).toEqual(['section', 'rich_text', 'section', 'rich_text']);
  // Clients without blocks (notifications) get the same lines as text.
  expect(fallback).toBe('Head\n\n*Reviews*\n• `status`\n• `results`\n\n*Setup*\n• `setup`');
});
