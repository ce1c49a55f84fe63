import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { storeContract } from '../contract/storeContract';
import { districtWithReview, makeService, member } from '../support/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-nedb-'));
let n = 0;

storeContract('embedded (NeDB files)', async () => {
  const store = new NedbStore(path.join(tmp, String(++n)));
  await store.init();
  return store;
});

describe('NedbStore specifics', () => {
  test('data survives a restart', async () => {
    const dir = path.join(tmp, 'restart');
    const first = new NedbStore(dir);
    await first.init();
    const service = makeService(first);
    const { review } = await districtWithReview(service);
    const rowId = review.polls[0]?.rowId as string;
    await service.castVote(member(1), {
      reviewId: review.reviewId,
      rowId,
      choice: 4,
      evidence: 'Board minutes, May',
    });
    await first.close();

    const second = new NedbStore(dir);
    await second.init();
    const again = makeService(second);
    const state = await again.getReviewState(member(1), { reviewId: review.reviewId });
    expect(state.polls[0]?.myChoice).toBe(4);
    expect(state.polls[0]?.evidence[0]?.text).toBe('Board minutes, May');
    expect(await second.votes.listRow(review.reviewId, rowId, 1)).toHaveLength(1);
    await second.close();
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
});
