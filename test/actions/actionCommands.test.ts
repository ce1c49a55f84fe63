import { actionWorld, COORD, idIn, inChannel, OTHER, OWNER } from './support';

/** `action add|done` and `actions` through the command table and the use cases, on the embedded store. */

const ADD =
  'action add 2 "Publish a shared planning calendar" owner=<@U_OWNER|Olive Owner> due=2027-02-01 target=3';

describe('action commands', () => {
  test('a coordinator adds an action; it is listed by row; its owner marks it done, once', async () => {
    const w = await actionWorld();
    const added = await w.run(COORD, ADD);
    expect(added).toMatch(/Action added to row 2 “Policies & Structures|Action added to row 2 “/);
    expect(added).toContain('“Publish a shared planning calendar” — Person U_OWNER, due 2027-02-01, target');
    const id = idIn(added);
    expect(id).not.toBe('');
    const stored = await w.store.actions.listByDistrict(
      'T1',
      (await w.store.districts.findByChannel('T1', 'C1'))?.id ?? '',
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      reviewId: w.reviewId,
      rowId: 'policies-structures',
      ownerId: 'U_OWNER',
      target: 3,
      status: 'open',
      createdBy: 'U_COORD',
    });

    // Anyone in the channel reads them.
    const list = await w.run(OTHER, 'actions');
    expect(list).toMatch(/Actions of Lakeview Schools: 1 open, 0 done/);
    expect(list).toMatch(
      /Row 2 “.+”\n• `ac_[^`]+` “Publish a shared planning calendar” — Person U_OWNER, due 2027-02-01/,
    );

    // Someone else (a member, not the owner) may not mark it done; the owner may, once.
    await expect(w.run(OTHER, `action done ${id}`)).rejects.toThrow(
      /Only the action's owner or a coordinator/,
    );
    expect((await w.store.actions.listOpen()).map((a) => a.id)).toEqual([id]);
    w.clock.advance(86_400_000);
    expect(await w.run(OWNER, `action done ${id}`)).toMatch(
      /Marked done: • ✓ `ac_.+` “Publish a shared planning calendar” — Person U_OWNER, done by Person U_OWNER 2026-11-24/,
    );
    await expect(w.run(COORD, `action done ${id}`)).rejects.toThrow(/already marked done on 2026-11-24/);
    expect(await w.run(OWNER, 'actions')).toMatch(/0 open, 1 done/);
    expect(await w.store.actions.listOpen()).toEqual([]);
  });

  test('a coordinator may mark any action done; a member may not add one', async () => {
    const w = await actionWorld();
    await expect(w.run(OWNER, ADD)).rejects.toThrow(
      /Only a coordinator of this district can add and assign actions/,
    );
    const id = idIn(await w.run(COORD, ADD));
    expect(await w.run(COORD, `action done ${id}`)).toMatch(
      /done by Name of U_COORD|done by Casey|done by U_COORD/,
    );
  });

  test('outsiders learn nothing: another district, another workspace, a direct chat', async () => {
    const w = await actionWorld();
    const id = idIn(await w.run(COORD, ADD));
    const beta = inChannel('T1', 'U_BETA', 'C2', true);
    await w.run(beta, 'setup "Beta Schools"');
    await expect(w.run(beta, `action done ${id}`)).rejects.toThrow(
      /There is no action ".+" for this district/,
    );
    expect(await w.run(beta, 'actions')).toMatch(/Beta Schools has no actions yet/);
    await expect(w.run(inChannel('T9', 'U_COORD', 'C1'), 'actions')).rejects.toThrow(
      /not set up as a district team/,
    );
    await expect(w.run(inChannel('T1', 'U_OWNER', 'D1'), `action done ${id}`)).rejects.toThrow(
      /not set up as a district team/,
    );
    expect((await w.store.actions.listOpen()).map((a) => a.id)).toEqual([id]);
  });

  test.each([
    [
      'owner not on the roster',
      'action add 2 "x" owner=<@U_NOBODY|Nobody> due=2027-02-01 target=3',
      /must be on this district team's roster/,
    ],
    [
      'due date passed',
      'action add 2 "x" owner=<@U_OWNER|O> due=2026-11-01 target=3',
      /has already passed \(today is 2026-11-23\)/,
    ],
    [
      'not a date',
      'action add 2 "x" owner=<@U_OWNER|O> due=soon target=3',
      /calendar date such as 2027-02-01/,
    ],
    [
      'target out of range',
      'action add 2 "x" owner=<@U_OWNER|O> due=2027-02-01 target=7',
      /target level is a number from 1/,
    ],
    [
      'no such row',
      'action add 9 "x" owner=<@U_OWNER|O> due=2027-02-01 target=3',
      /Name a row of this review by number \(1-6\)/,
    ],
    ['no owner', 'action add 2 "x" due=2027-02-01 target=3', /Say who owns it[\s\S]*Usage: action add/],
    ['no text', 'action add 2 owner=<@U_OWNER|O> due=2027-02-01 target=3', /Add the action in quotes/],
    [
      'no reflection answer',
      'action add 1 from=<@U_OTHER|O> owner=<@U_OWNER|O> due=2027-02-01 target=3',
      /has not answered reflection question 3/,
    ],
    ['unknown sub-command', 'action remove 1', /Say "action add …" or "action done <id>"/],
  ])('bad input is refused and nothing is saved: %s', async (_name, line, message) => {
    const w = await actionWorld();
    await expect(w.run(COORD, line)).rejects.toThrow(message);
    expect(await w.store.actions.listOpen()).toEqual([]);
  });

  test('from=@person: the action is that member’s answer to the actions reflection question', async () => {
    const w = await actionWorld();
    await w.run(OTHER, 'reflect 1 3 "Pair new teachers with a mentor team"');
    const added = await w.run(
      COORD,
      'action add 1 from=<@U_OTHER|Otto> owner=<@U_OWNER|Olive Owner> due=2027-03-01 target=4',
    );
    expect(added).toContain('“Pair new teachers with a mentor team” — Person U_OWNER, due 2027-03-01');
    const [a] = await w.store.actions.listOpen();
    expect(a?.source).toEqual({ kind: 'reflection', question: 3, memberId: 'U_OTHER' });
    await expect(
      w.run(
        COORD,
        'action add 1 "typed too" from=<@U_OTHER|Otto> owner=<@U_OWNER|O> due=2027-03-01 target=4',
      ),
    ).rejects.toThrow(/either as text in quotes or as from=@person/);
  });

  test('a Teams mention with a space in the name is one owner', async () => {
    const w = await actionWorld();
    const added = await w.run(
      COORD,
      'action add 2 "Share minutes" owner=<@U_OWNER|Olive Q Owner> due=2027-02-01 target=2',
    );
    expect(added).toContain('— Person U_OWNER, due 2027-02-01');
  });
});
