import { type RichJson, richJson } from '../../src/adapters/web/richJson';
import { code, link, plain, plainText, rich, strong } from '../../src/app/text';
import { ALL, HOSTILE } from '../security/corpus';

const texts = (spans: RichJson[]): string[] =>
  spans.flatMap((s) => ('c' in s ? texts(s.c) : 'text' in s ? [s.text] : []));

test("the console's rich text: the product's emphasis, code and links as structure; user text only as text", () => {
  const reply = rich`Review ${strong(HOSTILE.cycle)} started by ${HOSTILE.name}: run ${code('close')} — ${link('https://micip.example/d', 'dashboard')} ${ALL}`;
  const spans = richJson(reply);
  expect(spans.filter((s) => s.k === 'b')).toEqual([{ k: 'b', c: [{ k: 't', text: HOSTILE.cycle }] }]);
  expect(spans).toContainEqual({ k: 'code', text: 'close' });
  expect(spans).toContainEqual({ k: 'a', href: 'https://micip.example/d', text: 'dashboard' });
  // Every hostile string arrives whole, as one text span: nothing in it became a link, emphasis or code.
  expect(spans.filter((s) => s.k === 'a')).toHaveLength(1);
  expect(texts(spans)).toContain(ALL);
  expect(texts(spans).join('')).toBe(
    plainText(reply).replace('dashboard (https://micip.example/d)', 'dashboard').replace('`close`', 'close'),
  );
  // A link the product did not make with http(s) is shown as its label only.
  expect(richJson(link('javascript:alert(1)', 'x'))).toEqual([{ k: 't', text: 'x' }]);
});

test("the console's lists, tables and buttons as structure: user text only as text, unsafe links dropped", async () => {
  const { actions, bullets, button, numbered, openLink, table } = await import('../../src/app/text');
  const spans = richJson(
    rich`${bullets([HOSTILE.name])}${numbered(['b'])}${table([plain('Row')], [[HOSTILE.cycle]])}${actions(
      button('Go', 'command', 'results'),
      openLink('Dashboard', 'https://micip.example/d'),
    )}`,
  );
  expect(spans).toEqual([
    { k: 'ul', items: [[{ k: 't', text: HOSTILE.name }]] },
    { k: 'ol', items: [[{ k: 't', text: 'b' }]] },
    { k: 'table', head: [[{ k: 't', text: 'Row' }]], rows: [[[{ k: 't', text: HOSTILE.cycle }]]] },
    {
      k: 'actions',
      items: [
        { label: 'Go', verb: 'command', payload: 'results' },
        { label: 'Dashboard', href: 'https://micip.example/d' },
      ],
    },
  ]);
});
