import type { RichText } from '../../app/text';

/**
 * Rich text for the web console: the reply's spans as data (`web/console.js` builds DOM nodes from them with
 * `textContent`, never HTML), so the console shows emphasis, code and the product's links as the chats do, and
 * user text stays text by construction.
 */
export type RichJson =
  | { k: 't'; text: string }
  | { k: 'b' | 'i'; c: RichJson[] }
  | { k: 'code'; text: string }
  | { k: 'a'; href: string; text: string };

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
  }
}
