import { LogLevel, type Logger as SlackLibraryLogger } from '@slack/bolt';
import type { Logger } from '../observability/logger';

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

/**
 * Our Logger in the shape Slack's libraries take (`logger` of Bolt, the Web API client, Socket Mode and OAuth):
 * their lines become our JSON lines. They log request bodies at debug and info, so whatever level they ask for,
 * nothing below `floor` (warn) is passed on; our own LOG_LEVEL still applies on top.
 */
export function boltLogger(log: Logger, floor: LogLevel = LogLevel.WARN): SlackLibraryLogger {
  let level: LogLevel = floor;
  const at =
    (l: LogLevel, write: (msg: string, ...details: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (RANK[l] < RANK[level]) return;
      const [first, ...rest] = args;
      if (typeof first === 'string') write(first, ...rest);
      else write('Slack library', ...args);
    };
  return {
    debug: at(LogLevel.DEBUG, log.debug),
    info: at(LogLevel.INFO, log.info),
    warn: at(LogLevel.WARN, log.warn),
    error: at(LogLevel.ERROR, log.error),
    getLevel: () => level,
    setLevel(l: LogLevel) {
      level = RANK[l] >= RANK[floor] ? l : floor;
    },
    setName() {},
  };
}
