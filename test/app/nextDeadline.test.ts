import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { plainText } from '../../src/app/text';
import { DomainError } from '../../src/domain/errors';
import { coordinator, makeService, member, TestClock } from '../support/fixtures';

/** `next` and the review's deadline: kept while ahead, never dropped silently, and the reply says which. */
async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock(new Date('2026-12-01T15:00:00Z'));
  const service = makeService(store, clock);
  const commands = new CommandService(service);
  const coord = (line: string) => commands.run({ actor: coordinator, channelId: 'C1' }, line);
  await coord('setup "Lakeview Schools"');
  const started = await coord('review start "2026-27 Fall" deadline=2026-12-10T17:00Z');
  if (started.kind !== 'review') throw new Error('expected a review');
  const reviewId = started.review.reviewId;
  await service.castVote(member(1), { reviewId, rowId: 'goal-setting', choice: 2 });
  await coord('close');
  return { clock, service, coord, reviewId };
}

test('next keeps the review deadline while it is ahead, and says so; round 2 refuses votes past it', async () => {
  const { clock, service, coord, reviewId } = await setup();
  const next = await coord('next');
  expect(next.kind === 'review' && next.review.deadline?.toISOString()).toBe('2026-12-10T17:00:00.000Z');
  expect(next.kind === 'review' && plainText(next.message)).toContain(
    "Voting closes at Thu 2026-12-10 12:00 EST (the review's deadline, kept)",
  );
  clock.t = new Date('2026-12-10T17:00:01Z');
  await expect(
    service.castVote(member(2), { reviewId, rowId: 'goal-setting', choice: 3 }),
  ).rejects.toMatchObject({
    code: 'deadline-passed',
  });
});

test('next deadline=… sets a new one; deadline=none runs without; a passed deadline must be replaced explicitly', async () => {
  const { clock, coord } = await setup();
  clock.t = new Date('2026-12-11T09:00:00Z'); // the review's deadline has passed
  const refused = await coord('next').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(DomainError);
  expect((refused as Error).message).toMatch(
    /deadline \(2026-12-10T17:00:00.000Z\) has passed.*deadline=none/,
  );
  const withNew = await coord('next deadline=2026-12-18T17:00Z');
  expect(withNew.kind === 'review' && plainText(withNew.message)).toContain(
    'Fri 2026-12-18 12:00 EST (the new deadline)',
  );
  await coord('close');
  const none = await coord('next deadline=none');
  expect(none.kind === 'review' && none.review.deadline).toBeNull();
  expect(none.kind === 'review' && plainText(none.message)).toContain('This round has no deadline.');
});
