import { z } from 'zod';
import type { Rubric } from '../../domain/rubric';

const cell = z.string().trim().min(1, 'cell text must not be empty').max(1500, 'cell text is too long');

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
