import { CONNECT_TTL_DAYS, type ConnectRequest } from '../../domain/networkPeers';
import type { Level } from '../../domain/rubric';
import type { RubricCatalog } from '../ports';
import { code, join, plain, type RichText, rich, strong } from '../text';
import type { AnswerResult, DistrictContact, PeersReading, PeerView, RequestsReading } from './peerService';

/**
 * Peer matching and connect requests as rich text. Before a request is accepted no text names the asking district
 * or its people; the note is the asker's own words (a user value, escaped by each channel).
 */

const levelName = (rubrics: RubricCatalog, rubricId: string, level: Level): string =>
  rubrics.get(rubricId)?.levels[level - 1]?.name ?? `level ${level}`;

const coordinatorsText = (c: DistrictContact): RichText =>
  c.coordinators.length > 0
    ? rich`coordinator${plain(c.coordinators.length === 1 ? '' : 's')} ${join(c.coordinators, ', ')}`
    : plain('no coordinator names on record');

export function peersText(r: PeersReading, rubrics: RubricCatalog): RichText {
  const lvl = (l: Level) => levelName(rubrics, r.rubricId, l);
  const line = (p: PeerView) =>
    rich`• ${strong(p.handle)}${p.name ? rich` (${p.name})` : plain('')} — ${plain(lvl(p.level))}`;
  const section = (title: string, list: PeerView[], none: string) =>
    list.length > 0 ? rich`${plain(title)}\n${join(list.map(line), '\n')}` : plain(`${title} ${none}`);
  return join(
    [
      rich`Peers in ${strong(r.networkName)} for row ${String(r.rowNumber)}, ${plain(r.rowTitle)} (your district: ${plain(lvl(r.myLevel))}). Only districts open to contact are listed; handles are valid for this list only.`,
      section('Who can help (rated it Evolving or Accomplished):', r.helpers, 'none yet.'),
      section(`Similar struggles (also ${lvl(r.myLevel)}):`, r.similar, 'none yet.'),
      r.helpers.length + r.similar.length > 0
        ? rich`Ask one to connect with ${code('network connect "District A" "a short note"')}: their coordinators get your note, and names are shared only if they accept.`
        : plain('Ask again later: districts appear here when they open their district to contact.'),
    ],
    '\n',
  );
}

/** To the asked district's channel: the note and how to answer; nothing about who asks. */
export function connectNotice(networkName: string, rowTitle: string, r: ConnectRequest): RichText {
  return rich`${strong('Coordinators:')} a district of the co-op network ${strong(networkName)} asks to connect about ${strong(rowTitle)}. Their note: “${r.note}”\nAccept with ${code(`network accept ${r.id}`)} or decline with ${code(`network decline ${r.id}`)}, in this channel. Until you accept, neither district is told anything about the other; on accept both see each other's district name and coordinators' names.`;
}

/** To the asking district's channel, on accept: who the other district is. */
export function acceptedNotice(networkName: string, rowTitle: string, other: DistrictContact): RichText {
  return rich`${strong(other.districtName)} (${coordinatorsText(other)}) accepted your district's request to connect about ${strong(rowTitle)} in the co-op network ${strong(networkName)}. They were told your district's name and coordinators' names.`;
}

/** To the asking district's channel, on decline: nothing about who declined. */
export function declinedNotice(networkName: string, rowTitle: string): RichText {
  return rich`The district your district asked to connect about ${strong(rowTitle)} in the co-op network ${strong(networkName)} declined. Nothing about either district was shared.`;
}

/** The reply to the coordinator who answered. */
export function answerText(a: AnswerResult): RichText {
  if (!a.accepted || !a.other) {
    return rich`Declined: the asking district is told only that the request was declined. Nothing about either district was shared.`;
  }
  const told = a.notified
    ? plain('They were told your district’s name and coordinators’ names.')
    : plain(
        'They could not be told just now: please reach out to them (your district’s name and coordinators’ names are theirs to know now).',
      );
  return rich`Accepted. The district asking about ${strong(a.rowTitle)} is ${strong(a.other.districtName)} (${coordinatorsText(a.other)}). Their note: “${a.note}” ${told}`;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The newest requests shown per section (a note can be 500 characters: a chat message stays readable). */
export const LIST_MAX = 20;
const more = (n: number) => (n > LIST_MAX ? [plain(`• … and ${n - LIST_MAX} older`)] : []);

/** `network requests`: waiting for the district (by a handle of this list) and sent by it; expiry said. */
export function requestsText(r: RequestsReading): RichText {
  const incoming = r.incoming
    .slice(0, LIST_MAX)
    .map((q) =>
      q.state === 'pending'
        ? rich`• ${strong(q.handle)}, about ${strong(q.rowTitle)}, ${plain(day(q.createdAt))}: “${q.note}” — answer by ${plain(day(q.expiresAt))} with ${code(`network accept ${q.id}`)} or ${code(`network decline ${q.id}`)}`
        : rich`• ${strong(q.handle)}, about ${strong(q.rowTitle)}, ${plain(day(q.createdAt))}: “${q.note}” — expired on ${plain(day(q.expiresAt))}, can no longer be accepted`,
    );
  const STATE = {
    pending: 'pending',
    accepted: 'accepted',
    declined: 'declined',
    expired: 'expired',
  } as const;
  const sent = r.sent
    .slice(0, LIST_MAX)
    .map(
      (q) =>
        rich`• about ${strong(q.rowTitle)}, ${plain(day(q.createdAt))}: “${q.note}” — ${plain(STATE[q.state])}${
          q.state === 'pending'
            ? plain(` (expires on ${day(q.expiresAt)})`)
            : q.acceptedBy
              ? rich` by ${strong(q.acceptedBy)}`
              : plain('')
        }`,
    );
  return join(
    [
      rich`Connect requests in the co-op network ${strong(r.networkName)} (a request can be answered for ${String(CONNECT_TTL_DAYS)} days; after that it expires and can no longer be accepted).`,
      incoming.length > 0
        ? rich`Waiting for your district (handles are for this list only; the asker is named only if you accept):\n${join([...incoming, ...more(r.incoming.length)], '\n')}`
        : plain('Waiting for your district: none.'),
      sent.length > 0
        ? rich`Sent by your district:\n${join([...sent, ...more(r.sent.length)], '\n')}`
        : plain('Sent by your district: none.'),
    ],
    '\n',
  );
}
