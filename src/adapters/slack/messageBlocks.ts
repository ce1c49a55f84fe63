import type { types } from '@slack/bolt';
import { type BlockSpan, chatSafe, clip, plainText, RichText, segments } from '../../app/text';
import { LIMITS } from './limits';
import { toMrkdwn } from './mrkdwn';

type KnownBlock = types.KnownBlock;
type RichTextElement = types.RichTextElement;
type RichTextSection = types.RichTextSection;
type RichTextBlock = types.RichTextBlock;

/** The action id of a message button: `micip_msg:<verb>:<index>` (unique within its block; listeners match the verb). */
export const MESSAGE_ACTION_PREFIX = 'micip_msg:';

/** A user value inside a rich_text element. */
export const richUserText = (s: string): string => chatSafe(s).replace(/</g, '<\u2060');

type Style = { bold?: true; italic?: true; code?: true };

/** Rich text as the elements of a rich_text section. */
export function richElements(t: RichText, style: Style = {}): RichTextElement[] {
  const out: RichTextElement[] = [];
  const styled = <T extends object>(e: T): T =>
    Object.keys(style).length ? { ...e, style: { ...style } } : e;
  for (const s of t.spans) {
    switch (s.kind) {
      case 'plain':
        out.push(styled({ type: 'text' as const, text: s.text }));
        break;
      case 'user':
        out.push(styled({ type: 'text' as const, text: richUserText(s.text) }));
        break;
      case 'strong':
        out.push(...richElements(s.content, { ...style, bold: true }));
        break;
      case 'em':
        out.push(...richElements(s.content, { ...style, italic: true }));
        break;
      case 'code':
        out.push({ type: 'text', text: s.text, style: { ...style, code: true } });
        break;
      case 'link':
        out.push(styled({ type: 'link' as const, url: s.url, text: s.label }));
        break;
      case 'channel':
        out.push({ type: 'channel', channel_id: s.id });
        break;
      case 'person':
        out.push({ type: 'user', user_id: s.id });
        break;
      default:
        // A block inside a list item or cell: its text, as a user value would be shown.
        out.push({ type: 'text', text: richUserText(plainText(RichText.of([s]))) });
    }
  }
  return out.filter((e) => e.type !== 'text' || e.text !== '');
}

const section = (t: RichText, style?: Style): RichTextSection => ({
  type: 'rich_text_section',
  elements: (() => {
    const e = richElements(t, style);
    return e.length ? e : [{ type: 'text', text: ' ' }];
  })(),
});

/** Mrkdwn sections of at most LIMITS.sectionText each, split between paragraphs. */
function textSections(t: RichText): KnownBlock[] {
  const chunks: string[] = [];
  for (const para of toMrkdwn(t).split('\n\n')) {
    const last = chunks.length - 1;
    if (last >= 0 && (chunks[last] as string).length + 2 + para.length <= LIMITS.sectionText)
      chunks[last] = `${chunks[last]}\n\n${para}`;
    else chunks.push(para);
  }
  return chunks.map((c) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: clip(c, LIMITS.sectionText) },
  }));
}

function listBlock(b: Extract<BlockSpan, { kind: 'list' }>): RichTextBlock {
  return {
    type: 'rich_text',
    elements: [
      {
        type: 'rich_text_list',
        style: b.ordered ? 'ordered' : 'bullet',
        elements: b.items.map((i) => section(i)),
      },
    ],
  };
}

/**
 * A table as aligned monospace columns. Slack's `table` block is left out on purpose: it is new, one per message, and
 * whether ephemeral replies and response_url messages accept it is not documented where we could check, so a private
 * `results` reply could be refused as a whole; preformatted text works on every surface.
 */
function monospaceTable(b: Extract<BlockSpan, { kind: 'table' }>): RichTextBlock {
  const rows = [b.header, ...b.rows].map((r) => r.map((c) => clip(plainText(c).replace(/\s+/g, ' '), 40)));
  const widths = b.header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return {
    type: 'rich_text',
    elements: [
      {
        type: 'rich_text_preformatted',
        elements: [{ type: 'text', text: clip(richUserText(lines.join('\n')), LIMITS.sectionText) }],
      },
    ],
  };
}

function actionsBlock(b: Extract<BlockSpan, { kind: 'actions' }>): KnownBlock {
  return {
    type: 'actions',
    elements: b.actions.map((a, i): types.Button => {
      const text = {
        type: 'plain_text' as const,
        text: clip(a.label, LIMITS.buttonText),
        emoji: true,
      };
      return a.kind === 'open'
        ? { type: 'button', text, url: a.url.slice(0, LIMITS.url), action_id: `micip_open:${i}` }
        : {
            type: 'button',
            text,
            action_id: `${MESSAGE_ACTION_PREFIX}${a.verb}:${i}`,
            value: a.payload.slice(0, LIMITS.buttonValue),
            ...(a.style ? { style: a.style } : {}),
          };
    }),
  };
}

/**
 * A reply as Block Kit blocks, in its order (at most 50): its text as mrkdwn sections, its lists as
 * `rich_text_list`, its tables as aligned monospace columns (see monospaceTable), its buttons as an `actions` block.
 * Inside rich text every user value is a `text` element (never a mention, link or markup), and it goes through
 * `chatSafe` as in mrkdwn, with a word joiner after each `<` so no parser can read `<!channel>` in it.
 * https://docs.slack.dev/reference/block-kit/blocks
 */
export function messageBlocks(t: RichText): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const seg of segments(t)) {
    if (RichText.isRichText(seg)) {
      blocks.push(...textSections(seg));
      continue;
    }
    if (seg.kind === 'list') blocks.push(listBlock(seg));
    else if (seg.kind === 'table') blocks.push(monospaceTable(seg));
    else blocks.push(actionsBlock(seg));
  }
  return blocks.slice(0, LIMITS.blocksPerMessage);
}
