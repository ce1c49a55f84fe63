import { RichText, segments } from '../../app/text';
import { esc } from './pages';

/**
 * A reply as server-rendered HTML (dashboard pages): text in paragraphs (line breaks kept), emphasis, code and the
 * product's http(s) links; lists as ul/ol, a table with th scope="col", buttons as link buttons or a form button
 * carrying its verb and payload. Every piece of text goes through `esc`, the one HTML escaper.
 */
const SAFE_URL = /^https?:\/\//i;

function inline(t: RichText): string {
  return t.spans
    .map((s) => {
      switch (s.kind) {
        case 'plain':
        case 'user':
          return esc(s.text).replace(/\n/g, '<br>');
        case 'strong':
          return `<strong>${inline(s.content)}</strong>`;
        case 'em':
          return `<em>${inline(s.content)}</em>`;
        case 'code':
          return `<code>${esc(s.text)}</code>`;
        case 'link':
          return SAFE_URL.test(s.url) ? `<a href="${esc(s.url)}">${esc(s.label)}</a>` : esc(s.label);
        case 'channel':
          return esc(`#${s.id}`);
        case 'person':
          return esc(`@${s.id}`);
        default:
          return richHtml(RichText.of([s]));
      }
    })
    .join('');
}

export function richHtml(t: RichText): string {
  return segments(t)
    .map((seg) => {
      if (RichText.isRichText(seg)) return `<p>${inline(seg)}</p>`;
      switch (seg.kind) {
        case 'list': {
          const tag = seg.ordered ? 'ol' : 'ul';
          return `<${tag}>${seg.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${tag}>`;
        }
        case 'table':
          return `<table><thead><tr>${seg.header.map((h) => `<th scope="col">${inline(h)}</th>`).join('')}</tr></thead><tbody>${seg.rows
            .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`;
        case 'actions':
          return `<div class="actions">${seg.actions
            .map((a) =>
              a.kind === 'open'
                ? SAFE_URL.test(a.url)
                  ? `<a class="button" href="${esc(a.url)}">${esc(a.label)}</a>`
                  : ''
                : `<button type="button" data-verb="${esc(a.verb)}" data-payload="${esc(a.payload)}">${esc(a.label)}</button>`,
            )
            .join('')}</div>`;
      }
      return '';
    })
    .join('');
}
