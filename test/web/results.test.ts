import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateCard } from '../../src/adapters/cards/validate';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { LinkSigner, webLinks } from '../../src/adapters/web/links';
import { renderReflectionCard } from '../../src/adapters/web/reflectionCard';
import { CommandService } from '../../src/app/commands';
import { ResultsService } from '../../src/app/reviews/results';
import { CSV_COLUMNS, toCsv, toJson, toMarkdown } from '../../src/app/reviews/resultsExport';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import { plainText } from '../../src/app/text';
import { DomainError } from '../../src/domain/errors';
import { parseCsv } from '../support/csv';
import { coordinator, makeService, member, rubrics, TestClock } from '../support/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-results-'));
let store: NedbStore;
let service: ReviewService;
let results: ResultsService;
let clock: TestClock;
const ROW1 = 'vision-mission-beliefs';
const ROW2 = 'policies-structures';

async function vote(
  reviewId: string,
  i: number,
  rowId: string,
  choice: number | 'unsure',
  evidence?: string,
) {
  await service.castVote(member(i), { reviewId, rowId, choice, evidence: evidence ?? null });
}

let firstId: string;
let secondId: string;

beforeAll(async () => {
  store = new NedbStore(tmp);
  await store.init();
  clock = new TestClock();
  service = makeService(store, clock);
  results = new ResultsService({ store, rubrics, clock });
  await service.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  for (let i = 1; i <= 4; i++) {
    await service.setMember(coordinator, {
      channelId: 'C1',
      memberId: `U${i}`,
      displayName: `Member ${i}`,
      perspective: i <= 2 ? 'building' : 'district',
    });
  }
  // Cycle 1, named: row 1 settles at 3 (3 of 4), row 2 splits and gets a recorded decision.
  const first = await service.startReview(coordinator, { channelId: 'C1', cycle: '2025-26 Spring' });
  firstId = first.reviewId;
  await vote(firstId, 1, ROW1, 3, 'Posters in every building, "but" nobody, mentions them');
  await vote(firstId, 2, ROW1, 3);
  await vote(firstId, 3, ROW1, 3);
  await vote(firstId, 4, ROW1, 2, '=HYPERLINK("x")');
  for (let i = 1; i <= 4; i++) await vote(firstId, i, ROW2, i as 1 | 2 | 3 | 4);
  await service.closeRound(coordinator, { reviewId: firstId });
  await service.recordDecision(coordinator, {
    reviewId: firstId,
    rowId: ROW2,
    level: 2,
    note: 'Agreed after discussing the handbook',
  });
  clock.advance(86_400_000);
  // One open review per rubric (issue 15): rows 3-6 never settled, so Spring is cancelled before Fall starts.
  await service.cancelReview(coordinator, { reviewId: firstId, reason: 'the next cycle started' });
  // Cycle 2, anonymous: row 1 settles at 4 (a change of +1), row 2 does not settle.
  const second = await service.startReview(coordinator, {
    channelId: 'C1',
    cycle: '2026-27 Fall',
    anonymous: true,
  });
  secondId = second.reviewId;
  for (let i = 1; i <= 4; i++) await vote(secondId, i, ROW1, 4, `Evidence from member ${i}`);
  await vote(secondId, 1, ROW2, 1);
  await vote(secondId, 2, ROW2, 'unsure');
  await vote(secondId, 3, ROW2, 3);
  await vote(secondId, 4, ROW2, 4);
  await service.closeRound(coordinator, { reviewId: secondId });
});

