import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRubricCatalog } from '../src/adapters/files/rubricCatalog';
import { parseRubric, RubricFileError } from '../src/app/reviews/rubricSchema';

const root = path.resolve(__dirname, '..');
const seedFile = path.resolve(root, '..', 'shared', 'seeds', '002_c3287527deef53cb.txt');
const rubricFile = path.join(root, 'rubrics', 'culture-of-collaboration.json');

/** Words without hyphens or punctuation, lower-cased: line-break hyphenation ("district-\nwide") disappears. */
const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[-‐]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

const multiset = (ws: string[]) => {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
};

describe('the collaboration rubric', () => {
  const catalog = loadRubricCatalog(path.join(root, 'rubrics'));
  const rubric = catalog.get('culture-of-collaboration');

  test('has 6 rows × 4 ordered levels with short titles', () => {
    expect(rubric).not.toBeNull();
    expect(rubric?.levels.map((l) => l.name)).toEqual([
      'Beginning',
      'Developing',
      'Evolving',
      'Accomplished',
    ]);
    expect(rubric?.levels[0]?.subtitle).toBe('Individualistic');
    expect(rubric?.levels[3]?.subtitle).toBe('Collaborative');
    expect(rubric?.rows).toHaveLength(6);
    for (const row of rubric?.rows ?? []) expect(row.title.length).toBeLessThanOrEqual(40);
  });

  test('uses exactly the words of the toolkit table: none lost, none invented', () => {
    const seed = fs.readFileSync(seedFile, 'utf8');
    const start = seed.indexOf('Accomplished\n(Collaborative)');
    const end = seed.indexOf('Section 3: Maintaining Balance');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const table = seed.slice(start + 'Accomplished\n(Collaborative)'.length, end);
    const cells = (rubric?.rows ?? []).flatMap((r) => r.cells).join(' ');
    expect(multiset(words(cells))).toEqual(multiset(words(table)));
  });

  test('each cell is a contiguous passage of the toolkit, or an in-order subsequence where the extraction interleaved it', () => {
    const seed = fs.readFileSync(seedFile, 'utf8');
    const flat = seed.replace(/\s+/g, ' ').replace(/-/g, '').replace(/\/ /g, '/');
    const norm = (s: string) => s.replace(/\s+/g, ' ').replace(/-/g, '');
    const cells = (rubric?.rows ?? []).flatMap((r) => r.cells);
    const interleaved = cells.filter((c) => !flat.includes(norm(c)));
    // The extraction interleaved exactly four cells: row 3 Beginning/Developing and row 6 Beginning/Developing.
    expect(interleaved).toEqual([
      rubric?.rows[2]?.cells[0],
      rubric?.rows[2]?.cells[1],
      rubric?.rows[5]?.cells[0],
      rubric?.rows[5]?.cells[1],
    ]);
    const seedWords = words(seed);
    for (const cell of interleaved) {
      // Every word of the cell occurs in the toolkit in the same order (a subsequence of the table's words).
      let at = 0;
      for (const w of words(cell ?? '')) {
        at = seedWords.indexOf(w, at);
        expect(at).toBeGreaterThanOrEqual(0);
        at++;
      }
    }
    expect(rubric?.rows[5]?.cells[3]).toMatch(/^Decisions-makers with varied perspectives/);
  });

  test('a bad rubric file fails with a message naming the file and the field', () => {
    const good = JSON.parse(fs.readFileSync(rubricFile, 'utf8'));
    const bad = structuredClone(good);
    bad.rows[2].cells[1] = '';
    expect(() => parseRubric('bad.json', bad)).toThrow(RubricFileError);
    expect(() => parseRubric('bad.json', bad)).toThrow(/bad\.json.*rows\.2\.cells\.1/);
    const threeLevels = { ...good, levels: good.levels.slice(0, 3) };
    expect(() => parseRubric('levels.json', threeLevels)).toThrow(/levels\.json.*levels/);
    const dupRows = { ...good, rows: [good.rows[0], good.rows[0]] };
    expect(() => parseRubric('dup.json', dupRows)).toThrow(/dup\.json.*rows\.1\.id.*duplicate/);
  });

  test('a directory with invalid JSON names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rubrics-'));
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ not json');
    expect(() => loadRubricCatalog(dir)).toThrow(/broken\.json.*not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });

  test('another toolkit rubric can be added as a file without code', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rubrics-'));
    const good = JSON.parse(fs.readFileSync(rubricFile, 'utf8'));
    fs.copyFileSync(rubricFile, path.join(dir, 'a.json'));
    fs.writeFileSync(
      path.join(dir, 'b.json'),
      JSON.stringify({ ...good, id: 'another-toolkit', title: 'Another' }),
    );
    const catalog2 = loadRubricCatalog(dir);
    expect(catalog2.list().map((r) => r.id)).toEqual(['culture-of-collaboration', 'another-toolkit']);
    fs.rmSync(dir, { recursive: true });
  });
});
