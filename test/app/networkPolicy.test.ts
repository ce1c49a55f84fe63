import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * The policy table of the co-op network's commands (the rules themselves are table-tested in policy.test.ts):
 * every network command × the facilitator, a member district's coordinator and member, and outsiders, through the
 * real use cases on a real store. Outsiders learn nothing of the network.
 */

const inChannel = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Name of ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});

const ok = 'ok';
const NOT_SET_UP = /not set up as a district team yet/;
const NOT_COORD = /Only a coordinator of this district/;
const NOT_ADMIN = /Only a workspace admin/;

// ---------- every network command × facilitator, member district, outsiders ----------

const codes = () => {
  let n = 0;
  return () => (n++ === 0 ? 'COOP2345WXYZ' : `NEXT${n}CODE`);
};

async function networkWorld() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const network = new NetworkService({
    store,
    clock,
    rubrics,
    ids: counterIds(),
    newCode: codes(),
    notices: { sendNotice: async () => undefined },
  });
  const commands = new CommandService(service, { network });
  const run = (a: Actor, line: string) => commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
  // The facilitator is an admin of workspace T2 and creates the network from a 1:1 chat; Alpha (T1, C1) joins it;
  // Beta (T1, C2) and Gamma (T9, C1) are districts outside it.
  await run(inChannel('T2', 'U_FAC', 'D9', true), 'network create "Michigan CoOp"');
  const coordA = inChannel('T1', 'U_COORD', 'C1', true);
  await run(coordA, 'setup "Alpha Schools"');
  await service.setMember(coordA, {
    channelId: 'C1',
    memberId: 'U_MEMBER',
    displayName: 'M',
    perspective: 'district',
  });
  await run(coordA, 'network join coop-2345-wxyz');
  await run(inChannel('T1', 'U_OTHER', 'C2', true), 'setup "Beta Schools"');
  await run(inChannel('T9', 'U_COORD', 'C1', true), 'setup "Gamma Schools"');
  return { run };
}

const NET_ASKERS: Record<string, Actor> = {
  'facilitator (T2) in a 1:1 chat': inChannel('T2', 'U_FAC', 'D9', true),
  'Alpha coordinator in C1 (member district)': inChannel('T1', 'U_COORD', 'C1'),
  'Alpha member in C1 (member district)': inChannel('T1', 'U_MEMBER', 'C1'),
  'Beta coordinator in C2 (another district)': inChannel('T1', 'U_OTHER', 'C2'),
  'Gamma coordinator (workspace T9) in C1': inChannel('T9', 'U_COORD', 'C1'),
  'workspace admin (T1) in a 1:1 chat': inChannel('T1', 'U_STRANGER', 'D1', true),
};
const NO_NETWORK = /There is no co-op network here/;
const NOT_IN = /not in a co-op network/;
const NO_CLOSED_ROUND = /no review with a closed round yet/;
const NO_PEER = /There is no District A in your district's last list of peers/;
const NAME_CYCLE = /Name the cycle to remind about/;
const NO_REQUEST = /There is no connect request "nc_1" for this district/;
const NO_RATED_ROW = /no review with a closed round yet: a practice note shares a rated row/;
const NO_NOTE = /Your district shares no practice note on row 1/;

const NETWORK_COMMANDS: Array<[string, Array<typeof ok | RegExp>]> = [
  ['network create "Second CoOp"', [ok, NOT_ADMIN, NOT_ADMIN, NOT_ADMIN, NOT_ADMIN, ok]],
  ['network code', [ok, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  ['network join COOP2345WXYZ', [NOT_SET_UP, ok, NOT_COORD, ok, ok, NOT_SET_UP]],
  ['network named on', [NOT_SET_UP, ok, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network leave', [NOT_SET_UP, ok, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network', [ok, ok, ok, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  ['network contact on', [NOT_SET_UP, ok, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  // Past the policy, Alpha's coordinator is told what is missing: a closed round, a list of peers, such a request.
  ['network peers 1', [NOT_SET_UP, NO_CLOSED_ROUND, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network connect "District A" "hello"', [NOT_SET_UP, NO_PEER, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network accept nc_1', [NOT_SET_UP, NO_REQUEST, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network decline nc_1', [NOT_SET_UP, NO_REQUEST, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network requests', [NOT_SET_UP, ok, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network share 1', [NOT_SET_UP, NO_RATED_ROW, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network unshare 1', [NOT_SET_UP, NO_NOTE, NOT_COORD, NOT_IN, NOT_IN, NOT_SET_UP]],
  ['network remind "2026-27 Fall"', [ok, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  // No cycle has reviews yet: the facilitator is asked to name one (nothing sent).
  ['network remind', [NAME_CYCLE, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  ['network status', [ok, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  ['network status "2026-27 Fall"', [ok, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
  ['network export csv', [ok, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK, NO_NETWORK]],
];

describe('every network command × facilitator, member district and outsiders', () => {
  const names = Object.keys(NET_ASKERS);
  test.each(NETWORK_COMMANDS.map((c) => [c[0], c] as const))('%s', async (_n, [line, expected]) => {
    const answers: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      const w = await networkWorld();
      try {
        const r = await w.run(NET_ASKERS[name] as Actor, line);
        const text = 'text' in r ? plainText(r.text) : JSON.stringify(r);
        // Outsiders learn nothing of the network: not its name, not its code, not its members.
        if (i >= 3 && !line.startsWith('network join') && !line.startsWith('network create')) {
          expect({ name, text }).toEqual({ name, text: expect.not.stringMatching(/Michigan|COOP|Alpha/) });
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

  test('an outsider reads exactly what someone reads where no network exists', async () => {
    const w = await networkWorld();
    const beta = await w
      .run(NET_ASKERS['Beta coordinator in C2 (another district)'] as Actor, 'network')
      .catch((e: Error) => e.message);
    const none = await w.run(inChannel('T5', 'U_X', 'C1'), 'network').catch((e: Error) => e.message);
    expect(beta).toBe(none);
  });
});
