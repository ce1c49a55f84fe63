import { renderPlanCard } from '../../src/adapters/cards/planCard';
import { validateCard } from '../../src/adapters/cards/validate';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { planBlocks, planModal } from '../../src/adapters/slack/planBlocks';
import { PlanService } from '../../src/app/plans/planService';
import type { Actor } from '../../src/app/schemas';
import { coordinator, makeNudges, TestClock } from '../nudges/support';
import { rubrics } from '../support/fixtures';

const HOSTILE = '<!channel> <@U123> *b* _i_ [x](https://evil.test) &amp; {{DATE(x)}} \u202Eabc';

/** The plan forms in both chats: field names as block/input ids, cards valid, hostile action text never markup. */
describe('plan forms: Slack modal and Teams card', () => {
  async function forms() {
    const store = new NedbStore(null);
    await store.init();
    const clock = new TestClock();
    const h = makeNudges(store, clock);
    await h.reviews.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
    await h.buildings.register(coordinator, {
      channelId: 'C1',
      name: 'Oak <b>ES</b>',
      buildingChannelId: 'CB1',
      members: ['UB1'],
    });
    const plans = new PlanService({ store, rubrics, clock });
    const oak: Actor = {
      tenantId: 'T1',
      userId: 'UB1',
      displayName: 'UB1',
      channelId: 'CB1',
      conversation: 'channel',
    };
    await plans.setEntry(oak, 'building', {
      channelId: 'CB1',
      fn: '1',
      status: 'create',
      actions: [HOSTILE],
    });
    return {
      building: await plans.buildingForm(oak, { channelId: 'CB1' }),
      district: await plans.districtForm(coordinator, { channelId: 'C1' }),
    };
  }

  test('Slack: block ids are the form fields; the typed action is escaped in mrkdwn', async () => {
    const { building, district } = await forms();
    const modal = planModal(building, 'CB1') as {
      blocks: Array<{ block_id?: string }>;
      private_metadata: string;
    };
    const ids = modal.blocks.map((b) => b.block_id).filter(Boolean);
    expect(ids.slice(0, 4)).toEqual(['team.status', 'team.actions', 'needs.status', 'needs.actions']);
    expect(ids).toHaveLength(14);
    expect(JSON.parse(modal.private_metadata)).toEqual({
      d: building.districtId,
      b: building.buildingId,
      c: 'CB1',
      v: 1,
    });
    const json = JSON.stringify([planBlocks(district), planModal(district, 'C1')]);
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123>');
    expect(json).not.toContain('\u202E');
    expect(json).not.toContain('Oak <b>ES</b>');
  });

  test('Teams: the card is valid Adaptive Card 1.5; the action is a TextRun or an input value, never markdown', async () => {
    const { building, district } = await forms();
    for (const card of [renderPlanCard(building), renderPlanCard(district, { notice: HOSTILE })])
      expect(validateCard(card)).toEqual([]);
    const card = renderPlanCard(building);
    const inputs = (card.body as Array<{ type: string; id?: string; value?: string }>).filter((b) =>
      b.type.startsWith('Input.'),
    );
    expect(inputs.map((i) => i.id).slice(0, 2)).toEqual(['team.status', 'team.actions']);
    expect(inputs[0]?.value).toBe('create');
    expect(inputs[1]?.value).toBe(HOSTILE);
    const textBlocks = JSON.stringify(
      (renderPlanCard(district).body as Array<{ type: string }>).filter((b) => b.type === 'TextBlock'),
    );
    expect(textBlocks).not.toContain('evil.test');
  });
});
