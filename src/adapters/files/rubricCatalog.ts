import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RubricCatalog } from '../../app/ports';
import { parseRubric, RubricFileError } from '../../app/reviews/rubricSchema';
import type { Rubric } from '../../domain/rubric';

/** Loads every `*.json` rubric in `dir` once, validating each; a bad file stops loading with its name and field. */
export function loadRubricCatalog(dir: string): RubricCatalog {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const byId = new Map<string, Rubric>();
  for (const f of files) {
    const file = path.join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new RubricFileError(file, '(file)', `is not valid JSON: ${(e as Error).message}`);
    }
    const rubric = parseRubric(file, json);
    if (byId.has(rubric.id))
      throw new RubricFileError(file, 'id', `"${rubric.id}" is used by another rubric file`);
    byId.set(rubric.id, rubric);
  }
  if (byId.size === 0) throw new RubricFileError(dir, '(directory)', 'holds no rubric files (*.json)');
  const list = [...byId.values()];
  return { get: (id) => byId.get(id) ?? null, list: () => list };
}
