import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService, parseMention, tokenize } from '../../src/app/commands';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { DomainError } from '../../src/domain/errors';
import { coordinator, makeService, member, people } from '../support/fixtures';

async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const service = makeService(store);
  const commands = new CommandService(service);
  const as = (actor: Actor) => (line: string) =>
    commands.run({ actor, channelId: 'C1', people: people('U1', 'U2', 'U5') }, line);
  return { store, service, coord: as(coordinator), m1: as(member(1)) };
}

describe('command language', () => {
  test('tokenize keeps quoted phrases and key=value options', () => {
    expect(tokenize('review start "2026-27 Fall" blind rounds=2')).toEqual([
      'review',
      'start',
      '2026-27 Fall',
      'blind',
      'rounds=2',
    ]);
    expect(tokenize('setup “Lakeview Schools”')).toEqual(['setup', 'Lakeview Schools']);
    expect(parseMention('<@U123|Pat>')).toEqual({ id: 'U123', name: 'Pat' });
    expect(parseMention('@U9')).toEqual({ id: 'U9', name: '' });
    expect(parseMention('Pat')).toBeNull();
  });

  test('help before setup, and help by role after', async () => {
    const { coord, m1 } = await setup();
    const before = await m1('help');
    expect(before.kind === 'help' && plainText(before.text)).toMatch(/not set up yet/);
    await coord('setup "Lakeview Schools" tz=America/Detroit');
    const h1 = await m1('help');
    const hc = await coord('');
    expect(h1.kind === 'help' && plainText(h1.text)).not.toMatch(/review start/);
    expect(h1.kind === 'help' && plainText(h1.text)).toMatch(/Coordinator commands are hidden/);
    expect(hc.kind === 'help' && plainText(hc.text)).toMatch(/review start/);
  });

  test('a whole review through commands', async () => {
    const { coord, m1, service } = await setup();
    await coord('setup "Lakeview Schools"');
    const started = await coord('review start "2026-27 Fall" blind rule=adjacent quorum=1 rounds=2');
    if (started.kind !== 'review') throw new Error('expected a review');
    expect(started.review.blind).toBe(true);
    expect(started.review.rule).toMatchObject({ kind: 'adjacent-levels', minVoters: 1 });
    expect(started.review.polls).toHaveLength(6);
    const reviewId = started.review.reviewId;
    await service.castVote(member(1), { reviewId, rowId: 'goal-setting', choice: 2 });
    await expect(m1('close')).rejects.toMatchObject({ code: 'not-coordinator' });
    const closed = await coord('close');
    expect(closed.kind === 'review' && plainText(closed.message)).toMatch(
      /Round 1 closed: 1 of 6 rows rated/,
    );
    const next = await coord('next');
    expect(next.kind === 'review' && next.review.round).toBe(2);
    await coord('close');
    const decided = await coord('decide 1 accomplished "Board adopted the shared vision in May"');
    expect(decided.kind === 'review' && plainText(decided.message)).toMatch(
      /rated Accomplished \(Collaborative\)/,
    );
    const status = await m1('status');
    expect(status.kind === 'review' && plainText(status.message)).toMatch(/2 of 6 rows rated/);
    const list = await m1('reviews');
    expect(list.kind === 'reviews' && list.reviews).toHaveLength(1);
  });

  test('people name a review by its cycle; ids appear only where two reviews share a name', async () => {
    const { coord, m1 } = await setup();
    await coord('setup "Lakeview Schools"');
    const fall = await coord('review start "2026-27 Fall" quorum=1');
    if (fall.kind !== 'review') throw new Error('expected a review');
    await coord('close');
    // One open review per rubric (issue 15): Fall is cancelled before Spring starts.
    await coord('review cancel "2026-27 Fall" "started before the team was ready"');
    const spring = await coord('review start "2026-27 Spring" quorum=1');
    if (spring.kind !== 'review') throw new Error('expected a review');
    const list = await m1('reviews');
    const listed = list.kind === 'reviews' ? plainText(list.text) : '';
    expect(listed).toContain('• 2026-27 Spring — active, round 1');
    expect(listed).toContain('• 2026-27 Fall — cancelled, round 1');
    expect(listed).not.toContain(fall.review.reviewId);
    expect(listed).not.toContain(spring.review.reviewId);
    // By name (any case), by id, and the active one by default.
    const byName = await m1('status "2026-27 fall"');
    expect(byName.kind === 'review' && byName.review.reviewId).toBe(fall.review.reviewId);
    const byId = await m1(`status ${spring.review.reviewId}`);
    expect(byId.kind === 'review' && byId.review.reviewId).toBe(spring.review.reviewId);
    await expect(m1('status "2025-26 Fall"')).rejects.toMatchObject({ code: 'unknown-review' });
    // Two reviews called the same: the list tells them apart by id.
    await coord('review cancel "2026-27 Spring" "wrong cycle"');
    await coord('review start "2026-27 Fall" quorum=1');
    const twins = await m1('reviews');
    expect(twins.kind === 'reviews' && plainText(twins.text)).toContain(fall.review.reviewId);
    expect(twins.kind === 'reviews' && plainText(twins.text)).not.toContain(spring.review.reviewId);
  });

  test('malformed commands get usage text, never a crash', async () => {
    const { coord } = await setup();
    await coord('setup "D"');
    const cases: Array<[string, RegExp]> = [
      ['frobnicate', /don't know the command "frobnicate"/],
      ['review', /Usage: review start/],
      ['review start', /Name the cycle/],
      ['review start "X" rule=median', /rule" is single or adjacent/],
      ['review start "X" threshold=lots', /"threshold" must be a number/],
      ['review start "X" threshold=0.2', /threshold: must be more than 0.5/],
      ['review start "X" deadline=tomorrowish', /"deadline" must be a date/],
      ['coordinator add', /Usage: coordinator/],
      ['member add <@U5> teacher', /Usage: member add/],
      ['decide', /no review yet/],
      ['setup', /Give the district a name/],
    ];
    for (const [line, message] of cases) {
      const e = await coord(line).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(DomainError);
      expect((e as Error).message).toMatch(message);
    }
    await coord('review start "Fall"');
    await coord('close');
    await expect(coord('decide 9 2 "x"')).rejects.toThrow(/Name a row by number/);
    await expect(coord('decide 1 superb "x"')).rejects.toThrow(/"superb" is not a level/);
    await expect(coord('decide 1 2')).rejects.toThrow(/Add a note/);
  });

  test('coordinators grant roles by mention; members set their own perspective', async () => {
    const { coord, m1, store } = await setup();
    const d = await coord('setup "D"');
    expect(d.kind).toBe('text');
    await m1('perspective building');
    await coord('coordinator add <@U1|Member 1>');
    const hm = await m1('help');
    expect(hm.kind === 'help' && plainText(hm.text)).toMatch(/you are a coordinator/);
    const district = await store.districts.findByChannel('T1', 'C1');
    const m = await store.members.get('T1', district?.id ?? '', 'U1');
    expect(m).toMatchObject({ perspective: 'building', roles: ['coordinator'] });
  });
});
