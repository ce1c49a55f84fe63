import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { Activity1Service } from '../../src/app/activity1/activity1Service';
import { CommandService } from '../../src/app/commands';
import { ACTIONS, type Action, permits, RULES, type Standing } from '../../src/app/policy';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import type { Member } from '../../src/domain/district';
import { counterIds, makeService, people, rubrics, TestClock } from '../support/fixtures';

/**
 * Who may do what, as a table: every role × every action (the pure rules), then every command × every kind of
 * asker through the real use cases on a real store, with a second district in the same workspace and a third in
 * another workspace. A refusal of a read says exactly what a missing review says, and no reply carries anything of
 * another district.
 */

const member = (roles: Member['roles']): Member => ({
  tenantId: 'T1',
  districtId: 'd1',
  memberId: 'U',
  displayName: '',
  perspective: 'district',
  roles,
  joinedAt: new Date(0),
});

const ROLES: Record<string, Standing> = {
  'coordinator in the channel': s({ member: member(['coordinator']), inChannel: true }),
  'coordinator elsewhere': s({ member: member(['coordinator']), conversation: 'personal' }),
  'member in the channel': s({ member: member([]), inChannel: true }),
  'member elsewhere': s({ member: member([]), conversation: 'personal' }),
  'non-member in the channel': s({ inChannel: true }),
  'admin in a new channel': s({ platformAdmin: true }),
  'admin in a 1:1 chat': s({ platformAdmin: true, conversation: 'personal' }),
  'stranger (other district, workspace or tenant)': s({}),
  'building member': s({ buildingMember: true, conversation: 'personal' }),
  'network facilitator (any workspace, a 1:1 chat)': s({ facilitator: true, conversation: 'personal' }),
  'coordinator of a member district, in its channel': s({
    member: member(['coordinator']),
    inChannel: true,
    networkMember: true,
  }),
  'member of a member district, in its channel': s({
    member: member([]),
    inChannel: true,
    networkMember: true,
  }),
};
function s(over: Partial<Standing>): Standing {
  return {
    member: null,
    inChannel: false,
    conversation: 'channel',
    platformAdmin: false,
    buildingMember: false,
    facilitator: false,
    networkMember: false,
    actionOwner: false,
    ...over,
  };
}

const Y = true;
const N = false;
// Columns: the ROLES above, in order.
const EXPECTED: Record<Action, boolean[]> = {
  'district.create': [N, N, N, N, N, Y, N, N, N, N, N, N],
  'district.configure': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'district.read': [Y, Y, Y, Y, Y, N, N, N, N, N, Y, Y],
  'district.join': [Y, N, Y, N, Y, N, N, N, N, N, Y, Y],
  'district.roles': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'roster.manage': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'review.manage': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'review.archive': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'review.remind': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'groups.manage': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'groups.read': [Y, Y, Y, Y, Y, N, N, N, N, N, Y, Y],
  'review.read': [Y, Y, Y, Y, Y, N, N, N, N, N, Y, Y],
  'review.vote': [Y, N, Y, N, Y, N, N, N, N, N, Y, Y],
  'review.reflect': [Y, N, Y, N, N, N, N, N, N, N, Y, Y],
  'activity1.start': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'activity1.answer': [Y, N, Y, N, Y, N, N, N, N, N, Y, Y],
  'building.manage': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'building.here': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'nudge.now': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'building.read': [Y, Y, N, N, N, N, N, N, Y, N, Y, N],
  'building.submit': [Y, Y, N, N, N, N, N, N, Y, N, Y, N],
  'plan.read': [Y, Y, N, N, N, N, N, N, Y, N, Y, N],
  'plan.submit': [N, N, N, N, N, N, N, N, Y, N, N, N],
  'plan.review': [Y, Y, Y, Y, Y, N, N, N, N, N, Y, Y],
  'plan.decide': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'network.create': [N, N, N, N, N, Y, Y, N, N, N, N, N],
  'network.manage': [N, N, N, N, N, N, N, N, N, Y, N, N],
  'network.join': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'network.read': [N, N, N, N, N, N, N, N, N, Y, Y, Y],
  'network.contact': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'network.peers': [N, N, N, N, N, N, N, N, N, N, Y, N],
  'network.connect': [N, N, N, N, N, N, N, N, N, N, Y, N],
  'network.answer': [N, N, N, N, N, N, N, N, N, N, Y, N],
  'network.report': [N, N, N, N, N, N, N, N, N, Y, N, N],
  'network.requests': [N, N, N, N, N, N, N, N, N, N, Y, N],
  'network.remind': [N, N, N, N, N, N, N, N, N, Y, N, N],
  'network.share': [N, N, N, N, N, N, N, N, N, N, Y, N],
  // Facilitators and member districts' coordinators; a member district's other members do not.
  'network.notes': [N, N, N, N, N, N, N, N, N, Y, Y, N],
  // The owner's own standing (action.complete) is tested through the commands in test/actions/actionCommands.test.ts.
  'action.manage': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'action.complete': [Y, N, N, N, N, N, N, N, N, N, Y, N],
  'action.read': [Y, Y, Y, Y, Y, N, N, N, N, N, Y, Y],
};

