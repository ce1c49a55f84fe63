/**
 * A non-empty string field of a platform's answer (Slack's `ts` of chat.postMessage, the Bot Connector's `id` of a
 * sent activity), or null when the answer has none.
 */
export const stringField = (res: unknown, field: string): string | null => {
  const v = (res as Record<string, unknown> | null | undefined)?.[field];
  return typeof v === 'string' && v ? v : null;
};
