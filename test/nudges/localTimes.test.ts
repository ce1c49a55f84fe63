import { renderStatusCard } from '../../src/adapters/cards/render';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { reviewSummaryBlocks } from '../../src/adapters/slack/blocks';
import { digestBlocks, submissionModal } from '../../src/adapters/slack/nudgeBlocks';
import { renderDigestCard, renderSubmissionCard } from '../../src/adapters/teams/nudges';
import { buildingStatusSource } from '../../src/adapters/web/buildings';
import { dashboardPage } from '../../src/adapters/web/pages';
import { CommandService } from '../../src/app/commands';
import type { Store } from '../../src/app/ports';
import { buildDashboard } from '../../src/app/reviews/dashboardView';
import { ResultsService } from '../../src/app/reviews/results';
import { plain, plainText } from '../../src/app/text';
import { zonedTime } from '../../src/domain/schedule';
import { rubrics } from '../support/fixtures';
import { coordinator, makeNudges, TestClock, validValues } from './support';

/**
 * Times shown to people are in the district's time zone, with its abbreviation, and never in UTC: the digest,
 * the monitoring form's history, a review's deadline and the dashboard, for a district in Michigan and one in
 * California, at fixed instants (the submission at 13:30 UTC on Tue 2026-11-24, the deadline at 17:00 UTC on
 * Thu 2026-12-10, the dashboard link expiring at 15:00 UTC on Tue 2026-12-08).
 */
let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
});
afterEach(async () => store.close());

const SUBMITTED_AT = new Date('2026-11-24T13:30:00Z');
const LINK_EXPIRES = new Date('2026-12-08T15:00:00Z');

const zones = [
  {
    tz: 'America/Detroit',
    submitted: 'Tue 2026-11-24 08:30 EST',
    closes: 'Tue 2026-12-01 00:00 EST',
    snoozedUntil: 'Wed 2026-11-25 08:30 EST',
    deadline: 'Thu 2026-12-10 12:00 EST',
    expires: 'Tue 2026-12-08 10:00 EST',
    nextRun: 'Wed 2026-11-25 09:00 EST',
  },
  {
    tz: 'America/Los_Angeles',
    submitted: 'Tue 2026-11-24 05:30 PST',
    closes: 'Tue 2026-12-01 00:00 PST',
    snoozedUntil: 'Wed 2026-11-25 07:00 PST',
    deadline: 'Thu 2026-12-10 09:00 PST',
    expires: 'Tue 2026-12-08 07:00 PST',
    nextRun: 'Wed 2026-11-25 09:00 PST',
  },
];

describe.each(zones)('a district in $tz', (z) => {
  async function setup() {
    const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
    const h = makeNudges(store, clock);
    const commands = new CommandService(h.reviews, {
      nudges: { buildings: h.buildings, schedules: h.schedules },
      results: new ResultsService({ store, rubrics, clock }),
    });
    const coord = (line: string) => commands.run({ actor: coordinator, channelId: 'C1' }, line);
    await coord(`setup "Lakeview Schools" tz=${z.tz}`);
    const district = await h.reviews.setupDistrict(coordinator, {
      name: 'Lakeview Schools',
      channelId: 'C1',
    });
    expect(district.timezone).toBe(z.tz);
    const [oak, elm] = [
      await h.buildings.register(coordinator, {
        channelId: 'C1',
        name: 'Oak',
        buildingChannelId: 'CB1',
        members: ['UB1'],
      }),
      await h.buildings.register(coordinator, {
        channelId: 'C1',
        name: 'Elm',
        buildingChannelId: 'CB2',
        members: ['UB2'],
      }),
    ];
    await h.schedules.add(coordinator, { channelId: 'C1', expression: 'every weekday at 9:00' });
    return { h, clock, coord, district, oak, elm };
  }

  test('digest, form history and the snooze reply', async () => {
    const { h, clock, district, oak, elm } = await setup();
    clock.t = SUBMITTED_AT;
    const form = await h.buildings.submit(
      { tenantId: 'T1', userId: 'UB1', displayName: 'Bea' },
      { districtId: district.id, buildingId: oak.buildingId, periodId: '2026-11', values: validValues },
    );
    const snooze = await h.schedules.snooze(
      { tenantId: 'T1', userId: 'UB2', displayName: '' },
      { districtId: district.id, buildingId: elm.buildingId, length: '1d' },
    );
    expect(snooze.untilLocal).toBe(z.snoozedUntil);

    const history = [JSON.stringify(submissionModal(form)), JSON.stringify(renderSubmissionCard(form))];
    for (const text of history) {
      expect(text).toContain(`History: v1 ${z.submitted}`);
      expect(text).toContain(z.closes);
      expect(text).not.toContain('UTC');
    }

    clock.t = zonedTime(z.tz, 2026, 11, 24, 9, 0);
    expect((await h.runner.tick(clock.now())).digests).toBe(1);
    const digest = h.messenger.digests()[0]?.view;
    if (!digest) throw new Error('expected a digest');
    for (const text of [JSON.stringify(digestBlocks(digest)), JSON.stringify(renderDigestCard(digest))]) {
      expect(text).toContain('submitted 2026-11-24');
      expect(text).toContain(`snoozed until ${z.snoozedUntil}`);
      expect(text).toContain(z.nextRun);
      expect(text).not.toContain('UTC');
    }
  });

  test('a review with a deadline, and the dashboard', async () => {
    const { h, clock, coord, district, oak } = await setup();
    const started = await coord('review start "2026-27 Fall" deadline=2026-12-10T17:00Z');
    if (started.kind !== 'review') throw new Error('expected a review');
    expect(started.review.deadlineText).toBe(z.deadline);
    const summary = JSON.stringify(reviewSummaryBlocks(plain('Status'), started.review));
    const card = JSON.stringify(renderStatusCard(started.review));
    for (const text of [summary, card]) {
      expect(text).toContain(z.deadline);
      expect(text).not.toContain('UTC');
      expect(text).not.toContain('17:00Z');
    }

    clock.t = SUBMITTED_AT;
    await h.buildings.submit(
      { tenantId: 'T1', userId: 'UB1', displayName: 'Bea' },
      { districtId: district.id, buildingId: oak.buildingId, periodId: '2026-11', values: validValues },
    );
    const buildings = await buildingStatusSource(h.buildings, store)('T1', district.id);
    const html = dashboardPage(buildDashboard(district, [], rubrics), (p) => p, buildings, LINK_EXPIRES);
    expect(html).toContain(`private link valid until ${z.expires}`);
    expect(html).toContain(`November 2026, ${z.submitted}`);
    expect(html).not.toContain('UTC');
    // Cancelled at 03:00 UTC on Wed 2026-12-02: still Tuesday evening in both zones.
    clock.t = new Date('2026-12-02T03:00:00Z');
    await coord('review cancel "started too early"');
    const md = await coord('export md');
    if (md.kind !== 'file') throw new Error('expected the Markdown export');
    expect(md.content).toContain('cancelled on 2026-12-01: started too early');
    const reply = await coord('submissions 2026-11');
    if (reply.kind !== 'text') throw new Error('expected a text reply');
    expect(plainText(reply.text)).toContain(`(closes ${z.closes})`);
    expect(plainText(reply.text)).toContain(z.submitted);
    expect(plainText(reply.text)).not.toContain('UTC');
  });
});
