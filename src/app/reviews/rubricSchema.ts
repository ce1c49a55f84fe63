import { z } from 'zod';
import type { Rubric } from '../../domain/rubric';
import { balanceSchema } from '../plans/balanceSchema';

const cell = z.string().trim().min(1, 'cell text must not be empty').max(1500, 'cell text is too long');

const passage = z.string().trim().min(1, 'must not be empty').max(1500, 'is too long');

/** The toolkit's learner outcomes, Section One and Activity 1 (see domain/activity1.ts). */
const activity1Schema = z
  .object({
    source: z.string().trim().min(1).max(500),
    learnerOutcomes: z
      .array(z.string().trim().min(1).max(300))
      .min(2, 'Activity 1 needs at least two learner outcomes to choose from')
      .max(10),
    sectionOne: z
      .object({ title: z.string().trim().min(1).max(200), paragraphs: z.array(passage).min(1).max(10) })
      .strict(),
    unintendedConsequences: z.array(z.string().trim().min(1).max(300)).min(1).max(10),
    duration: z.string().trim().min(1).max(200),
    steps: z.array(passage).min(1).max(10),
  })
  .strict()
  .superRefine((a, ctx) => {
    // The consequences are quoted from Section One, never written anew.
    const text = a.sectionOne.paragraphs.join(' ');
    a.unintendedConsequences.forEach((c, i) => {
      if (!text.includes(c))
        ctx.addIssue({
          code: 'custom',
          path: ['unintendedConsequences', i],
          message: 'must be quoted from the Section One paragraphs',
        });
    });
  });

/** The JSON shape of a rubric file (see rubrics/). Another MICIP toolkit's rubric needs only a new file. */
export const rubricFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be lower-case letters, digits and dashes'),
    title: z.string().trim().min(1).max(200),
    source: z.string().trim().min(1).max(500),
    levels: z
      .tuple([
        z.object({
          level: z.literal(1),
          name: z.string().min(1).max(40),
          subtitle: z.string().max(40).optional(),
        }),
        z.object({
          level: z.literal(2),
          name: z.string().min(1).max(40),
          subtitle: z.string().max(40).optional(),
        }),
        z.object({
          level: z.literal(3),
          name: z.string().min(1).max(40),
          subtitle: z.string().max(40).optional(),
        }),
        z.object({
          level: z.literal(4),
          name: z.string().min(1).max(40),
          subtitle: z.string().max(40).optional(),
        }),
      ])
      .describe('exactly four levels, 1 to 4 in order'),
    rows: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes'),
          title: z.string().trim().min(1).max(60, 'a row title must be at most 60 characters'),
          cells: z.tuple([cell, cell, cell, cell]),
        }),
      )
      .min(1, 'a rubric needs at least one row')
      .max(20, 'a rubric can have at most 20 rows'),
    reflectionQuestions: z.array(z.string().trim().min(1).max(300)).max(10).default([]),
    activity1: activity1Schema.optional(),
    balance: balanceSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.rows.forEach((row, i) => {
      if (seen.has(row.id))
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'id'], message: `duplicate row id "${row.id}"` });
      seen.add(row.id);
    });
  });

export class RubricFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`Rubric file ${file}: field "${field}" ${detail}`);
    this.name = 'RubricFileError';
  }
}

/** Validates parsed JSON from `file`; throws RubricFileError naming the file and the first bad field. */
export function parseRubric(file: string, json: unknown): Rubric {
  const r = rubricFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.map(String).join('.') || '(root)';
    throw new RubricFileError(file, field, issue?.message ?? 'is invalid');
  }
  return r.data as Rubric;
}
