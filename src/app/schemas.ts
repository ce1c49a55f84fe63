import { z } from 'zod';
import { CONSENSUS_DEFAULTS } from '../domain/consensus';
import { DomainError } from '../domain/errors';

/** Trimmed, non-empty, bounded text without control characters other than newlines and tabs. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !hasControlChars(s), 'contains control characters');

/** True when `s` holds a C0 control character other than tab, newline or carriage return, or DEL. */
function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return true;
  }
  return false;
}

export const idString = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'is too long')
  .regex(/^[A-Za-z0-9:_.@|\-/]+$/, 'has characters an id cannot have');

/** Microsoft Entra ID allows display names of up to 256 characters (Slack's are shorter). */
export const DISPLAY_NAME_MAX = 256;
export const displayNameSchema = z
  .string()
  .max(DISPLAY_NAME_MAX, `must be at most ${DISPLAY_NAME_MAX} characters`)
  .default('');

export const conversationSchema = z.enum(['channel', 'group', 'personal']);
export type Conversation = z.output<typeof conversationSchema>;

/**
 * Who is asking, and from where, as the chat or web adapter established it. The policy (src/app/policy.ts)
 * decides from these facts; nothing else about the request is trusted.
 */
export const actorSchema = z.object({
  tenantId: idString,
  userId: idString,
  displayName: displayNameSchema,
  /** The channel or conversation the request comes from (absent for signed web links and the app itself). */
  channelId: idString.optional(),
  /** What kind of conversation that is: a channel of a workspace/team, a group chat or a 1:1 chat. */
  conversation: conversationSchema.optional(),
  /**
   * Asks the platform whether this person may set the app up here (Slack: workspace admin or owner, or the app's
   * installer; Teams: the app's installer in this team; both: ADMIN_USER_IDS). Called only when a rule needs it.
   */
  isAdmin: z.custom<() => Promise<boolean>>((v) => typeof v === 'function').optional(),
});
export type Actor = z.input<typeof actorSchema>;

export const levelSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export const choiceSchema = z.union([levelSchema, z.literal('unsure')]);
export const perspectiveSchema = z.enum(['district', 'building']);

/** A consensus rule; each part left out is CONSENSUS_DEFAULTS.rule's. */
export const ruleSchema = z.object({
  kind: z.enum(['single-level', 'adjacent-levels']).default(CONSENSUS_DEFAULTS.rule.kind),
  threshold: z
    .number()
    .gt(0.5, 'must be more than 0.5')
    .max(1, 'must be at most 1')
    .default(CONSENSUS_DEFAULTS.rule.threshold),
  minVoters: z.number().int().min(1).max(100000).default(CONSENSUS_DEFAULTS.rule.minVoters),
  minShareOfMembers: z.number().min(0).max(1).default(CONSENSUS_DEFAULTS.rule.minShareOfMembers),
});

/** Parses `input` with `schema`, turning failures into a DomainError('invalid-input') with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const path = issue.path.map(String).join('.') || '(input)';
    if (!fields[path]) fields[path] = issue.message;
  }
  const summary = Object.entries(fields)
    .slice(0, 3)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  throw new DomainError('invalid-input', `That input is not valid — ${summary}.`, fields);
}
