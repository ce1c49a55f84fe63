import { z } from 'zod';

const passage = z.string().trim().min(1, 'must not be empty').max(1500, 'is too long');

/**
 * The toolkit's "Maintaining Balance" table (Section 3, Handout 3) in a rubric file (object `balance`; see
 * domain/balance.ts). Validated at start-up with the rubric: a row is either its columns or one spanning text.
 */
export const balanceSchema = z
  .object({
    source: z.string().trim().min(1).max(500),
    title: z.string().trim().min(1).max(200),
    buildingStep: passage,
    districtStep: passage,
    rows: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes'),
            topic: z.string().trim().min(1).max(40, 'a topic must be at most 40 characters'),
            building: passage.optional(),
            collaborative: passage.optional(),
            collaborativeBullets: z.array(passage).max(10).optional(),
            district: passage.optional(),
            spanning: passage.optional(),
          })
          .strict()
          .refine(
            (r) =>
              r.spanning === undefined
                ? r.building !== undefined || r.collaborative !== undefined || r.district !== undefined
                : r.building === undefined && r.collaborative === undefined && r.district === undefined,
            'a row has its columns (building, collaborative, district) or one spanning text, not both',
          ),
      )
      .min(1)
      .max(20),
    closing: passage,
  })
  .strict()
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.rows.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'id'], message: `duplicate row id "${r.id}"` });
      seen.add(r.id);
    });
    for (const side of ['building', 'district'] as const)
      if (!b.rows.some((r) => r[side] !== undefined || r.spanning !== undefined))
        ctx.addIssue({ code: 'custom', path: ['rows'], message: `has no ${side}-team function` });
  });