afterAll(async () => {
  await store.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('results', () => {
  test('per row: rating or "not settled", how reached, distribution per round, gap, change', async () => {
    const r = await results.results(member(1), { reviewId: firstId });
    const row1 = r.rows.find((x) => x.rowId === ROW1);
    const row2 = r.rows.find((x) => x.rowId === ROW2);
    expect(row1?.rating).toBe(3);
    expect(row1?.ratingLabel).toBe('Evolving');
    expect(row1?.how).toEqual({ kind: 'consensus', round: 1, rule: 'single-level' });
    expect(row1?.rounds[0]?.distribution).toEqual({ levels: [0, 1, 3, 0], unsure: 0, total: 4 });
    // Buildings (U1, U2) rated 3,3 → 3; district (U3, U4) 3,2 → 2.5: gap −0.5.
    expect(row1?.gap).toBe(-0.5);
    expect(row1?.evidence.map((e) => e.by)).toEqual(['Member 1', 'Member 4']);
    expect(row2?.how).toMatchObject({ kind: 'decision', note: 'Agreed after discussing the handbook' });
    expect(row2?.how?.kind === 'decision' && row2.how.by).toBe('Casey Coordinator');
    expect(row2?.rating).toBe(2);
    const row3 = r.rows[2];
    expect(row3?.ratingLabel).toBe('not settled');
    expect(row3?.rounds[0]?.distribution.total).toBe(0);
    expect(r.previousCycle).toBeNull();
    expect(row1?.change).toBeNull();

    const s = await results.results(member(1), { reviewId: secondId });
    expect(s.previousCycle).toBe('2025-26 Spring');
    const s1 = s.rows.find((x) => x.rowId === ROW1);
    expect(s1?.rating).toBe(4);
    expect(s1?.previous?.rating).toBe(3);
    expect(s1?.change).toBe(1);
    expect(s1?.evidence.every((e) => e.by === null && e.choice === null)).toBe(true);
    const s2 = s.rows.find((x) => x.rowId === ROW2);
    expect(s2?.ratingLabel).toBe('not settled');
    expect(s2?.previous?.rating).toBe(2);
    expect(s2?.change).toBeNull();
    expect(s2?.rounds[0]?.distribution).toEqual({ levels: [1, 0, 1, 1], unsure: 1, total: 4 });
  });

  test('a review of another tenant is unknown; bad ids are refused as input', async () => {
    await expect(results.results(member(1, 'T2'), { reviewId: firstId })).rejects.toMatchObject({
      code: 'unknown-review',
    });
    await expect(results.results(member(1), { reviewId: 'a b' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    await expect(results.export(member(1), { reviewId: firstId, format: 'xls' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });
});

describe('reflection', () => {
  test('answers are kept with a rated row, replaced per member and question, refused on unrated rows', async () => {
    await expect(
      results.answerReflection(member(1), { reviewId: secondId, rowId: ROW2, question: 1, answer: 'x' }),
    ).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(
      results.answerReflection(member(1), { reviewId: firstId, rowId: ROW1, question: 4, answer: 'x' }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(
      results.answerReflection(member(9), { reviewId: firstId, rowId: ROW1, question: 1, answer: 'x' }),
    ).rejects.toMatchObject({ code: 'not-member' });
    await expect(
      results.answerReflection(member(1), { reviewId: firstId, rowId: ROW1, question: 1, answer: '   ' }),
    ).rejects.toBeInstanceOf(DomainError);
    await results.answerReflection(member(1), {
      reviewId: firstId,
      rowId: ROW1,
      question: 1,
      answer: 'first draft',
    });
    const row = await results.answerReflection(member(1), {
      reviewId: firstId,
      rowId: ROW1,
      question: 1,
      answer: 'Buildings never saw the district vision',
    });
    await results.answerReflection(member(3), {
      reviewId: firstId,
      rowId: ROW1,
      question: 3,
      answer: 'Open every PLC with the vision',
    });
    const again = (await results.results(coordinator, { reviewId: firstId })).rows[0];
    expect(row.reflection).toEqual([
      expect.objectContaining({
        question: 1,
        text: 'Buildings never saw the district vision',
        by: 'Member 1',
      }),
    ]);
    expect(again?.reflection.map((a) => [a.question, a.by])).toEqual([
      [1, 'Member 1'],
      [3, 'Member 3'],
    ]);
    const md = toMarkdown(await results.results(coordinator, { reviewId: firstId }));
    expect(md).toContain('What causal theories might the team have regarding your current ratings?');
    expect(md).toContain('Buildings never saw the district vision — Member 1');
    expect(md).not.toContain('first draft');
  });
});

describe('reflection card', () => {
  test('valid Adaptive Card 1.5; names in named reviews, none in anonymous ones; own answer prefilled', async () => {
    const named = await results.results(member(1), { reviewId: firstId });
    const card = renderReflectionCard(named, named.rows[0] as (typeof named.rows)[number], {
      displayName: 'Member 1',
    });
    expect(validateCard(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).toContain('Member 3: Open every PLC with the vision');
    expect(json).toContain('"value":"Buildings never saw the district vision"');
    expect(json).toContain('"verb":"reflect"');

    await results.answerReflection(member(2), {
      reviewId: secondId,
      rowId: ROW1,
      question: 1,
      answer: 'Anonymous thought',
    });
    const anon = await results.results(member(2), { reviewId: secondId });
    const anonCard = renderReflectionCard(anon, anon.rows[0] as (typeof anon.rows)[number], {
      displayName: 'Member 2',
    });
    expect(validateCard(anonCard)).toEqual([]);
    const anonJson = JSON.stringify(anonCard);
    expect(anonJson).toContain('• Anonymous thought');
    expect(anonJson).not.toMatch(/Member \d|U\d|U_COORD|Casey/);
  });
});

describe('exports', () => {
  test('the CSV parses back to the same numbers', async () => {
    for (const id of [firstId, secondId]) {
      const r = await results.results(coordinator, { reviewId: id });
      const file = await results.export(coordinator, { reviewId: id, format: 'csv' });
      expect(file.mimeType).toMatch(/^text\/csv/);
      expect(file.content).toBe(toCsv(r));
      const [header, ...lines] = parseCsv(file.content);
      expect(header).toEqual([...CSV_COLUMNS]);
      const col = (line: string[], name: (typeof CSV_COLUMNS)[number]) =>
        line[CSV_COLUMNS.indexOf(name)] as string;
      const expected = r.rows.flatMap((row) => row.rounds.map((f) => ({ row, f })));
      expect(lines).toHaveLength(expected.length);
      lines.forEach((line, i) => {
        const { row, f } = expected[i] as (typeof expected)[number];
        expect(line).toHaveLength(CSV_COLUMNS.length);
        expect(col(line, 'row_id')).toBe(row.rowId);
        expect(col(line, 'row_title')).toBe(row.title);
        expect(col(line, 'rating_level')).toBe(row.rating === null ? '' : String(row.rating));
        expect(col(line, 'rating_label')).toBe(row.ratingLabel);
        expect(Number(col(line, 'round'))).toBe(f.round);
        expect(
          ['beginning', 'developing', 'evolving', 'accomplished'].map((c) =>
            Number(col(line, c as (typeof CSV_COLUMNS)[number])),
          ),
        ).toEqual(f.distribution.levels);
        expect(Number(col(line, 'not_sure'))).toBe(f.distribution.unsure);
        expect(Number(col(line, 'total'))).toBe(f.distribution.total);
        const num = (s: string) => (s === '' ? null : Number(s));
        expect(num(col(line, 'median'))).toBe(f.median);
        expect(num(col(line, 'rwg'))).toBe(f.rwg);
        expect(num(col(line, 'gap'))).toBe(f.gap);
        expect(num(col(line, 'share_at_mode'))).toBe(f.shareAtMode);
        expect(num(col(line, 'change'))).toBe(row.change);
      });
    }
  });

  test('text that a spreadsheet would run as a formula is neutralised; quotes and commas survive', async () => {
    const r = await results.results(coordinator, { reviewId: firstId });
    const csv = toCsv(r);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const decided = parseCsv(csv).find((l) => l[CSV_COLUMNS.indexOf('how')] === 'decision');
    expect(decided?.[CSV_COLUMNS.indexOf('note')]).toBe('Agreed after discussing the handbook');
  });

  test('anonymous exports contain no member ids or names; named ones do carry names', async () => {
    await results.answerReflection(member(2), {
      reviewId: secondId,
      rowId: ROW1,
      question: 2,
      answer: 'Time for PLCs is short',
    });
    const members = await store.members.list('T1', (await store.reviews.get(secondId))?.districtId as string);
    const identities = members.flatMap((m) => [m.memberId, m.displayName]);
    expect(identities).toContain('Member 1');
    for (const format of ['csv', 'json', 'md'] as const) {
      const file = await results.export(coordinator, { reviewId: secondId, format });
      for (const id of identities) {
        expect(file.content.includes(id)).toBe(false);
      }
      if (format !== 'csv') expect(file.content).toContain('Time for PLCs is short');
    }
    const named = await results.export(coordinator, { reviewId: firstId, format: 'md' });
    expect(named.content).toContain('Member 4');
    const json = JSON.parse(toJson(await results.results(coordinator, { reviewId: secondId })));
    expect(json.anonymous).toBe(true);
    expect(json.rows[0].rounds[0].distribution.levels).toEqual([0, 0, 0, 4]);
  });
});

describe('commands', () => {
  const ctx = (i: number) => ({ actor: member(i), channelId: 'C1' });
  test('export, reflect and dashboard', async () => {
    const plain = new CommandService(service);
    await expect(plain.run(ctx(1), 'export csv')).rejects.toMatchObject({ code: 'invalid-state' });
    const issued: string[] = [];
    // The web adapter's signed links, noting the district each one is signed for.
    const web = webLinks({
      signer: new LinkSigner('test'),
      clock,
      baseUrl: () => 'http://x',
      linkTtlMs: 86_400_000,
    });
    const commands = new CommandService(service, {
      results,
      links: {
        dashboard: (t, d) => {
          issued.push(`${t}/${d}`);
          return web.dashboard(t, d);
        },
        exportUrl: (t, d, reviewId, format) => {
          issued.push(`${t}/${d}`);
          return web.exportUrl(t, d, reviewId, format);
        },
      },
    });
    const file = await commands.run(ctx(1), 'export md');
    expect(file).toMatchObject({ kind: 'file', mimeType: 'text/markdown; charset=utf-8' });
    expect(file.kind === 'file' && file.content).toContain('2026-27 Fall');
    // The same file as a signed download link of the web dashboard.
    expect(file.kind === 'file' && file.url).toMatch(
      /^http:\/\/x\/dashboard\/reviews\/[^/]+\/export\.md\?k=/,
    );
    const csv = await commands.run(ctx(1), `export csv ${firstId}`);
    expect(csv.kind === 'file' && csv.filename).toBe('micip-lakeview-schools-2025-26-spring.csv');
    await expect(commands.run(ctx(1), 'export pdf')).rejects.toThrow(/Usage: export csv\|json\|md/);
    const reflected = await commands.run(ctx(3), 'reflect 1 3 "Share the vision at every staff meeting"');
    expect(reflected.kind === 'text' && plainText(reflected.text)).toContain('Vision, mission and beliefs');
    await expect(commands.run(ctx(3), 'reflect 1 9 "x"')).rejects.toThrow(/question by number/);
    await expect(commands.run(ctx(3), 'reflect 2 1 "x"')).rejects.toMatchObject({ code: 'invalid-state' });
    // Closing a round that rates rows prompts the toolkit's reflection questions for those rows.
    const res = await commands.run(ctx(1), `results ${secondId}`);
    // A real table (header and a row per rubric row); mrkdwn shows it as lines (a notification's fallback text).
    expect(res.kind === 'review' && res.message.spans.filter((x) => x.kind === 'table')).toHaveLength(1);
    expect(res.kind === 'review' && toMrkdwn(res.message).split('\n')).toEqual([
      'Results of *2026-27 Fall*: 1 of 6 rows rated.',
      'Row | Rating | How it was reached | Gap and change',
      '1. Vision, mission and beliefs | *Accomplished (Collaborative)* | consensus in round 1 (at least 75% at one level) | +1 since 2025-26 Spring',
      '2. Policies and structures | *not settled* | no consensus yet | district − building +2.5',
      '3. Collaborative routines | *not settled* | no consensus yet | —',
      '4. Collaborative goal setting | *not settled* | no consensus yet | —',
      '5. Continuous improvement plans | *not settled* | no consensus yet | —',
      '6. Perspectives in decision-making | *not settled* | no consensus yet | —',
    ]);
    const old = await commands.run(ctx(1), `results ${firstId}`);
    expect(old.kind === 'review' && toMrkdwn(old.message)).toContain(
      '1. Vision, mission and beliefs | *Evolving* | consensus in round 1 (at least 75% at one level) | district − building -0.5',
    );
    // One open review per rubric (issue 15): the Fall review is cancelled before the next one starts.
    await service.cancelReview(coordinator, { reviewId: secondId, reason: 'moved on to spring' });
    const third = await service.startReview(coordinator, { channelId: 'C1', cycle: '2027 Spring' });
    for (let i = 1; i <= 4; i++) await vote(third.reviewId, i, ROW2, 2);
    const closed = await commands.run({ actor: coordinator, channelId: 'C1' }, `close ${third.reviewId}`);
    expect(closed.kind === 'review' && plainText(closed.message).split('\n')).toEqual([
      'Round 1 closed: 1 of 6 rows rated. 5 row(s) without consensus can have another round (`next`).',
      'Reflect on row 2 as a team — answer with `reflect <row> <question> "your answer"`; the answers are kept with the results:',
      '1. What causal theories might the team have regarding your current ratings?',
      '2. What barriers exist to shifting the culture?',
      '3. What actions might the team consider to begin the shift? To maintain the shift?',
    ]);
    const plainClose = await plain.run(
      { actor: coordinator, channelId: 'C1' },
      `decide 1 2 "agreed" review=${third.reviewId}`,
    );
    expect(plainClose.kind === 'review' && plainText(plainClose.message)).not.toContain('Reflect');
    const decided = await commands.run(
      { actor: coordinator, channelId: 'C1' },
      `decide 3 2 "agreed" review=${third.reviewId}`,
    );
    expect(decided.kind === 'review' && plainText(decided.message)).toContain('Reflect on row 3 as a team');
    const dash = await commands.run(ctx(1), 'dashboard');
    expect(dash.kind === 'text' && plainText(dash.text)).toContain('http://x/dashboard?k=');
    // Anyone in the district's channel may read it (docs/SECURITY.md); from another channel it is not there.
    await expect(
      commands.run({ actor: member(42, 'T1', 'C9'), channelId: 'C9' }, 'dashboard'),
    ).rejects.toMatchObject({ code: 'unknown-district' });
    expect(issued).toHaveLength(3); // two exports and one dashboard link, each for the caller's district
    expect(new Set(issued).size).toBe(1);
  });
});
