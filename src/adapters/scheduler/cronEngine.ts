import { CronExpressionParser } from 'cron-parser';
import type { CronEngine } from '../../app/nudges/nudgePorts';
import { DomainError } from '../../domain/errors';
import type { OccurrenceSource } from '../../domain/schedule';
import { EXAMPLE_SCHEDULES } from '../../domain/schedule';

/** Cron evaluation with cron-parser (DST-aware: a skipped local time runs after the jump, a repeated one once). */
export const cronParserEngine: CronEngine = {
  source(cron: string, tz: string): OccurrenceSource {
    // Fail early on an expression cron-parser cannot evaluate.
    try {
      CronExpressionParser.parse(cron, { tz, currentDate: new Date(0) });
    } catch (e) {
      throw new DomainError(
        'invalid-input',
        `The schedule "${cron}" is not valid (${(e as Error).message}). Try ${EXAMPLE_SCHEDULES}.`,
        { schedule: (e as Error).message },
      );
    }
    const between = (from: Date, to: Date, limit: number): Date[] => {
      const it = CronExpressionParser.parse(cron, {
        tz,
        currentDate: new Date(from.getTime() - 1000),
        endDate: to,
      });
      const out: Date[] = [];
      while (out.length < limit && it.hasNext()) {
        const d = it.next().toDate();
        if (d > to) break;
        if (d >= from) out.push(d);
      }
      return out;
    };
    return {
      between,
      // Walking forward over a short window rather than cron-parser's prev(): prev() skips an occurrence moved
      // by a spring-forward gap (02:30 → 03:30) that next() yields, and both directions must agree.
      before(t) {
        for (const days of [1, 8, 32, 370]) {
          const list = between(new Date(t.getTime() - days * 86_400_000), new Date(t.getTime() - 1), 5000);
          const last = list[list.length - 1];
          if (last) return last;
        }
        return null;
      },
    };
  },
};
