import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator } from '../app/ports';

export const systemClock: Clock = { now: () => new Date() };

/** Short, URL- and Slack-value-safe random ids: prefix + 12 base32 characters (60 bits). */
export const randomIds: IdGenerator = {
  next(prefix: string) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const bytes = randomBytes(12);
    let s = '';
    for (const b of bytes) s += alphabet[b % 32];
    return `${prefix}_${s}`;
  },
};
