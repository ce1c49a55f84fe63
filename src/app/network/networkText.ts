import { type NetworkDistribution, NOT_ENOUGH } from '../../domain/network';
import type { Level } from '../../domain/rubric';
import type { RubricCatalog } from '../ports';
import { join, plain, type RichText, rich, strong } from '../text';
import type { NetworkReading } from './networkService';
import { notesText } from './practiceNoteText';

/**
 * The network view as rich text (chat replies). Only what the view model holds: counts of districts per level,
 * "not enough districts yet" below k, the asker's own district's ratings, and the names of districts that opted in.
 */

const levelName = (rubrics: RubricCatalog, rubricId: string, level: Level): string =>
  rubrics.get(rubricId)?.levels[level - 1]?.name ?? `level ${level}`;

export function distributionText(rubrics: RubricCatalog, rubricId: string, d: NetworkDistribution): string {
  const parts = d.levels.map((n, i) => `${levelName(rubrics, rubricId, (i + 1) as Level)} ${n}`);
  return `${parts.join(' · ')} · not settled ${d.notSettled}`;
}

export function readingText(r: NetworkReading, rubrics: RubricCatalog): RichText {
  const v = r.view;
  const unnamed = v.memberCount - v.namedDistricts.length;
  const members =
    v.namedDistricts.length > 0
      ? rich` (named: ${join(v.namedDistricts, ', ')}${unnamed > 0 ? plain(`; ${unnamed} not named`) : ''})`
      : plain('');
  const lines: RichText[] = [
    rich`Co-op network ${strong(v.name)}: ${String(v.memberCount)} member district${v.memberCount === 1 ? '' : 's'}${members}. Each figure counts districts' settled ratings and needs at least ${String(v.k)} districts.`,
  ];
  if (r.district) lines.push(rich`Your district: ${strong(r.district.name)} vs. the network.`);
  for (const rubric of v.rubrics) {
    const cat = rubrics.get(rubric.rubricId);
    for (const c of rubric.cycles) {
      const head = c.enough
        ? rich`${strong(cat?.title ?? rubric.rubricId)} — ${c.cycle ?? ''} (${String(c.contributors)} districts)`
        : rich`${strong(cat?.title ?? rubric.rubricId)} — ${c.cycle ?? ''}: ${NOT_ENOUGH} (fewer than ${String(v.k)})`;
      lines.push(head);
      for (const row of c.rows) {
        const title = cat?.rows.find((x) => x.id === row.rowId)?.title ?? row.rowId;
        const network = row.distribution
          ? plain(distributionText(rubrics, rubric.rubricId, row.distribution))
          : plain(NOT_ENOUGH);
        const yours =
          row.yours === undefined
            ? plain('')
            : plain(
                ` — your district: ${row.yours === null ? 'not settled' : levelName(rubrics, rubric.rubricId, row.yours)}`,
              );
        lines.push(rich`• ${title}: ${network}${yours}`);
      }
    }
    if (rubric.hiddenCycles > 0) {
      lines.push(
        rich`${strong(cat?.title ?? rubric.rubricId)}: ${String(rubric.hiddenCycles)} other cycle${rubric.hiddenCycles === 1 ? '' : 's'} — ${NOT_ENOUGH}.`,
      );
    }
  }
  if (v.rubrics.length === 0) lines.push(plain(`No ratings yet: ${NOT_ENOUGH}.`));
  if (r.notes !== null) lines.push(notesText(r.notes, rubrics));
  return join(lines, '\n');
}

export const readingsText = (rs: readonly NetworkReading[], rubrics: RubricCatalog): RichText =>
  join(
    rs.map((r) => readingText(r, rubrics)),
    '\n\n',
  );
