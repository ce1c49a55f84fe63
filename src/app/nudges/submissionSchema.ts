import { z } from 'zod';
import { text } from '../schemas';

/** A number typed into a form: "72", "72%", " 1,200 ". Blank is "required". */
const formNumber = (min: number | null, max: number | null) =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const t = v.trim().replace(/%$/, '').replace(/,/g, '');
      return t === '' ? undefined : Number(t);
    },
    z
      .number({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a number') })
      .refine((n) => Number.isFinite(n), 'must be a number')
      .refine((n) => min === null || n >= min, `must be at least ${min}`)
      .refine((n) => max === null || n <= max, `must be at most ${max}`),
  );

const formText = (max: number) =>
  z
    .preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ error: 'must be text' }))
    .pipe(text(max));

/** The monitoring-data form. Field names match form inputs so that errors are shown next to the field. */
export const submissionSchema = z.object({
  strategy: formText(200),
  implementationMeasure: formText(500),
  fidelityPercent: formNumber(0, 100),
  impactMeasure: formText(500),
  impactValue: formNumber(null, null),
  interimTarget: formNumber(null, null),
  meaning: formText(3000),
  recommendations: formText(3000),
});
