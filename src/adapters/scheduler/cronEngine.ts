import { CronExpressionParser } from 'cron-parser';
import type { CronEngine } from '../../app/nudgePorts';
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
    return {
      between(from, to, limit) {
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
      },
      before(t) {
        const it = CronExpressionParser.parse(cron, { tz, currentDate: t });
        if (!it.hasPrev()) return null;
        const d = it.prev().toDate();
        return d < t ? d : null;
      },
    };
  },
};
