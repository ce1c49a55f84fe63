import { blockLines, chatSafe, link, type RichText } from '../../app/text';

/**
 * The one place where text becomes Slack mrkdwn. Slack treats `&`, `<` and `>` as control characters (mentions such
 * as `<!channel>` and `<@U123>`, links such as `<https://…|label>`): they are escaped in all text. User values are
 * also kept from being linked by Slack's own URL, e-mail and channel-name detection (see `chatSafe`).
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */
export const escapeMrkdwn = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A user value as mrkdwn text: no mention, link or automatic link can come out of it. */
export const userMrkdwn = (s: string): string => escapeMrkdwn(chatSafe(s));

/** Renders reply text as Slack mrkdwn. */
export function toMrkdwn(t: RichText): string {
  return t.spans
    .map((s) => {
      switch (s.kind) {
        case 'plain':
          return escapeMrkdwn(s.text);
        case 'user':
          return userMrkdwn(s.text);
        case 'strong':
          return `*${toMrkdwn(s.content)}*`;
        case 'em':
          return `_${toMrkdwn(s.content)}_`;
        case 'code':
          return `\`${escapeMrkdwn(s.text)}\``;
        case 'link':
          return `<${escapeMrkdwn(s.url.replace(/[<>|]/g, encodeURIComponent))}|${escapeMrkdwn(s.label)}>`;
        case 'channel':
          return `<#${s.id.replace(/[<>|]/g, '')}>`;
        case 'person':
          return `<@${s.id.replace(/[<>|]/g, '')}>`;
        case 'list':
        case 'table':
        case 'actions':
          // As text lines (a notification's fallback; Block Kit draws the block itself: ./messageBlocks.ts).
          return blockLines(s, toMrkdwn, (label, url) => toMrkdwn(link(url, label))).join('\n');
      }
      return '';
    })
    .join('');
}

/**
 * A slash command's text as the shared command language reads it: Slack's channel links (`<#C123|name>`, sent when
 * someone picks a channel with #) given as a word of their own become `#C123`; inside "quoted text" (a note, an
 * answer) everything stays as typed. Mentions of people (`<@U123|name>`) are already the core's form.
 */
export const commandTextFromSlack = (text: string): string =>
  text.replace(
    /(^|\s)<#([A-Za-z0-9_.:@-]+)(?:\|[^>]*)?>(?=\s|$)/g,
    (link, space: string, id: string, at: number) =>
      (text.slice(0, at).match(/["“”]/g)?.length ?? 0) % 2 === 1 ? link : `${space}#${id}`,
  );
