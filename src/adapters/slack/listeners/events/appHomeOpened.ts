import type { App } from '@slack/bolt';
import type { ReviewService } from '../../../../app/reviews/reviewService';
import type { Actor } from '../../../../app/schemas';
import { isDomainError } from '../../../../domain/errors';
import { type HomeDistrict, homeView } from '../../blocks';
import { CHANNELS_NS } from '../../constants';
import { errorReply } from '../../replies';
import type { ListenerContext } from '../context';

/** App Home: the districts the member belongs to in this workspace, their active reviews and the polls to vote on. */
export function registerAppHomeOpened(app: App, ctx: ListenerContext): void {
  const { log, outbound } = ctx;
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const tenantId = (body as { team_id?: string }).team_id ?? '';
    const publish = (view: Parameters<typeof client.views.publish>[0]['view']) =>
      outbound.call({ workspace: tenantId, method: 'views.publish' }, () =>
        client.views.publish({ user_id: event.user, view }),
      );
    try {
      await publish(homeView(await homeFor(ctx, tenantId, event.user)));
    } catch (e) {
      log.error('App Home failed', e);
      await publish({
        type: 'home',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: errorReply(e, 'home', log) } }],
      }).catch((err: unknown) => log.error('views.publish failed', err));
    }
  });
}

async function homeFor(
  { kv, service }: ListenerContext,
  tenantId: string,
  userId: string,
): Promise<HomeDistrict[]> {
  const actor: Actor = { tenantId, userId, displayName: '' };
  const channels = (
    await kv.list<{ tenantId: string; channelId: string }>(`${CHANNELS_NS}:${tenantId}`)
  ).filter((c) => c.value.tenantId === tenantId);
  const out: HomeDistrict[] = [];
  for (const { value } of channels.slice(0, 20)) {
    let district: Awaited<ReturnType<ReviewService['districtForChannel']>>;
    try {
      district = await service.districtForChannel(actor, value.channelId);
    } catch (e) {
      if (isDomainError(e) && e.code === 'unknown-district') continue;
      throw e;
    }
    const me = await service.getMember(actor, district.id);
    if (!me) continue;
    const reviews = (await service.listReviews(actor, value.channelId)).filter((r) => r.status === 'active');
    const views = await Promise.all(
      reviews.slice(0, 5).map((r) => service.getReviewState(actor, { reviewId: r.id })),
    );
    out.push({
      name: district.name,
      channelId: district.channelId,
      coordinator: me.roles.includes('coordinator'),
      reviews: views.map((v) => ({
        view: v,
        notVoted: v.polls.filter((p) => p.votingOpen && p.myChoice === null),
      })),
    });
  }
  return out;
}
