import { renderMessageCard } from '../../src/adapters/cards/messageCard';
import { toRuns, toTeamsMarkdown } from '../../src/adapters/cards/teamsText';
import { messageBlocks } from '../../src/adapters/slack/messageBlocks';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { richHtml } from '../../src/adapters/web/richHtml';
import { richJson } from '../../src/adapters/web/richJson';
import { resultsSummary } from '../../src/app/reviews/resultsModel';
import {
  actions,
  bullets,
  button,
  numbered,
  openLink,
  plain,
  plainText,
  type RichText,
  rich,
  strong,
  table,
} from '../../src/app/text';
import { ALL, cardLeaks, HOSTILE, htmlLeaks, MARK, slackLeaks, slackTexts, teamsTextLeaks } from './corpus';

/**
 * The hostile corpus (./corpus.ts) in the message model's blocks — list items, table headers and cells, button
 * payloads — through every renderer: Slack Block Kit (and its mrkdwn fallback), the Teams card and markdown, the
 * dashboard's HTML and the console's JSON. Nothing may come out live; every card must validate.
 */

const VALUES = [HOSTILE.cycle, HOSTILE.name, HOSTILE.otherName, HOSTILE.district, HOSTILE.note, ALL];

const messages: Array<[string, RichText]> = [
  ['bulleted list', rich`Reviews:\n${bullets(VALUES)}`],
  ['numbered list', numbered(VALUES.map((v) => rich`${strong(v)} — ${v}`))],
  [
    'table',
    table(
      [plain('Name'), HOSTILE.cycle],
      VALUES.map((v) => [v, rich`${strong(v)}`]),
    ),
  ],
  [
    'actions',
    rich`Pick one\n${actions(button('Show', 'command', HOSTILE.note), openLink('Dashboard', 'https://micip.example/d'))}`,
  ],
  [
    'results table',
    resultsSummary({
      cycle: HOSTILE.cycle,
      rated: 1,
      previousCycle: HOSTILE.otherName,
      cancelled: null,
      rows: [
        {
          rowNumber: 1,
          title: 'Vision',
          ratingLabel: 'Evolving',
          howText: `decided by ${HOSTILE.name}: ${HOSTILE.note}`,
          gap: 1,
          change: -1,
        },
      ],
    } as unknown as Parameters<typeof resultsSummary>[0]),
  ],
];

describe.each(messages)('%s', (_what, msg) => {
  test('Slack Block Kit and its mrkdwn fallback: no mention, link or auto-link', () => {
    const blocks = messageBlocks(msg);
    const texts = slackTexts(blocks);
    // Shown as text, or (a button's payload) carried as its value.
    expect(JSON.stringify(blocks)).toContain(MARK);
    expect(texts.flatMap(slackLeaks)).toEqual([]);
    expect(slackLeaks(toMrkdwn(msg))).toEqual([]);
    // No link element but the product's own.
    expect(JSON.stringify(blocks)).not.toMatch(/"url":"(?!https:\/\/micip\.example)/);
  });

  test('Teams: the card validates and holds user text only in text runs; markdown stays text', () => {
    const card = renderMessageCard(msg);
    expect(JSON.stringify(card)).toContain(MARK);
    expect(cardLeaks(card)).toEqual([]);
    expect(teamsTextLeaks(toTeamsMarkdown(msg))).toEqual([]);
    expect(
      cardLeaks({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'RichTextBlock', inlines: toRuns(msg) }],
      }),
    ).toEqual([]);
  });

  test('HTML and the console: escaped, whole', () => {
    const html = richHtml(msg);
    expect(html).toContain(MARK);
    expect(htmlLeaks(html)).toEqual([]);
    const json = JSON.stringify(richJson(msg));
    expect(json).not.toContain('"k":"a"');
    for (const v of VALUES)
      if (plainText(msg).includes(v)) expect(json).toContain(JSON.stringify(v).slice(1, -1));
  });
});
