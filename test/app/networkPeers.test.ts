import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import { requestsText } from '../../src/app/network/peerText';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { Actor } from '../../src/app/schemas';
import { plainText, type RichText } from '../../src/app/text';
import type { Level } from '../../src/domain/rubric';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * Peer matching and connect requests through the real use cases on a real store: districts on a Slack workspace
 * and on Teams tenants, ratings from closed review rounds, notices captured per destination. Nothing about the
 * asking district reaches the asked one (and the reverse) before a coordinator of the asked district accepts.
 */

const ROW0 = rubrics.get('culture-of-collaboration')?.rows[0];
const row0Title = ROW0?.title ?? '';

const D = {
  aspen: { tenant: 'T1', channel: 'C1', name: 'Aspen Schools', level: 2 as Level, coord: 'Ada Aspen' },
  birch: {
    tenant: 'teams:tenant-b',
    channel: '19:birch@thread.tacv2',
    name: 'Birch Schools',
    level: 4 as Level,
    coord: 'Bo Birch',
  },
  cedar: {
    tenant: 'teams:tenant-c',
    channel: '19:cedar@thread.tacv2',
    name: 'Cedar Schools',
    level: 2 as Level,
    coord: 'Cy Cedar',
  },
  dogwood: { tenant: 'T2', channel: 'C9', name: 'Dogwood Schools', level: 3 as Level, coord: 'Di Dogwood' },
};
type Key = keyof typeof D;

const actor = (tenantId: string, userId: string, channelId: string, displayName: string): Actor => ({
  tenantId,
  userId,
  displayName,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => true,
});
const coord = (k: Key) => actor(D[k].tenant, `UC_${k}`, D[k].channel, D[k].coord);

async function world(opts: { k?: number } = {}) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const sent: Array<{ to: Destination; text: string }> = [];
  let failFor: string | null = null;
  const network = new NetworkService({
    store,
    clock,
    rubrics,
    ids: counterIds(),
    newCode: () => 'COOP2345WXYZ',
    random: () => 0.5,
    ...(opts.k ? { k: opts.k } : {}),
    notices: {
      async sendNotice(to: Destination, text: RichText) {
        if (failFor === to.tenantId) throw new Error('429 for ever');
        sent.push({ to, text: plainText(text) });
      },
    },
  });
  const commands = new CommandService(service, { network });
  const run = async (a: Actor, line: string) => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
    return r.kind === 'file' ? r.content : 'text' in r ? plainText(r.text) : JSON.stringify(r);
  };
  const fail = (a: Actor, line: string) =>
    run(a, line).then(
      (ok) => `no error: ${ok}`,
      (e: Error) => e.message,
    );
  const facilitator = actor('T5', 'U_FAC', 'D5', 'Fay');
  await run(facilitator, 'network create "Michigan CoOp"');
  for (const k of Object.keys(D) as Key[]) {
    const d = D[k];
    const c = coord(k);
    await service.setupDistrict(c, { name: d.name, channelId: d.channel });
    await run(c, `network join COOP2345WXYZ${k === 'cedar' ? ' named' : ''}`);
    if (k !== 'dogwood') await run(c, 'network contact on');
    const review = await service.startReview(c, {
      channelId: d.channel,
      cycle: '2026-27 Fall',
      maxRounds: 1,
      rule: { minVoters: 3, minShareOfMembers: 0 },
    });
    for (let v = 0; v < 3; v++) {
      await service.castVote(actor(d.tenant, `U_${k}_${v}`, d.channel, `Voter ${k} ${v}`), {
        reviewId: review.reviewId,
        rowId: ROW0?.id ?? '',
        choice: d.level,
      });
    }
    await service.closeRound(c, { reviewId: review.reviewId });
  }
  return {
    run,
    fail,
    sent,
    clock,
    facilitator,
    failNoticesTo: (t: string | null) => {
      failFor = t;
    },
  };
}

const NAMES = /Aspen|Birch|Dogwood|Ada|Bo Birch|Di Dogwood/;

