import { routeNotices } from '../../src/adapters/scheduler';
import { createSlackNudgeMessenger } from '../../src/adapters/slack/nudges';
import { createTeamsNudgeMessenger } from '../../src/adapters/teams/nudges';
import { remindNotice } from '../../src/app/network/reportText';
import { code, rich, strong } from '../../src/app/text';

/**
 * The co-op network's plain notices on both platforms: each messenger renders the channel-neutral text with its own
 * escaping, and the router picks the platform by the destination's tenant prefix.
 */

const hostile = '<!channel> *bold* [x](http://evil) <at>all</at>';
const notice = rich`${strong('Coordinators:')} a district asks. Their note: “${hostile}” Accept with ${code('network accept nc_1')}.`;

describe('network notices', () => {
  test('Slack: a mrkdwn section in the channel, user text escaped', async () => {
    const posts: Array<{ tenantId: string; message: { channel: string; text: string; blocks: unknown[] } }> =
      [];
    const slack = createSlackNudgeMessenger({
      post: async (tenantId, message) => {
        posts.push({ tenantId, message });
      },
    });
    await slack.sendNotice({ tenantId: 'T1', channelId: 'C1' }, notice);
    expect(posts).toHaveLength(1);
    const p = posts[0] as (typeof posts)[number];
    expect([p.tenantId, p.message.channel]).toEqual(['T1', 'C1']);
    expect(p.message.text).toContain('`network accept nc_1`');
    expect(p.message.text).not.toContain('<!channel>');
    expect(p.message.text).toContain('&lt;!channel&gt;');
    expect(p.message.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: p.message.text } }]);
  });

  test('Teams: a markdown message in the channel, user text escaped', async () => {
    const posts: Array<[string, string, Record<string, unknown>]> = [];
    const teams = createTeamsNudgeMessenger({
      post: async (t, c, a) => {
        posts.push([t, c, a]);
      },
    });
    await teams.sendNotice({ tenantId: 'teams:tb', channelId: '19:x@thread.tacv2' }, notice);
    expect(posts).toHaveLength(1);
    const [t, c, a] = posts[0] as [string, string, Record<string, unknown>];
    expect([t, c, a.type, a.textFormat]).toEqual(['teams:tb', '19:x@thread.tacv2', 'message', 'markdown']);
    expect(String(a.text)).toContain('network accept nc_1');
    expect(String(a.text)).not.toContain('<at>all</at>');
    expect(String(a.text)).not.toContain('[x](http://evil)');
  });

  test('routing by tenant prefix; a platform that is not configured fails loudly', async () => {
    const got: string[] = [];
    const n = routeNotices({
      slack: { sendNotice: async (to) => void got.push(`slack ${to.tenantId}`) },
      teams: { sendNotice: async (to) => void got.push(`teams ${to.tenantId}`) },
    });
    await n.sendNotice({ tenantId: 'teams:tb', channelId: '19:x' }, notice);
    await n.sendNotice({ tenantId: 'T1', channelId: 'C1' }, notice);
    expect(got).toEqual(['teams teams:tb', 'slack T1']);
    const teamsOnly = routeNotices({ slack: null, teams: { sendNotice: async () => undefined } });
    await expect(teamsOnly.sendNotice({ tenantId: 'T1', channelId: 'C1' }, notice)).rejects.toThrow(
      /No Slack connection is configured for notices/,
    );
  });

  test('the reminder: a network name and a cycle typed by people are escaped on both platforms', async () => {
    const slackPosts: string[] = [];
    const teamsPosts: string[] = [];
    const slack = createSlackNudgeMessenger({ post: async (_t, m) => void slackPosts.push(m.text) });
    const teams = createTeamsNudgeMessenger({
      post: async (_t, _c, a) => void teamsPosts.push(String(a.text)),
    });
    const reminder = remindNotice(hostile, '<!here> Fall', 'open');
    await slack.sendNotice({ tenantId: 'T1', channelId: 'C1' }, reminder);
    await teams.sendNotice({ tenantId: 'teams:tb', channelId: '19:x@thread.tacv2' }, reminder);
    expect(slackPosts[0]).toContain('a reminder from the co-op network');
    expect(slackPosts[0]).not.toMatch(/<!channel>|<!here>/);
    expect(teamsPosts[0]).toContain('is not finished yet');
    expect(teamsPosts[0]).not.toContain('<at>all</at>');
    expect(teamsPosts[0]).not.toContain('[x](http://evil)');
  });
});