describe('the rules: role × action', () => {
  test('every action has a row and a description', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
    for (const a of ACTIONS) expect(RULES[a].who.length).toBeGreaterThan(10);
  });
  const names = Object.keys(ROLES);
  test.each(ACTIONS)('%s', (action) => {
    const got = names.map((n) => permits(action, ROLES[n] as Standing));
    expect(Object.fromEntries(names.map((n, i) => [n, got[i]]))).toEqual(
      Object.fromEntries(names.map((n, i) => [n, EXPECTED[action][i]])),
    );
  });
});

// ---------- every command through the use cases ----------

const inChannel = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Name of ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});

async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const results = new ResultsService({ store, rubrics, clock });
  const activity1 = new Activity1Service({ store, rubrics, clock, ids: counterIds() });
  const commands = new CommandService(service, {
    activity1,
    results,
    links: {
      dashboard: (t, d) => ({ url: `http://x/dashboard?k=${t}.${d}`, expiresAt: new Date(0) }),
      exportUrl: (t, d, reviewId, format) =>
        `http://x/dashboard/reviews/${reviewId}/export.${format}?k=${t}.${d}`,
    },
  });
  const dir = people('U_COORD', 'U_MEMBER', 'U_NEW', 'U_STRANGER', 'U_OTHER');
  const channelMembers = {
    list: async () => ({ people: [{ userId: 'U_NEW', displayName: 'New' }], skipped: 1 }),
  };
  // Reminders are delivered to nobody here (the delivery is tested in test/app/reminders.test.ts).
  const reminders = { private: true, remind: async () => ({ unreachable: [] }) };
  const run = (a: Actor, line: string) =>
    commands.run({ actor: a, channelId: a.channelId ?? '', people: dir, channelMembers, reminders }, line);
  // Alpha (T1, C1) with a coordinator and a member, a review with one vote, closed; Beta (T1, C2); Gamma (T9, C1).
  const coordA = inChannel('T1', 'U_COORD', 'C1', true);
  await run(coordA, 'setup "Alpha Schools"');
  const alpha = await run(coordA, 'review start "Alpha Fall" quorum=1');
  const alphaId = alpha.kind === 'review' ? alpha.review.reviewId : '';
  await service.castVote(inChannel('T1', 'U_MEMBER', 'C1'), {
    reviewId: alphaId,
    rowId: 'vision-mission-beliefs',
    choice: 3,
    evidence: 'ALPHA-SECRET evidence',
  });
  await run(coordA, 'close');
  const coordB = inChannel('T1', 'U_OTHER', 'C2', true);
  await run(coordB, 'setup "Beta Schools"');
  await run(coordB, 'review start "Beta Fall"');
  const coordG = inChannel('T9', 'U_COORD', 'C1', true);
  await run(coordG, 'setup "Gamma Schools"');
  return { store, service, run, alphaId };
}

type W = Awaited<ReturnType<typeof world>>;

/** Askers; each command below is run by each of them. */
const ASKERS: Record<string, Actor> = {
  'Alpha coordinator in C1': inChannel('T1', 'U_COORD', 'C1'),
  'Alpha member in C1': inChannel('T1', 'U_MEMBER', 'C1'),
  'non-member in C1': inChannel('T1', 'U_NEW', 'C1'),
  'Alpha member in a 1:1 chat': inChannel('T1', 'U_MEMBER', 'D1'),
  'Beta coordinator in C2': inChannel('T1', 'U_OTHER', 'C2'),
  'workspace admin in C3 (not set up)': inChannel('T1', 'U_STRANGER', 'C3', true),
  'stranger in C3': inChannel('T1', 'U_STRANGER', 'C3'),
  'Gamma coordinator (workspace T9) in C1': inChannel('T9', 'U_COORD', 'C1'),
};

const ok = 'ok';
const NOT_FOUND = /does not exist here/;
const NOT_SET_UP = /not set up as a district team yet/;
const NOT_COORD = /Only a coordinator of this district/;
const NOT_ADMIN = /Only a workspace admin/;
const STILL_OPEN =
  /is still open \(round 1, \d of 6 rows rated\)\. Close its rounds and record the last decisions, or cancel it: review cancel "/;
