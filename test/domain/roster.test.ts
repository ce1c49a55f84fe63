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
});
