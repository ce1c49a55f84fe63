import { CSV_COLUMNS } from '../../src/app/reviews/resultsExport';
import type { App } from '../../src/main';
import { parseCsv } from '../support/csv';
import type { FakeSlack } from './fakeSlack';
import {
  roundClosed,
  type SlackHarness,
  startReviewViaSlack,
  startSlackHarness,
  voteViaSlack,
  waitFor,
} from './harness';
import type { SignedClient } from './signedClient';

const dbName = `micip_slack_export_${process.pid}`;
const SECRET = 'test-signing-secret-export-0123';

let fake: FakeSlack;
let app: App;
let slack: SignedClient;

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const completedFiles = () => [...fake.files.values()].filter((f) => f.completed);

const closed = (reviewId: string) => roundClosed(harness, reviewId);
const startReview = (team: string, channel: string, coordinator: string, args: string) =>
  startReviewViaSlack(harness, team, channel, coordinator, args);
const vote = (team: string, channel: string, user: string, reviewId: string, rowId: string, choice: string) =>
  voteViaSlack(harness, { team, channel, user, reviewId, rowId, choice });

let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET);
  ({ fake, app, slack } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

describe('/micip export through the signed HTTP endpoint (fake Slack Web API)', () => {
  let reviewId = '';
  let rows: string[] = [];

  test('export csv uploads a file to the channel whose bytes parse back to the review’s numbers', async () => {
    await slack.command({ text: 'setup "Lakeview Schools"' });
    await waitFor(() => ephemeralsTo('U_COORD').length === 1);
    ({ reviewId, rowIds: rows } = await startReview(
      'T1',
      'C1',
      'U_COORD',
      '"2026-27 Fall" quorum=1 threshold=0.6',
    ));
    const [r1, r2] = rows as [string, string];
    // Row 1: two Accomplished, one Evolving. Row 2: one Developing, one Beginning, one not sure.
    await vote('T1', 'C1', 'U1', reviewId, r1, '4');
    await vote('T1', 'C1', 'U2', reviewId, r1, '4');
    await vote('T1', 'C1', 'U3', reviewId, r1, '3');
    await vote('T1', 'C1', 'U1', reviewId, r2, '2');
    await vote('T1', 'C1', 'U2', reviewId, r2, '1');
    await vote('T1', 'C1', 'U3', reviewId, r2, 'unsure');
    await waitFor(async () => (await app.store.votes.listRound(reviewId, 1)).length === 6);
    await slack.command({ text: 'close' });
    await waitFor(() => closed(reviewId));

    const ephemeralsBefore = ephemeralsTo('U_COORD').length;
    await slack.command({ text: 'export csv' });
    await waitFor(() => completedFiles().length === 1);
    const file = completedFiles()[0];
    expect(fake.of('files.getUploadURLExternal')).toHaveLength(1);
    expect(fake.of('upload')).toHaveLength(1);
    expect(fake.of('files.completeUploadExternal')).toHaveLength(1);
    expect(file?.filename).toMatch(/\.csv$/);
    expect(file?.completed?.channel).toBe('C1');
    expect(file?.completed?.initialComment).toMatch(/Results export \(CSV\)/);
    expect(file?.completed?.initialComment).toMatch(/<@U_COORD>/);
    // The file is the export: no inline copy for the coordinator.
    await new Promise((r) => setTimeout(r, 50));
    expect(
      ephemeralsTo('U_COORD')
        .slice(ephemeralsBefore)
        .map((c) => String(c.args.text)),
    ).toEqual([]);

    const table = parseCsv(String(file?.bytes ?? ''));
    expect(table[0]).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const line = (rowId: string) =>
      table.filter((l) => l[col('row_id')] === rowId && l[col('round')] === '1');
    expect(line(r1)).toHaveLength(1);
    expect(line(r2)).toHaveLength(1);
    const counts = (rowId: string) =>
      ['accomplished', 'evolving', 'developing', 'beginning', 'not_sure'].map((k) =>
        Number(line(rowId)[0]?.[col(k as (typeof CSV_COLUMNS)[number])]),
      );
    expect(counts(r1)).toEqual([2, 1, 0, 0, 0]);
    expect(counts(r2)).toEqual([0, 0, 1, 1, 1]);
    // The same numbers as the store holds.
    const stored = await app.store.votes.listRound(reviewId, 1);
    for (const rowId of [r1, r2]) {
      const mine = stored.filter((v) => v.rowId === rowId);
      expect(counts(rowId)[0]).toBe(mine.filter((v) => v.choice === 4).length);
      expect(counts(rowId)[4]).toBe(mine.filter((v) => v.choice === 'unsure').length);
    }
    // Consensus on row 1 at the 0.6 threshold (rwg 0.73); row 2 not settled.
    expect(line(r1)[0]?.[col('rating_level')]).toBe('4');
    expect(line(r1)[0]?.[col('median')]).toBe('4');
    expect(line(r2)[0]?.[col('rating_level')]).toBe('');
    expect(line(r2)[0]?.[col('settled')]).toBe('false');
    // Every rubric row is in the file.
    for (const rowId of rows) expect(table.some((l) => l[col('row_id')] === rowId)).toBe(true);
  });

  test('an anonymous review’s exported files contain no member ids or names', async () => {
    fake.admins.add('UC2'); // Dana administers workspace T2, so she may set up its district team
    await slack.command({
      team_id: 'T2',
      channel_id: 'C2',
      user_id: 'UC2',
      user_name: 'dana',
      text: 'setup "Hill"',
    });
    await waitFor(() => ephemeralsTo('UC2').length === 1);
    const anon = await startReview('T2', 'C2', 'UC2', '"Spring" anonymous quorum=1');
    const voters = ['UANON7', 'UANON8', 'UANON9'];
    for (const [i, u] of voters.entries()) {
      await vote('T2', 'C2', u, anon.reviewId, anon.rowIds[0] as string, String((i % 2) + 3));
      await vote('T2', 'C2', u, anon.reviewId, anon.rowIds[1] as string, '2');
    }
    await waitFor(async () => (await app.store.votes.listRound(anon.reviewId, 1)).length === 6);
    await slack.command({
      team_id: 'T2',
      channel_id: 'C2',
      user_id: 'UC2',
      user_name: 'dana',
      text: 'close',
    });
    await waitFor(() => closed(anon.reviewId));
    const before = completedFiles().length;
    for (const format of ['csv', 'json', 'md']) {
      await slack.command({
        team_id: 'T2',
        channel_id: 'C2',
        user_id: 'UC2',
        user_name: 'dana',
        text: `export ${format}`,
      });
    }
    await waitFor(() => completedFiles().length === before + 3);
    const files = completedFiles().slice(before);
    expect(files.map((f) => f.completed?.channel)).toEqual(['C2', 'C2', 'C2']);
    const csv = files.find((f) => f.filename.endsWith('.csv'));
    const table = parseCsv(String(csv?.bytes ?? ''));
    const i = CSV_COLUMNS.indexOf('accomplished');
    const e = CSV_COLUMNS.indexOf('evolving');
    const first = table.find((l) => l[CSV_COLUMNS.indexOf('row_id')] === anon.rowIds[0]);
    expect([Number(first?.[i]), Number(first?.[e])]).toEqual([1, 2]);
    for (const f of files) {
      const text = String(f.bytes ?? '');
      expect(text.length).toBeGreaterThan(100);
      for (const u of voters) {
        expect(text).not.toContain(u);
        expect(text).not.toContain(`name-${u}`);
      }
    }
  });

  test('a failed upload (install without files:write: missing_scope) shows the export inline with a reinstall note', async () => {
    const before = completedFiles().length;
    const shown = ephemeralsTo('U_COORD').length;
    const uploads = fake.of('upload').length;
    fake.failNext('files.getUploadURLExternal', {
      body: { ok: false, error: 'missing_scope', needed: 'files:write' },
    });
    await slack.command({ text: `export csv ${reviewId}` });
    await waitFor(() => ephemeralsTo('U_COORD').length === shown + 1);
    const text = String(ephemeralsTo('U_COORD').at(-1)?.args.text);
    expect(text).toMatch(/missing_scope/);
    expect(text).toMatch(/reinstall the app/i);
    expect(text).toMatch(/files:write/);
    expect(text).toContain(CSV_COLUMNS.join(','));
    for (const rowId of rows) expect(text).toContain(rowId);
    expect(completedFiles()).toHaveLength(before);
    // Slack refused at the first step: nothing was uploaded or shared.
    expect(fake.of('upload')).toHaveLength(uploads);
  });

  test('an upload refused at completion (app not in the channel) also falls back inline, saying what to do', async () => {
    const shown = ephemeralsTo('U_COORD').length;
    const completes = fake.of('files.completeUploadExternal').length;
    fake.failNext('files.completeUploadExternal', { body: { ok: false, error: 'not_in_channel' } });
    await slack.command({ text: 'export md' });
    await waitFor(() => ephemeralsTo('U_COORD').length === shown + 1);
    expect(fake.of('files.completeUploadExternal')).toHaveLength(completes + 1);
    const text = String(ephemeralsTo('U_COORD').at(-1)?.args.text);
    expect(text).toMatch(/not_in_channel/);
    expect(text).toMatch(/Add the app to the channel/);
    expect(text).toMatch(/Results export \(MD\)/);
  });
});
