import { richHtml } from '../../src/adapters/web/richHtml';
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

test('HTML: lists as ul/ol, a table with th scope="col", buttons; every text escaped', () => {
  const html = richHtml(
    rich`Hi ${'<b>you</b>'}\n${bullets(['<i>x</i>', rich`${code('a<b')}`])}\n${numbered([plain('one')])}\n${table(
      [plain('Row'), plain('Rating')],
      [['1 & 2', strong(plain('Evolving'))]],
    )}\n${actions(button('Go', 'command', 'say "hi"'), openLink('Dashboard', 'https://x.example/d?a=1&b=2'))}`,
  );
  expect(html).toBe(
    '<p>Hi &lt;b&gt;you&lt;/b&gt;</p>' +
      '<ul><li>&lt;i&gt;x&lt;/i&gt;</li><li><code>a&lt;b</code></li></ul>' +
      '<ol><li>one</li></ol>' +
      '<table><thead><tr><th scope="col">Row</th><th scope="col">Rating</th></tr></thead>' +
      '<tbody><tr><td>1 &amp; 2</td><td><strong>Evolving</strong></td></tr></tbody></table>' +
      '<div class="actions"><button type="button" data-verb="command" data-payload="say &quot;hi&quot;">Go</button>' +
      '<a class="button" href="https://x.example/d?a=1&amp;b=2">Dashboard</a></div>',
  );
});
