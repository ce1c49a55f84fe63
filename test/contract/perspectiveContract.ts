import type { Store } from '../../src/app/ports';
import type { Member } from '../../src/domain/district';
import { answeredPerspective } from '../../src/domain/perspective';

/** A member's answered perspective in every store: perspective, building link and when, with its date. */
export function perspectiveContract(store: () => Store) {
  test('members: an answered perspective (building link, when) round-trips', async () => {
    const s = store();
    const m: Member = {
      tenantId: 'T1',
      districtId: 'd1',
      memberId: 'U1',
      displayName: 'Person U1',
      perspective: 'district',
      roles: [],
      joinedAt: new Date('2026-11-23T15:00:00Z'),
    };
    await s.members.ensure(m);
    expect((await s.members.get('T1', 'd1', 'U1'))?.perspectiveSetAt ?? null).toBeNull();
    const at = new Date('2026-11-23T16:00:00Z');
    await s.members.put(answeredPerspective(m, { perspective: 'building', buildingId: 'b-oak' }, at));
    expect(await s.members.get('T1', 'd1', 'U1')).toMatchObject({
      perspective: 'building',
      buildingId: 'b-oak',
      perspectiveSetAt: at,
    });
  });
}
