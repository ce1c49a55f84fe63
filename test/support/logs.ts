import { createLogger, type Logger, levelFrom, silentLogger } from '../../src/adapters/observability/logger';

/** Tests write no log lines unless LOG_LEVEL is set (e.g. `LOG_LEVEL=debug npx jest test/teams`). */
export function testLogger(): Logger {
  const level = process.env.LOG_LEVEL;
  return level ? createLogger(levelFrom(level)) : silentLogger;
}

/** A logger whose JSON lines are kept in `lines` (parsed). */
export function bufferLogger(level: Parameters<typeof createLogger>[0] = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(level, { write: (s) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}
