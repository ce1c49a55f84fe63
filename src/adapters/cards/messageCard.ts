import { type BlockSpan, type MessageAction, plain, RichText, segments } from '../../app/text';
import type { AdaptiveCard } from './render';
import { type RunStyle, toRuns } from './teamsText';

/**
 * A reply as an Adaptive Card (schema 1.5) for Teams, where a text message cannot hold a table or buttons: text as
 * RichTextBlocks, a list as one RichTextBlock per item with its bullet or number, a table as a `Table` (its first
 * row the header), buttons as an ActionSet of Action.Submit (`{ verb, payload }`) and Action.OpenUrl. User text is
 * only ever in TextRuns (never parsed as markdown: ./teamsText.ts).
 * https://adaptivecards.io/explorer/Table.html
 */
export const CARD_MESSAGE_LIMITS = { tableColumns: 10, tableRows: 100, actions: 5 } as const;

const richBlock = (t: RichText, style: RunStyle = {}, extra: Record<string, unknown> = {}) => ({
  type: 'RichTextBlock',
  inlines: (() => {
    const runs = toRuns(t, style);
    return runs.length ? runs : toRuns(plain(' '));
  })(),
  ...extra,
});

function listElement(b: Extract<BlockSpan, { kind: 'list' }>) {
  return {
    type: 'Container',
    spacing: 'Small',
    items: b.items.map((item, i) =>
      richBlock(
        RichText.of([{ kind: 'plain', text: b.ordered ? `${i + 1}. ` : '• ' }, ...item.spans]),
        {},
        {
          spacing: 'None',
        },
      ),
    ),
  };
}

function tableElement(b: Extract<BlockSpan, { kind: 'table' }>) {
  const cols = b.header.slice(0, CARD_MESSAGE_LIMITS.tableColumns);
  const row = (cells: readonly RichText[], header: boolean) => ({
    type: 'TableRow',
    cells: cells.slice(0, cols.length).map((c) => ({
      type: 'TableCell',
      items: [richBlock(c, header ? { weight: 'Bolder' } : {})],
    })),
  });
  return {
    type: 'Table',
    columns: cols.map(() => ({ width: 1 })),
    firstRowAsHeader: true,
    showGridLines: true,
    rows: [
      row(b.header, true),
      ...b.rows.slice(0, CARD_MESSAGE_LIMITS.tableRows - 1).map((r) => row(r, false)),
    ],
  };
}

export const cardAction = (a: MessageAction) =>
  a.kind === 'open'
    ? { type: 'Action.OpenUrl', title: a.label, url: a.url }
    : {
        type: 'Action.Submit',
        title: a.label,
        data: { verb: a.verb, payload: a.payload },
        ...(a.style === 'primary'
          ? { style: 'positive' }
          : a.style === 'danger'
            ? { style: 'destructive' }
            : {}),
      };

/** The card of a reply, its parts in the reply's order. */
export function renderMessageCard(t: RichText): AdaptiveCard {
  const body: unknown[] = [];
  for (const seg of segments(t)) {
    if (RichText.isRichText(seg)) body.push(richBlock(seg));
    else if (seg.kind === 'list') body.push(listElement(seg));
    else if (seg.kind === 'table') body.push(tableElement(seg));
    else
      body.push({
        type: 'ActionSet',
        actions: seg.actions.slice(0, CARD_MESSAGE_LIMITS.actions).map(cardAction),
      });
  }
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
  };
}
