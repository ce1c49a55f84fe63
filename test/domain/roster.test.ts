import { countedVotes, electorate } from '../../src/domain/roster';

const m = (memberId: string, removed = false) => ({ memberId, removedAt: removed ? new Date(0) : null });

describe('electorate: who the quorum counts', () => {
  test('a review with a roster counts it plus this round’s voters, without people taken off', () => {
    const members = [m('A'), m('B'), m('C'), m('D', true), m('E')];
    const e = electorate({ roster: ['A', 'B', 'D'] }, members, ['C', 'D', 'X']);
    expect([...e.ids].sort()).toEqual(['A', 'B', 'C', 'X']);
    const votes = ['A', 'C', 'D', 'X'].map((memberId) => ({ memberId }));
    expect(countedVotes(votes, e).map((v) => v.memberId)).toEqual(['A', 'C', 'X']);
  });

  test('a review without a roster (stored before rosters) counts every member not taken off', () => {
    const e = electorate({}, [m('A'), m('B', true), m('C')], ['A']);
    expect([...e.ids].sort()).toEqual(['A', 'C']);
  });

  test('members who joined after the review started (a first vote enrolls them) count, not those who left', () => {
    const start = new Date('2026-11-23T15:00:00Z');
    const at = (ms: number) => new Date(start.getTime() + ms);
    const members = [
      { ...m('A'), joinedAt: at(-60_000) }, // on the roster from the start
      { ...m('B'), joinedAt: at(-60_000) }, // joined before, not on the roster: not counted
      { ...m('L'), joinedAt: at(5_000) }, // a late joiner: counted
      { ...m('R', true), joinedAt: at(6_000) }, // joined late, then taken off: not counted
    ];
    expect([...electorate({ roster: ['A'], createdAt: start }, members).ids].sort()).toEqual(['A', 'L']);
  });
});