describe('who can help: peers on a row, by handle', () => {
  test('helpers (Evolving/Accomplished) and similar struggles, opted-in only; a name only if named', async () => {
    const w = await world();
    const text = await w.run(coord('aspen'), 'network peers 1');
    expect(text).toContain(`row 1, ${row0Title} (your district: Developing)`);
    // Birch (Accomplished, open to contact) helps; Cedar (Developing, named) shares the struggle; Dogwood
    // (Evolving) did not open its district to contact and is not listed.
    expect(text).toContain('Who can help (rated it Evolving or Accomplished):\n• District A — Accomplished');
    expect(text).toContain('Similar struggles (also Developing):\n• District B (Cedar Schools) — Developing');
    expect(text).not.toMatch(NAMES);
    expect(text).not.toContain('Evolving\n');
    // Dogwood opens up: now it helps too, highest level first.
    await w.run(coord('dogwood'), 'network contact on');
    const again = await w.run(coord('aspen'), 'network peers 1');
    expect(again).toContain('• District A — Accomplished\n• District B — Evolving');
    expect(again).toContain('• District C (Cedar Schools) — Developing');
    // A district that rated the row Accomplished is told peers are for rows rated Beginning or Developing.
    expect(await w.fail(coord('birch'), 'network peers 1')).toMatch(
      /rated this row Evolving or Accomplished/,
    );
    expect(await w.fail(coord('aspen'), 'network peers 2')).toMatch(/no settled rating of this row yet/);
    expect(await w.fail(coord('aspen'), 'network peers 99')).toMatch(/give a row number from 1 to 6/);
  });
});

describe('ask to connect: nothing is revealed before accept', () => {
  test('the request reaches the other platform’s channel with the note; on accept both learn names', async () => {
    const w = await world();
    await w.run(coord('aspen'), 'network peers 1');
    const reply = await w.run(
      coord('aspen'),
      'network connect "District A" "How did you build a shared vision?"',
    );
    expect(reply).toContain('Sent to the coordinators of District A');
    expect(reply).not.toMatch(NAMES);
    expect(w.sent).toHaveLength(1);
    const notice = w.sent[0] as { to: Destination; text: string };
    expect(notice.to).toEqual({ tenantId: 'teams:tenant-b', channelId: '19:birch@thread.tacv2' });
    expect(notice.text).toContain('“How did you build a shared vision?”');
    expect(notice.text).toContain(row0Title);
    expect(notice.text).not.toMatch(/Aspen|Ada|T1|C1/);
    const id = /network accept ([A-Za-z0-9_-]+)/.exec(notice.text)?.[1] as string;
    expect(notice.text).toContain(`network decline ${id}`);

    // Only a coordinator of Birch, in Birch's channel, answers: the asker and other districts read "no such request".
    const noSuch = `There is no connect request "${id}" for this district.`;
    expect(await w.fail(coord('aspen'), `network accept ${id}`)).toBe(noSuch);
    expect(await w.fail(coord('cedar'), `network accept ${id}`)).toBe(noSuch);
    const birchMember = actor(D.birch.tenant, 'U_birch_0', D.birch.channel, 'Voter');
    expect(await w.fail(birchMember, `network accept ${id}`)).toMatch(/Only a coordinator of this district/);
    expect(w.sent).toHaveLength(1);

    const accepted = await w.run(coord('birch'), `network accept ${id}`);
    expect(accepted).toContain('is Aspen Schools (coordinator Ada Aspen)');
    expect(accepted).toContain('“How did you build a shared vision?”');
    expect(w.sent).toHaveLength(2);
    expect(w.sent[1]?.to).toEqual({ tenantId: 'T1', channelId: 'C1' });
    expect(w.sent[1]?.text).toContain('Birch Schools (coordinator Bo Birch) accepted');
    expect(await w.fail(coord('birch'), `network decline ${id}`)).toBe('That request was already accepted.');
  });

  test('declined: the asker learns only that; the same district cannot ask again', async () => {
    const w = await world();
    await w.run(coord('cedar'), 'network peers 1');
    await w.run(coord('cedar'), 'network connect A "Hello from a district"');
    const id = /network accept ([A-Za-z0-9_-]+)/.exec(w.sent[0]?.text ?? '')?.[1] as string;
    expect(w.sent[0]?.text).not.toMatch(/Cedar|Cy/);
    const declined = await w.run(coord('birch'), `network decline ${id}`);
    expect(declined).toContain('Nothing about either district was shared');
    expect(declined).not.toMatch(/Cedar|Cy Cedar/);
    expect(w.sent[1]?.to.channelId).toBe(D.cedar.channel);
    expect(w.sent[1]?.text).toContain('declined');
    expect(w.sent[1]?.text).not.toMatch(/Birch|Bo/);
    expect(await w.fail(coord('cedar'), 'network connect A "Please?"')).toMatch(
      /already asked that district/,
    );
    expect(w.sent).toHaveLength(2);
  });

  test('a request that cannot be delivered is not kept, and bad input loses nothing', async () => {
    const w = await world();
    expect(await w.fail(coord('aspen'), 'network connect A "hi"')).toMatch(/no District A in your district/);
    await w.run(coord('aspen'), 'network peers 1');
    expect(await w.fail(coord('aspen'), 'network connect A')).toMatch(/a short note in quotes/);
    expect(await w.fail(coord('aspen'), `network connect A "${'x'.repeat(501)}"`)).toMatch(/too long/);
    expect(await w.fail(coord('aspen'), 'network connect Q "hi"')).toMatch(/There is no District Q/);
    w.failNoticesTo('teams:tenant-b');
    expect(await w.fail(coord('aspen'), 'network connect A "hi"')).toMatch(/could not be delivered/);
    w.failNoticesTo(null);
    expect(await w.run(coord('aspen'), 'network connect A "hi again"')).toContain('Sent to the coordinators');
    expect(w.sent.map((s) => s.to.tenantId)).toEqual(['teams:tenant-b']);
    // Closed to contact: no longer suggested, and a list given before no longer reaches it.
    await w.run(coord('cedar'), 'network peers 1');
    await w.run(coord('birch'), 'network contact off');
    expect(await w.fail(coord('cedar'), 'network connect A "hi"')).toMatch(/no longer open to contact/);
    expect(await w.run(coord('cedar'), 'network peers 1')).toContain(
      'Who can help (rated it Evolving or Accomplished): none yet.',
    );
  });
});

