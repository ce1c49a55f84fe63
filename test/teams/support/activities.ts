import type { ConnectorCall } from './fakeConnector';

/**
 * Bot Framework activities as Teams sends them to POST /api/messages, for tests that drive the Teams bot: a channel
 * of a team in one tenant, a bot, and people writing or clicking there.
 */
export interface TeamsPlace {
  /** The fake Bot Connector's URL (it must be on the app's TEAMS_SERVICE_URLS allowlist). */
  serviceUrl: string;
  tenant: string;
  /** The channel id ("19:…@thread.tacv2"). */
  channel: string;
  bot: { id: string; name: string };
}

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

let seq = 0;

export function teamsActivity(place: TeamsPlace, over: Record<string, unknown>, from: TeamsUser) {
  return {
    type: 'message',
    id: `act-in-${++seq}`,
    timestamp: '2026-11-23T15:00:00.000Z',
    serviceUrl: place.serviceUrl,
    channelId: 'msteams',
    from,
    recipient: place.bot,
    conversation: {
      id: `${place.channel};messageid=1700000000000`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: place.tenant,
    },
    channelData: {
      tenant: { id: place.tenant },
      channel: { id: place.channel },
      team: { id: '19:team@thread.tacv2' },
    },
    ...over,
  };
}

/** The bot added to the channel (its conversation reference is stored for proactive posts). */
export const teamsBotAdded = (place: TeamsPlace, from: TeamsUser) =>
  teamsActivity(
    place,
    {
      type: 'conversationUpdate',
      membersAdded: [place.bot],
      conversation: { id: place.channel, conversationType: 'channel', isGroup: true, tenantId: place.tenant },
    },
    from,
  );

/** HTML text as Teams sends what a person typed: `<`, `>` and `&` arrive as entities. */
export const teamsTyped = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A channel message mentioning the bot; `text` is what the person typed. */
export const teamsSay = (place: TeamsPlace, text: string, from: TeamsUser) =>
  teamsActivity(
    place,
    {
      text: `<at>${place.bot.name}</at> ${teamsTyped(text)}`,
      entities: [{ type: 'mention', text: `<at>${place.bot.name}</at>`, mentioned: place.bot }],
    },
    from,
  );

/** A Universal Action (Action.Execute) click on a card. */
export const teamsInvoke = (
  place: TeamsPlace,
  from: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
) =>
  teamsActivity(
    place,
    {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    },
    from,
  );

/** POSTs an activity; the answer's JSON (an invoke's card or error) when there is one. */
export async function postActivity(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

/** The Adaptive Cards the bot sent through the connector. */
export const cardsOf = (calls: readonly ConnectorCall[]) =>
  calls.flatMap((c) =>
    ((c.body.attachments as Array<{ contentType: string; content: Record<string, unknown> }>) ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content),
  );