const NO_REVIEW = /no review yet/;
const NOT_ON_ROSTER = /is not on this district team's roster/;
const NO_ACTIVITY1 = /no Activity 1 yet/;
const NOT_SPLIT = /has not been split into small groups/;

/**
 * Alpha's members read their district from anywhere; anyone in Alpha's channel reads it there (they see the channel
 * anyway); nobody else learns it exists. Commands naming Alpha's review (by id: the way a leaked id is used) or acting in the asker's channel. Expected
 * answer per asker, in ASKERS order.
 */
const COMMANDS: Array<[string, (w: W) => string, Array<typeof ok | RegExp>]> = [
  [
    'status <alpha id>',
    (w) => `status ${w.alphaId}`,
    [ok, ok, ok, ok, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'results <alpha id>',
    (w) => `results ${w.alphaId}`,
    [ok, ok, ok, ok, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'export csv <alpha id>',
    (w) => `export csv ${w.alphaId}`,
    [ok, ok, ok, ok, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'close <alpha id>',
    (w) => `close ${w.alphaId}`,
    [/already closed/, NOT_COORD, NOT_COORD, NOT_COORD, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'next <alpha id>',
    (w) => `next ${w.alphaId}`,
    [ok, NOT_COORD, NOT_COORD, NOT_COORD, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    // Alpha's round 1 is closed: past the policy, the coordinator is told there is nothing to vote on.
    'remind <alpha id>',
    (w) => `remind ${w.alphaId}`,
    [
      /is closed, so there is nothing to vote on/,
      NOT_COORD,
      NOT_COORD,
      NOT_COORD,
      NOT_FOUND,
      NOT_FOUND,
      NOT_FOUND,
      NOT_FOUND,
    ],
  ],
  [
    'remind (this channel)',
    () => 'remind',
    [
      /is closed, so there is nothing to vote on/,
      NOT_COORD,
      NOT_COORD,
      NOT_SET_UP,
      ok,
      NOT_SET_UP,
      NOT_SET_UP,
      NO_REVIEW,
    ],
  ],
  ['reviews', () => 'reviews', [ok, ok, ok, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok]],
  ['dashboard', () => 'dashboard', [ok, ok, ok, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok]],
  [
    // Alpha and Beta each have a review still open (issue 15: one open review per rubric): a coordinator gets past
    // the policy and is told what is open; Gamma has none and starts one.
    'review start',
    () => 'review start "Spring"',
    [STILL_OPEN, NOT_COORD, NOT_COORD, NOT_SET_UP, STILL_OPEN, NOT_SET_UP, NOT_SET_UP, ok],
  ],
  [
    'review cancel <alpha id>',
    (w) => `review cancel ${w.alphaId} "not now"`,
    [ok, NOT_COORD, NOT_COORD, NOT_COORD, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'review cancel (this channel)',
    () => 'review cancel "not now"',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, NO_REVIEW],
  ],
  [
    // Alpha's round 1 is closed: past the policy, the coordinator is told so.
    'review deadline <alpha id>',
    (w) => `review deadline 2099-01-01T17:00Z ${w.alphaId}`,
    [/Round 1 is closed/, NOT_COORD, NOT_COORD, NOT_COORD, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND],
  ],
  [
    'review deadline (this channel)',
    () => 'review deadline none',
    [/Round 1 is closed/, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, NO_REVIEW],
  ],
  [
    'coordinator add',
    () => 'coordinator add <@U_NEW|New>',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok],
  ],
  [
    'member add',
    () => 'member add <@U_NEW|New> building',
    [ok, NOT_COORD, ok, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok],
  ],
  ['perspective', () => 'perspective building', [ok, ok, ok, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok]],
  [
    // Small groups: a coordinator splits the open (or latest) review; members and the channel read the comparison.
    'groups split 2',
    () => 'groups split 2',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, /too few for 2 groups/, NOT_SET_UP, NOT_SET_UP, NO_REVIEW],
  ],
  [
    'groups compare',
    () => 'groups compare',
    [NOT_SPLIT, NOT_SPLIT, NOT_SPLIT, NOT_SET_UP, NOT_SPLIT, NOT_SET_UP, NOT_SET_UP, NO_REVIEW],
  ],
  ['roster', () => 'roster', [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok]],
  [
    'roster import',
    () => 'roster import',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok],
  ],
  [
    'roster add',
    () => 'roster add <@U_NEW|New>',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok],
  ],
  [
    // U_MEMBER is on Alpha's roster (they voted); elsewhere nobody of that id is.
    'roster remove',
    () => 'roster remove <@U_MEMBER|Member>',
    [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, NOT_ON_ROSTER, NOT_SET_UP, NOT_SET_UP, NOT_ON_ROSTER],
  ],
  // Activity 1: a coordinator posts it in the district channel; its results are read like the district's.
  ['activity1', () => 'activity1', [ok, NOT_COORD, NOT_COORD, NOT_SET_UP, ok, NOT_SET_UP, NOT_SET_UP, ok]],
  [
    'activity1 results',
    () => 'activity1 results',
    [
      NO_ACTIVITY1,
      NO_ACTIVITY1,
      NO_ACTIVITY1,
      NOT_SET_UP,
      NO_ACTIVITY1,
      NOT_SET_UP,
      NOT_SET_UP,
      NO_ACTIVITY1,
    ],
  ],
  ['setup', () => 'setup "Renamed"', [ok, NOT_COORD, NOT_COORD, NOT_ADMIN, ok, ok, NOT_ADMIN, ok]],
];

const actorNames = Object.keys(ASKERS);

describe('every command × every asker, through the use cases', () => {
  test.each(COMMANDS.map((c) => [c[0], c] as const))('%s', async (_name, [, line, expected]) => {
    const answers: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [i, name] of actorNames.entries()) {
      const w = await world(); // a fresh world each time: one asker's change does not decide another's answer
      let text: string;
      try {
        const r = await w.run(ASKERS[name] as Actor, line(w));
        text = 'text' in r ? plainText(r.text) : 'message' in r ? plainText(r.message) : JSON.stringify(r);
        // Nothing of another district in a reply: Alpha's evidence and name only reach Alpha's own channel.
        const a = ASKERS[name] as Actor;
        const alphaSide = a.tenantId === 'T1' && (a.channelId === 'C1' || a.userId === 'U_MEMBER');
        if (!alphaSide) {
          expect({ name, text }).toEqual({
            name,
            text: expect.not.stringMatching(/ALPHA-SECRET|Alpha Schools|Alpha Fall/),
          });
        }
        answers[name] = ok;
      } catch (e) {
        answers[name] = (e as Error).message;
      }
      const exp = expected[i] as typeof ok | RegExp;
      want[name] = exp === ok ? ok : (expect.stringMatching(exp) as unknown as string);
    }
    expect(answers).toEqual(want);
  });

  test('a refused read of another district says exactly what a missing review says', async () => {
    const w = await world();
    const beta = ASKERS['Beta coordinator in C2'] as Actor;
    const refused = await w.run(beta, `results ${w.alphaId}`).catch((e: Error) => e.message);
    const missing = await w.run(beta, 'results r_does_not_exist').catch((e: Error) => e.message);
    expect(refused).toBe(missing);
  });

  test('votes, evidence and poll refreshes only from the poll’s own channel', async () => {
    const w = await world();
    const reopened = await w.run(ASKERS['Alpha coordinator in C1'] as Actor, `next ${w.alphaId}`);
    expect(reopened.kind).toBe('review');
    const ref = { reviewId: w.alphaId, rowId: 'policies-structures', choice: 2 };
    await expect(w.service.castVote(inChannel('T1', 'U_OTHER', 'C2'), ref)).rejects.toMatchObject({
      code: 'unknown-review',
    });
    await expect(w.service.castVote(inChannel('T1', 'U_MEMBER', 'D1'), ref)).rejects.toMatchObject({
      code: 'unknown-review',
    });
    await expect(
      w.service.getPollState(inChannel('T1', 'U_OTHER', 'C2'), {
        reviewId: w.alphaId,
        rowId: 'policies-structures',
      }),
    ).rejects.toMatchObject({ code: 'unknown-review' });
    // Nobody was enrolled in Alpha by the refused votes.
    const alpha = await w.store.districts.findByChannel('T1', 'C1');
    expect(await w.store.members.get('T1', alpha?.id ?? '', 'U_OTHER')).toBeNull();
    expect((await w.service.castVote(inChannel('T1', 'U_NEW', 'C1'), ref)).write).toBe('written');
  });

  test('roles only for people the platform confirms: a typed mention of an unknown id grants nothing', async () => {
    const w = await world();
    const coord = ASKERS['Alpha coordinator in C1'] as Actor;
    await expect(w.run(coord, 'coordinator add <@U_FORGED|Forged>')).rejects.toThrow(
      /could not find "Forged"/,
    );
    const alpha = await w.store.districts.findByChannel('T1', 'C1');
    expect(await w.store.members.get('T1', alpha?.id ?? '', 'U_FORGED')).toBeNull();
  });
});