describe('network requests: waiting and sent, expiry after 30 days', () => {
  const DAY = 86_400_000;
  const idIn = (text: string) => /network accept ([A-Za-z0-9_-]+)/.exec(text)?.[1] as string;

  test('the asked district sees a handle, the row, the note and the date; the asker sees the state', async () => {
    const w = await world();
    await w.run(coord('aspen'), 'network peers 1');
    await w.run(coord('aspen'), 'network connect A "How did you build a shared vision?"');
    const id = idIn(w.sent[0]?.text ?? '');
    const waiting = await w.run(coord('birch'), 'network requests');
    expect(waiting).toContain('a request can be answered for 30 days');
    expect(waiting).toContain(
      `• District A, about ${row0Title}, 2026-11-23: “How did you build a shared vision?” — answer by 2026-12-23 with \`network accept ${id}\` or \`network decline ${id}\``,
    );
    expect(waiting).toContain('Sent by your district: none.');
    expect(waiting).not.toMatch(/Aspen|Ada/);
    const mine = await w.run(coord('aspen'), 'network requests');
    expect(mine).toContain('Waiting for your district: none.');
    expect(mine).toContain(
      `• about ${row0Title}, 2026-11-23: “How did you build a shared vision?” — pending (expires on 2026-12-23)`,
    );
    expect(mine).not.toMatch(/Birch|Bo Birch/);
    // A third district sees neither.
    const cedar = await w.run(coord('cedar'), 'network requests');
    expect(cedar).toContain('Waiting for your district: none.');
    expect(cedar).toContain('Sent by your district: none.');
    // Accepted: the asker's list names the district that accepted (both know each other now); it no longer waits.
    await w.run(coord('birch'), `network accept ${id}`);
    expect(await w.run(coord('aspen'), 'network requests')).toContain('— accepted by Birch Schools');
    expect(await w.run(coord('birch'), 'network requests')).toContain('Waiting for your district: none.');
  });

  test('a request not answered in 30 days expires: not accepted, said in both lists, and may be asked again', async () => {
    const w = await world();
    await w.run(coord('aspen'), 'network peers 1');
    await w.run(coord('aspen'), 'network connect A "first"');
    const first = idIn(w.sent[0]?.text ?? '');
    // One day short of 30: still pending, and asking again is refused.
    w.clock.advance(29 * DAY);
    expect(await w.run(coord('birch'), 'network requests')).toContain('— answer by 2026-12-23');
    await w.run(coord('aspen'), 'network peers 1');
    expect(await w.fail(coord('aspen'), 'network connect A "again"')).toMatch(/already asked that district/);
    w.clock.advance(DAY);
    expect(await w.fail(coord('birch'), `network accept ${first}`)).toBe(
      'That request expired on 2026-12-23 (requests can be answered for 30 days): nothing was shared. The other district may ask again.',
    );
    expect(w.sent).toHaveLength(1);
    expect(await w.run(coord('birch'), 'network requests')).toContain(
      '“first” — expired on 2026-12-23, can no longer be accepted',
    );
    expect(await w.run(coord('aspen'), 'network requests')).toContain('“first” — expired');
    // The pair is free again: exactly one new request, which can be accepted.
    await w.run(coord('aspen'), 'network peers 1');
    expect(await w.run(coord('aspen'), 'network connect A "second"')).toContain('Sent to the coordinators');
    expect(await w.fail(coord('aspen'), 'network connect A "third"')).toMatch(/already asked that district/);
    const second = idIn(w.sent[1]?.text ?? '');
    expect(second).not.toBe(first);
    expect(await w.run(coord('birch'), `network accept ${second}`)).toContain('is Aspen Schools');
  });
});

