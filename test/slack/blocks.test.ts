import {
  commandResultBlocks,
  fileFallbackText,
  homeView,
  LIMITS,
  pollBlocks,
  reviewSummaryBlocks,
} from '../../src/adapters/slack/blocks';
import {
  jsonDepth,
  parseSlackBody,
  RecentKeys,
  safeJsonParse,
  signBody,
  verifySignature,
} from '../../src/adapters/slack/guard';
import { buildPollView } from '../../src/app/reviews/views';
import { plain } from '../../src/app/text';
import type { Member, Vote } from '../../src/domain/district';
import { closeRound, createReview } from '../../src/domain/review';
import type { Rubric } from '../../src/domain/rubric';
import { rubrics } from '../support/fixtures';

const rubric = rubrics.get('culture-of-collaboration') as Rubric;
const now = new Date('2026-11-23T15:00:00Z');

function big(n: number, opts: { blind?: boolean; anonymous?: boolean } = {}) {
  const review = createReview(
    {
      id: 'r_1',
      tenantId: 'T1',
      districtId: 'd_1',
      channelId: 'C1',
      rubric,
      cycle: '2026-27 Fall',
      blind: opts.blind ?? false,
      anonymous: opts.anonymous ?? false,
      rule: { kind: 'single-level', threshold: 0.75, minVoters: 3, minShareOfMembers: 0.5 },
      maxRounds: 3,
      deadline: null,
      createdBy: 'U0',
    },
    now,
  );
  const members: Member[] = Array.from({ length: n }, (_, i) => ({
    tenantId: 'T1',
    districtId: 'd_1',
    memberId: `U${i}`,
    displayName: `A rather long display name for member number ${i}`,
    perspective: i % 3 ? 'building' : 'district',
    roles: [],
    joinedAt: now,
  }));
  const row = rubric.rows[0]?.id as string;
  const votes: Vote[] = members.slice(0, Math.floor(n * 0.6)).map((m, i) => ({
    reviewId: 'r_1',
    rowId: row,
    round: 1,
    memberId: m.memberId,
    perspective: m.perspective,
    choice: ((i % 4) + 1) as 1 | 2 | 3 | 4,
    evidence: i % 10 === 0 ? 'e'.repeat(2000) : null,
    castAt: now,
    seq: i,
  }));
  return { review, members, votes, row };
}

const within = (blocks: unknown[]) => {
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (key === 'text') expect(v.length).toBeLessThanOrEqual(LIMITS.sectionText);
      if (key === 'value') expect(v.length).toBeLessThanOrEqual(100); // a poll reference, never a voter list
      if (key === 'block_id' || key === 'action_id') expect(v.length).toBeLessThanOrEqual(255);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(blocks);
};

describe('Block Kit rendering', () => {
  test('a poll with 1,000 members (600 votes, long evidence) stays within every Slack limit', () => {
    const { review, members, votes } = big(1000);
    const poll = review.polls[0];
    if (!poll) throw new Error('no poll');
    const view = buildPollView({ review, rubric, poll, members, votes, previousVotes: [], viewerId: null });
    const blocks = pollBlocks(view);
    within(blocks);
    const text = JSON.stringify(blocks);
    expect(text).toMatch(/600 of 1000\* have voted · not yet: A rather long/);
    expect(text).toMatch(/and 375 more/);
    const buttons = blocks.flatMap((b) => ('accessory' in b && b.accessory ? [b.accessory] : []));
    for (const b of buttons) if ('text' in b && b.text) expect(b.text.text.length).toBeLessThanOrEqual(75);
  });

  test('anonymous: no names anywhere; blind: no distribution while open, shown after close with the result', () => {
    const { review, members, votes, row } = big(40, { blind: true, anonymous: true });
    const poll = review.polls[0];
    if (!poll) throw new Error('no poll');
    const open = pollBlocks(
      buildPollView({ review, rubric, poll, members, votes, previousVotes: [], viewerId: null }),
    );
    const openText = JSON.stringify(open);
    expect(openText).not.toMatch(/member number/);
    expect(openText).not.toMatch(/Votes this round/);
    expect(openText).toMatch(/shown when the round closes/);
    const closed = closeRound(
      review,
      new Map([[row, votes.map((v) => ({ choice: v.choice, perspective: v.perspective }))]]),
      40,
      now,
    );
    const cp = closed.polls[0];
    if (!cp) throw new Error('no poll');
    const after = JSON.stringify(
      pollBlocks(
        buildPollView({
          review: closed,
          rubric,
          poll: cp,
          members,
          votes,
          previousVotes: [],
          viewerId: null,
        }),
      ),
    );
    expect(after).toMatch(/Votes this round/);
    expect(after).not.toMatch(/micip_vote/);
    expect(after).toMatch(/No consensus in round 1/);
    expect(after).not.toMatch(/member number/);
  });

  test('summary and home views stay within limits', () => {
    const { review, members, votes } = big(30);
    const polls = review.polls.map((p) =>
      buildPollView({ review, rubric, poll: p, members, votes, previousVotes: [], viewerId: 'U0' }),
    );
    const rv = {
      reviewId: 'r_1',
      cycle: '2026-27 Fall',
      round: 1,
      roundStatus: 'open',
      status: 'active',
      deadline: null,
      polls,
    } as never;
    within(reviewSummaryBlocks(plain('Status'), rv));
    const home = homeView(
      Array.from({ length: 60 }, (_, i) => ({
        name: `D${i}`,
        channelId: `C${i}`,
        coordinator: false,
        reviews: [{ view: rv, notVoted: polls }],
      })),
    );
    expect(home.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerView);
  });
});

