import type { RichText } from '../../app/text';

/**
 * Rich text for the web console: the reply's spans as data (`web/console.js` builds DOM nodes from them with
 * `textContent`, never HTML), so the console shows emphasis, code, the product's links, lists (ul/ol), tables
 * (th scope="col") and buttons as the chats do, and user text stays text by construction.
 */
export type RichJson =
  | { k: 't'; text: string }
  | { k: 'b' | 'i'; c: RichJson[] }
  | { k: 'code'; text: string }
  | { k: 'a'; href: string; text: string }
  | { k: 'ul' | 'ol'; items: RichJson[][] }
  | { k: 'table'; head: RichJson[][]; rows: RichJson[][][] }
  | {
      k: 'actions';
      items: Array<{ label: string; href: string } | { label: string; verb: string; payload: string }>;
    };

const SAFE_URL = /^https?:\/\//i;

export function richJson(t: RichText): RichJson[] {
  return t.spans.map(spanJson);
}

function spanJson(s: RichText['spans'][number]): RichJson {
  switch (s.kind) {
    case 'plain':
    case 'user':
      return { k: 't', text: s.text };
    case 'strong':
      return { k: 'b', c: richJson(s.content) };
    case 'em':
      return { k: 'i', c: richJson(s.content) };
    case 'code':
      return { k: 'code', text: s.text };
    case 'link':
      return SAFE_URL.test(s.url) ? { k: 'a', href: s.url, text: s.label } : { k: 't', text: s.label };
    case 'channel':
      return { k: 't', text: `#${s.id}` };
    case 'person':
      return { k: 't', text: `@${s.id}` };
    case 'list':
      return { k: s.ordered ? 'ol' : 'ul', items: s.items.map(richJson) };
    case 'table':
      return { k: 'table', head: s.header.map(richJson), rows: s.rows.map((r) => r.map(richJson)) };
    case 'actions':
      return {
        k: 'actions',
        items: s.actions
          .filter((a) => a.kind !== 'open' || SAFE_URL.test(a.url))
          .map((a) =>
            a.kind === 'open'
              ? { label: a.label, href: a.url }
              : { label: a.label, verb: a.verb, payload: a.payload },
          ),
      };
  }
}