describe('facilitator tools', () => {
  test('status: participation per cycle, named districts by name, the rest counted; no ratings', async () => {
    const w = await world({ k: 3 });
    const overview = await w.run(w.facilitator, 'network status');
    expect(overview).toContain(
      '• 2026-27 Fall: 4 districts with a review, 4 with settled ratings, 0 complete',
    );
    const cycle = await w.run(w.facilitator, 'network status "2026-27 fall"');
    expect(cycle).toContain('4 of 4 districts have settled ratings (4 ratings settled (a round closed))');
    expect(cycle).toContain('• Cedar Schools: ratings settled (a round closed)');
    expect(cycle).toContain('• 3 not named: 3 ratings settled (a round closed)');
    expect(`${overview}\n${cycle}`).not.toMatch(/Aspen|Birch|Dogwood|Developing|Accomplished|Evolving/);
    const none = await w.run(w.facilitator, 'network status "Spring"');
    expect(none).toContain('0 of 4 districts have settled ratings (4 no review)');
  });

  test('export: the figures with the k rule, as a file', async () => {
    const w = await world({ k: 3 });
    const csv = (await w.run(w.facilitator, 'network export csv')).split('\r\n');
    expect(csv[0]).toBe(
      'network,rubric,cycle,districts,row_number,row_id,row_title,level_1,level_2,level_3,level_4,not_settled',
    );
    // Row 1: Aspen and Cedar Developing, Dogwood Evolving, Birch Accomplished; the other rows not settled.
    expect(csv[1]).toMatch(/^Michigan CoOp,.*,2026-27 Fall,4,1,[^,]+,.*,0,2,1,1,0$/);
    expect(csv[2]).toMatch(/,4,2,[^,]+,.*,0,0,0,0,4$/);
    expect(csv.join('\n')).not.toMatch(NAMES);
    const md = await w.run(w.facilitator, 'network export md');
    expect(md).toContain('| 1 |');
    const json = JSON.parse(await w.run(w.facilitator, 'network export json'));
    expect(json.networks[0].namedDistricts).toEqual(['Cedar Schools']);
    expect(json.networks[0].figures[0].levels).toEqual({
      Beginning: 0,
      Developing: 2,
      Evolving: 1,
      Accomplished: 1,
    });
    // With k = 5 four districts make no figure: the export holds none, and not the cycle's name.
    const small = await world();
    const none = await small.run(small.facilitator, 'network export csv');
    expect(none.trim().split('\r\n')).toHaveLength(1);
    expect(await small.run(small.facilitator, 'network export md')).toContain('not enough districts yet');
    expect(await small.run(small.facilitator, 'network export json')).not.toContain('2026-27');
  });
});

describe('network requests as text', () => {
  test('the newest 20 per section, and how many older ones are left out', () => {
    const at = new Date('2026-11-23T15:00:00Z');
    const incoming = Array.from({ length: 23 }, (_, i) => ({
      id: `nc_${i}`,
      handle: `District ${String.fromCharCode(65 + i)}`,
      rowTitle: 'Row',
      note: `note ${i}`,
      createdAt: at,
      expiresAt: at,
      state: 'pending' as const,
    }));
    const text = plainText(requestsText({ networkName: 'N', incoming, sent: [] }));
    expect(text).toContain('“note 19”');
    expect(text).not.toContain('“note 20”');
    expect(text).toContain('• … and 3 older');
    expect(text).toContain('Sent by your district: none.');
  });
});
