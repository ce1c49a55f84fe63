import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRubricCatalog } from '../src/adapters/files/rubricCatalog';
import { parseRubric, RubricFileError } from '../src/app/reviews/rubricSchema';
import { functionsOf } from '../src/domain/balance';

const root = path.resolve(__dirname, '..');
const seedFile = path.resolve(root, '..', 'shared', 'seeds', '002_c3287527deef53cb.txt');
const rubricFile = path.join(root, 'rubrics', 'culture-of-collaboration.json');

/** Whitespace (line breaks of the PDF extraction) as single spaces. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the "Maintaining Balance" table as data beside the rubric', () => {
  const seed = fs.readFileSync(seedFile, 'utf8');
  const balance = loadRubricCatalog(path.join(root, 'rubrics')).get('culture-of-collaboration')?.balance;

  test("the table's cells are the toolkit's words, nothing lost or added, in the extraction's order", () => {
    // The table runs from its heading after Activity 3 to "Facilitator Readiness"; the extraction reads it row by
    // row (building, collaborative with its bullets, district), with the column headings repeated on page 2.
    const start = seed.indexOf(
      'Maintaining Balance in the Continuous Improvement Process\nBuilding Team Functions',
    );
    const end = seed.indexOf('Facilitator Readiness');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const table = flat(
      seed
        .slice(start + 'Maintaining Balance in the Continuous Improvement Process'.length, end)
        .replace(/Building Team Functions|Collaborative Function|District Team Functions|•/g, ' '),
    );
    const cells = (balance?.rows ?? []).flatMap((r) => [
      r.building,
      r.collaborative,
      ...(r.collaborativeBullets ?? []),
      r.district,
      r.spanning,
    ]);
    expect([...cells.filter((c) => c !== undefined), balance?.closing].join(' ')).toBe(table);
    expect(balance?.title).toBe('Maintaining Balance in the Continuous Improvement Process');
  });

  test("Activity 3's step 2 is quoted for each team", () => {
    const text = flat(seed);
    expect(text).toContain(`2. ${balance?.buildingStep} ${balance?.districtStep}`);
    expect(balance?.buildingStep).toMatch(/^Building teams: .*in place .*created or strengthened/);
  });

  test("each template asks about its team's functions: six of the columns and the spanning row", () => {
    const building = functionsOf(balance as NonNullable<typeof balance>, 'building');
    const district = functionsOf(balance as NonNullable<typeof balance>, 'district');
    expect(building.map((f) => f.id)).toEqual(district.map((f) => f.id));
    expect(building).toHaveLength(7);
    expect(building[0]?.text).toMatch(/^Identify the building continuous improvement team process/);
    expect(district[0]?.text).toMatch(/^Choose members for the continuous improvement team/);
    expect(building[6]?.text).toBe(district[6]?.text);
  });

  test('a bad table in a rubric file fails at load, naming the file and the field', () => {
    const good = JSON.parse(fs.readFileSync(rubricFile, 'utf8'));
    const both = structuredClone(good);
    both.balance.rows[0].spanning = 'one text';
    expect(() => parseRubric('both.json', both)).toThrow(RubricFileError);
    expect(() => parseRubric('both.json', both)).toThrow(/both\.json.*balance\.rows\.0/);
    const twice = structuredClone(good);
    twice.balance.rows[1].id = 'team';
    expect(() => parseRubric('twice.json', twice)).toThrow(/twice\.json.*balance\.rows\.1\.id.*duplicate/);
    const extra = structuredClone(good);
    extra.balance.rows[2].notes = 'not a field';
    expect(() => parseRubric('extra.json', extra)).toThrow(/extra\.json.*balance\.rows\.2/);
    const { balance: _none, ...without } = good;
    expect(parseRubric('plain.json', without).balance).toBeUndefined();
  });
});
