import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRubricCatalog } from '../src/adapters/files/rubricCatalog';
import { parseRubric, RubricFileError } from '../src/app/reviews/rubricSchema';

const root = path.resolve(__dirname, '..');
const seedFile = path.resolve(root, '..', 'shared', 'seeds', '002_c3287527deef53cb.txt');
const rubricFile = path.join(root, 'rubrics', 'culture-of-collaboration.json');

/** Whitespace (line breaks of the PDF extraction) as single spaces. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe("the toolkit's learner outcomes, Section One and Activity 1 (data beside the rubric)", () => {
  const seed = fs.readFileSync(seedFile, 'utf8');
  const a1 = loadRubricCatalog(path.join(root, 'rubrics')).get('culture-of-collaboration')?.activity1;

  test('the learner outcomes are the three under the heading, in order, word for word', () => {
    const start = seed.indexOf('Learner Outcomes');
    const end = seed.indexOf('Section One:');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const block = flat(seed.slice(start + 'Learner Outcomes'.length, end).replace(/•/g, ''));
    expect(a1?.learnerOutcomes).toHaveLength(3);
    // Together they are exactly the block under the heading: nothing lost, nothing added, in order.
    expect(a1?.learnerOutcomes.join(' ')).toBe(block);
    for (const o of a1?.learnerOutcomes ?? []) expect(o).toMatch(/^(Understand|Identify) .*\.$/);
  });

  test("Section One's title and paragraphs are the toolkit's text up to Activity 1", () => {
    const start = seed.indexOf('Section One: ');
    const end = seed.indexOf('Activity 1\n');
    const section = flat(seed.slice(start + 'Section One: '.length, end));
    expect(`${a1?.sectionOne.title} ${a1?.sectionOne.paragraphs.join(' ')}`).toBe(section);
    expect(a1?.sectionOne.title).toBe('The Importance of a District-led Continuous Improvement Process');
  });

  test('the unintended consequences are the four Section One lists, quoted', () => {
    expect(a1?.unintendedConsequences).toEqual([
      'an incomplete data picture',
      'uncoordinated selection and implementation of strategies and activities',
      'inadequate allocation of resources',
      'inconsistent monitoring practices',
    ]);
    const sectionText = flat(seed);
    expect(sectionText).toContain(
      `unintended consequences, including ${a1?.unintendedConsequences.slice(0, 3).join(', ')}, and ${a1?.unintendedConsequences[3]}.`,
    );
  });

  test("Activity 1's duration and its three steps are the toolkit's words", () => {
    const start = seed.indexOf('Activity 1\n');
    const end = seed.indexOf('Section 2:');
    const activity = flat(seed.slice(start + 'Activity 1\n'.length, end));
    const steps = (a1?.steps ?? []).map((s, i) => `${i + 1}. ${s}`).join(' ');
    expect(`${a1?.duration} ${steps}`).toBe(activity);
    expect(a1?.steps[2]).toMatch(/learner outcome that most resonates with them and share why/);
  });

  test('a bad Activity 1 in a rubric file fails at load, naming the file and the field', () => {
    const good = JSON.parse(fs.readFileSync(rubricFile, 'utf8'));
    const oneOutcome = structuredClone(good);
    oneOutcome.activity1.learnerOutcomes = ['Only one'];
    expect(() => parseRubric('one.json', oneOutcome)).toThrow(RubricFileError);
    expect(() => parseRubric('one.json', oneOutcome)).toThrow(/one\.json.*activity1\.learnerOutcomes/);
    const invented = structuredClone(good);
    invented.activity1.unintendedConsequences[1] = 'too many meetings';
    expect(() => parseRubric('inv.json', invented)).toThrow(
      /inv\.json.*activity1\.unintendedConsequences\.1.*quoted from the Section One/,
    );
    const extra = structuredClone(good);
    extra.activity1.prompt = 'not a field';
    expect(() => parseRubric('extra.json', extra)).toThrow(/extra\.json/);
    // A toolkit without an Activity 1 is still a rubric.
    const { activity1: _none, ...without } = good;
    expect(parseRubric('plain.json', without).activity1).toBeUndefined();
  });
});
