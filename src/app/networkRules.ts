import { isCoordinator } from '../domain/district';
import { coordinatorIn, coordinatorOnly, networkNotFound, type Rule, readsDistrict } from './policyParts';

/** The co-op network's rules (part of the policy's one table, RULES in policy.ts; docs/SECURITY.md in words). */
export const NETWORK_RULES = {
  /** `network create`: a co-op network of its own (not a setting of this workspace); the creator facilitates it. */
  'network.create': {
    who: 'a workspace/tenant admin, the app installer or a listed admin, in a channel or a 1:1 chat',
    allow: (s) => s.platformAdmin && s.conversation !== 'group',
    refusal: {
      kind: 'forbidden',
      code: 'not-admin',
      message:
        'Only a workspace admin, the person who installed the app, or someone in ADMIN_USER_IDS can create a co-op network (in a channel or a direct chat with the bot).',
    },
  },
  /** `network code`: the invitation code. */
  'network.manage': {
    who: "the network's facilitators, from anywhere",
    allow: (s) => s.facilitator,
    refusal: networkNotFound,
  },
  /** `network join|leave|named`: a district's membership of a network. */
  'network.join': {
    who: 'a coordinator of the district, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('join or leave a co-op network'),
  },
  /** `network`: the network view (distributions of settled ratings, at least k districts each). */
  'network.read': {
    who: "the network's facilitators; a member district's members, or anyone in its channel",
    allow: (s) => s.facilitator || (s.networkMember && readsDistrict(s)),
    refusal: networkNotFound,
  },
  /** `network contact on|off`: whether the district may be suggested as a peer and asked to connect. */
  'network.contact': {
    who: 'a coordinator of the district, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('open or close the district to contact in its co-op network'),
  },
  /** `network peers <row>`: member districts that can help on a row, or share its struggle (opted in only). */
  'network.peers': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('look for peers in its co-op network'),
  },
  /** `network connect <handle> "note"`: a connect request to another member district. */
  'network.connect': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('ask another district of its co-op network to connect'),
  },
  /** `network accept|decline <id>`: the answer to a connect request sent to the district. */
  'network.answer': {
    who: 'a coordinator of the member district the request was sent to, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('answer connect requests'),
  },
  /** `network requests`: the connect requests waiting for the district and those it sent. */
  'network.requests': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly("list its co-op network's connect requests"),
  },
  /** `network remind ["cycle"]`: a nudge to the member districts that have not finished the cycle's review. */
  'network.remind': {
    who: "the network's facilitators, from anywhere",
    allow: (s) => s.facilitator,
    refusal: networkNotFound,
  },
  /** `network status [cycle]`, `network export`: participation per cycle and the network's figures (k rule). */
  'network.report': {
    who: "the network's facilitators, from anywhere",
    allow: (s) => s.facilitator,
    refusal: networkNotFound,
  },
  /** `network share|unshare <row> ["cycle"]`: a row's practice note (evidence, reflections, actions; no names). */
  'network.share': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('share or withdraw practice notes with its co-op network'),
  },
  /** Practice notes in the network view (chat and the network page): the network's facilitators and coordinators. */
  'network.notes': {
    who: "the network's facilitators; a coordinator of a member district",
    allow: (s) => s.facilitator || (s.networkMember && isCoordinator(s.member)),
    refusal: networkNotFound,
  },
} satisfies Record<string, Rule>;