test('a long reply (help) is split between paragraphs into sections Slack accepts, nothing cut', () => {
  const paragraphs = Array.from(
    { length: 20 },
    (_, i) => `Section ${i}\n${`• line of help ${i} `.repeat(20)}`,
  );
  const text = plain(paragraphs.join('\n\n'));
  const { blocks } = commandResultBlocks({ kind: 'help', text });
  const sections = (blocks ?? []).map((b) => (b as { text: { text: string } }).text.text);
  expect(paragraphs.join('\n\n').length).toBeGreaterThan(2 * LIMITS.sectionText);
  expect(sections.length).toBeGreaterThanOrEqual(3);
  for (const t of sections) expect(t.length).toBeLessThanOrEqual(LIMITS.sectionText);
  expect(sections.join('\n\n')).toBe(paragraphs.join('\n\n'));
});

describe('guard', () => {
  const secret = 's3cret';
  const body = Buffer.from('payload=%7B%7D');
  const t = 1_800_000_000;
  test('signature: valid, forged, stale and future timestamps', () => {
    const sig = signBody(secret, t, body.toString());
    expect(verifySignature(secret, { signature: sig, timestamp: String(t) }, body, t * 1000)).toBeNull();
    expect(
      verifySignature(secret, { signature: sig, timestamp: String(t) }, body, (t + 299) * 1000),
    ).toBeNull();
    expect(
      verifySignature(secret, { signature: sig, timestamp: String(t) }, body, (t + 301) * 1000)?.status,
    ).toBe(401);
    expect(
      verifySignature(secret, { signature: sig, timestamp: String(t) }, body, (t - 301) * 1000)?.status,
    ).toBe(401);
    expect(verifySignature('other', { signature: sig, timestamp: String(t) }, body, t * 1000)?.status).toBe(
      401,
    );
    expect(
      verifySignature(secret, { signature: `${sig}0`, timestamp: String(t) }, body, t * 1000)?.status,
    ).toBe(401);
    expect(verifySignature(secret, { timestamp: String(t) }, body, t * 1000)?.status).toBe(401);
    expect(verifySignature(secret, { signature: sig, timestamp: '1e9' }, body, t * 1000)?.status).toBe(401);
  });

  test('JSON: depth counted outside strings, forbidden keys refused', () => {
    expect(jsonDepth('{"a":"[[[[[[","b":[1,[2]]}')).toBe(3);
    expect(safeJsonParse('{"a":{"__proto__":1}}').ok).toBe(false);
    expect(safeJsonParse('{"constructor":{"prototype":1}}').ok).toBe(false);
    expect(safeJsonParse('{"a":{"\\u005f_proto__":1}}').ok).toBe(false); // escaped key
    expect(safeJsonParse('{"a":"\\u0041","b":"__proto__"}')).toEqual({
      ok: true,
      value: { a: 'A', b: '__proto__' },
    });
    expect(safeJsonParse('{"text":"the \\"constructor\\" word"}').ok).toBe(true);
    expect(safeJsonParse(`${'['.repeat(30)}${']'.repeat(30)}`).ok).toBe(false);
    expect(safeJsonParse('{"a":[1,2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  test('only known Slack bodies pass', () => {
    expect(
      parseSlackBody('application/json', '{"type":"event_callback","event":{"type":"x"}}'),
    ).toMatchObject({ kind: 'bolt' });
    expect(parseSlackBody('application/json', '{"type":"event_callback","event":"x"}')).toMatchObject({
      status: 400,
    });
    expect(
      parseSlackBody('application/x-www-form-urlencoded', 'payload=%7B%22type%22%3A%22block_actions%22%7D'),
    ).toMatchObject({ status: 400 });
    expect(parseSlackBody(undefined, 'x')).toMatchObject({ status: 415 });
  });

  test('recent keys are bounded and expire', () => {
    const r = new RecentKeys(3, 1000);
    expect(r.add('a', 0)).toBe(true);
    expect(r.add('a', 10)).toBe(false);
    expect(r.add('a', 2000)).toBe(true);
    for (const k of ['b', 'c', 'd']) r.add(k, 2000);
    expect(r.add('a', 2001)).toBe(true); // evicted by size
  });
});

describe('fileFallbackText (an export shown inline when the upload failed)', () => {
  const file = (content: string) =>
    ({
      kind: 'file',
      message: plain('Results export (CSV): micip-fall.csv'),
      filename: 'micip-fall.csv',
      mimeType: 'text/csv',
      content,
    }) as const;

  test('a small file is shown whole, with the reinstall note for a missing scope', () => {
    const t = fileFallbackText(file('a,b\r\n1,2\r\n'), 'missing_scope');
    expect(t).toMatch(/reinstall the app/);
    expect(t).toMatch(/files:write/);
    expect(t).toContain('```a,b\r\n1,2\r\n```');
    expect(t).not.toMatch(/cut to fit/);
  });

  test('a large file is cut to one message and the cut is stated, never silently', () => {
    const content = 'x'.repeat(9000);
    const t = fileFallbackText(file(content), 'missing_scope');
    expect(t.length).toBeLessThanOrEqual(LIMITS.messageText);
    const shown = /the first (\d+) of 9000 characters/.exec(t);
    expect(Number(shown?.[1])).toBeGreaterThan(3000);
    expect(t).toContain(`\`\`\`${'x'.repeat(Number(shown?.[1]))}\`\`\``);
  });

  test('other failures say what happened; a code fence inside the file cannot end the block early', () => {
    expect(fileFallbackText(file('a'), 'not_in_channel')).toMatch(/Add the app to the channel/);
    const t = fileFallbackText(file('# md\n```\ncode\n```\n'), 'fatal_error');
    expect(t).toMatch(/could not upload the file \(`fatal_error`\)/);
    expect(t.match(/```/g)).toHaveLength(2);
  });
});
