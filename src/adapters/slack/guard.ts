import { createHmac, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { DISPLAY_NAME_MAX } from '../../app/schemas';

/**
 * The guard in front of Bolt: signature and timestamp checks (both directions), a size limit, and a shape check of
 * every payload, so that nothing malformed reaches a listener. Pure functions: no I/O here.
 */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_SKEW_SECONDS = 5 * 60;
const MAX_DEPTH = 24;

export type GuardFailure = { status: 400 | 401 | 413 | 415; error: string };

export function verifySignature(
  secret: string,
  headers: { signature?: string | undefined; timestamp?: string | undefined },
  rawBody: Buffer,
  nowMs: number,
): GuardFailure | null {
  const ts = headers.timestamp;
  const sig = headers.signature;
  if (!ts || !sig) return { status: 401, error: 'missing Slack signature headers' };
  if (!/^\d{1,12}$/.test(ts)) return { status: 401, error: 'bad request timestamp' };
  if (Math.abs(nowMs / 1000 - Number(ts)) > MAX_SKEW_SECONDS) {
    return { status: 401, error: 'request timestamp is more than five minutes from now' };
  }
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${ts}:`);
  mac.update(rawBody);
  const expected = Buffer.from(`v0=${mac.digest('hex')}`);
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { status: 401, error: 'bad Slack signature' };
  }
  return null;
}

/** Signs a body the way Slack does (used by tests and the benchmark). */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Nesting depth of a JSON text, counted without parsing (strings skipped). */
export function jsonDepth(s: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class ForbiddenKey extends Error {}
const FORBIDDEN_KEY_TEXT = /"(?:__proto__|constructor|prototype)"/;
const rejectForbidden = (k: string, v: unknown): unknown => {
  if (FORBIDDEN_KEYS.has(k)) throw new ForbiddenKey(k);
  return v;
};

/** JSON.parse with a depth limit and no `__proto__`/`constructor`/`prototype` keys. */
export function safeJsonParse(s: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (jsonDepth(s) > MAX_DEPTH) return { ok: false, error: 'payload is nested too deeply' };
  try {
    // Fast path: without \u escapes a forbidden key can only appear literally; otherwise check every key.
    if (!s.includes('\\u')) {
      if (FORBIDDEN_KEY_TEXT.test(s)) {
        const value = JSON.parse(s, rejectForbidden);
        return { ok: true, value };
      }
      return { ok: true, value: JSON.parse(s) };
    }
    const value = JSON.parse(s, (k, v) => {
      if (FORBIDDEN_KEYS.has(k)) throw new ForbiddenKey(k);
      return v;
    });
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ForbiddenKey) return { ok: false, error: `payload has a forbidden key "${e.message}"` };
    return { ok: false, error: 'payload is not valid JSON' };
  }
}

const id = z.string().min(1).max(64);
const str = (max: number) => z.string().max(max);
const team = z.looseObject({ id: id }).nullable().optional();
/** Display names: as long as the core accepts (256, what Microsoft Entra ID allows; Slack's are shorter). */
const displayName = str(DISPLAY_NAME_MAX);
const user = z.looseObject({ id: id, name: displayName.optional(), team_id: id.optional() });
const anyObject = z.looseObject({});

const blockAction = z.looseObject({
  type: z.literal('block_actions'),
  team,
  user,
  api_app_id: id.optional(),
  trigger_id: str(200).optional(),
  channel: z.looseObject({ id: id }).nullable().optional(),
  container: anyObject.optional(),
  message: anyObject.optional(),
  view: anyObject.optional(),
  actions: z
    .array(
      z.looseObject({
        type: str(64),
        action_id: str(255),
        block_id: str(255).optional(),
        value: str(2000).optional(),
        action_ts: str(64).optional(),
      }),
    )
    .min(1)
    .max(25),
});

const viewPayload = z.looseObject({
  type: z.enum(['view_submission', 'view_closed']),
  team,
  user,
  api_app_id: id.optional(),
  view: z.looseObject({
    id: id,
    callback_id: str(255),
    private_metadata: str(3000).optional(),
    state: z
      .looseObject({
        values: z.record(str(255), z.record(str(255), z.looseObject({ type: str(64).optional() }))),
      })
      .optional(),
  }),
});

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/i),
  text: str(4000).default(''),
  team_id: id,
  enterprise_id: id.optional(),
  user_id: id,
  user_name: displayName.optional(),
  channel_id: id,
  channel_name: str(200).optional(),
  trigger_id: str(200).optional(),
  response_url: str(2000).optional(),
  api_app_id: id.optional(),
});

const eventEnvelope = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: str(200) }),
  z.looseObject({
    type: z.literal('event_callback'),
    team_id: id.optional(),
    api_app_id: id.optional(),
    event_id: id.optional(),
    authorizations: z.array(anyObject).max(50).optional(),
    event: z.looseObject({
      type: str(100),
      user: id.optional(),
      channel: id.optional(),
      tab: str(20).optional(),
    }),
  }),
]);

export type GuardedBody =
  | { kind: 'ssl_check' }
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'bolt'; body: Record<string, unknown> };

/** Turns a verified raw body into a body Bolt can process, or a 4xx. */
export function parseSlackBody(contentType: string | undefined, raw: string): GuardedBody | GuardFailure {
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (ct === 'application/json') {
    const parsed = safeJsonParse(raw);
    if (!parsed.ok) return { status: 400, error: parsed.error };
    return checkEvent(parsed.value);
  }
  if (ct !== 'application/x-www-form-urlencoded') {
    return { status: 415, error: 'expected application/x-www-form-urlencoded or application/json' };
  }
  const form = new URLSearchParams(raw);
  for (const k of form.keys()) {
    if (FORBIDDEN_KEYS.has(k)) return { status: 400, error: `form has a forbidden key "${k}"` };
  }
  if (form.get('ssl_check') === '1') return { kind: 'ssl_check' };
  const payload = form.get('payload');
  if (payload !== null) {
    const parsed = safeJsonParse(payload);
    if (!parsed.ok) return { status: 400, error: parsed.error };
    return checkInteractive(parsed.value);
  }
  if (form.has('command')) {
    const fields: Record<string, string> = {};
    for (const [k, v] of form) if (!(k in fields)) fields[k] = v;
    const r = slashCommand.safeParse(fields);
    if (!r.success) return { status: 400, error: `malformed slash command: ${describe(r.error)}` };
    return { kind: 'bolt', body: r.data };
  }
  return { status: 400, error: 'unrecognised Slack request' };
}

function describe(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.map(String).join('.') || '(payload)'} ${i.message}` : 'invalid';
}

function checkInteractive(v: unknown): GuardedBody | GuardFailure {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { status: 400, error: 'payload must be a JSON object' };
  }
  const type = (v as { type?: unknown }).type;
  const schema =
    type === 'block_actions'
      ? blockAction
      : type === 'view_submission' || type === 'view_closed'
        ? viewPayload
        : null;
  if (!schema) return { status: 400, error: `unsupported interaction type` };
  const r = schema.safeParse(v);
  if (!r.success) return { status: 400, error: `malformed ${String(type)} payload: ${describe(r.error)}` };
  const body = r.data as Record<string, unknown> & {
    team?: { id: string } | null;
    user: { team_id?: string };
  };
  if (!body.team?.id && !body.user.team_id) return { status: 400, error: 'payload names no workspace' };
  return { kind: 'bolt', body };
}

function checkEvent(v: unknown): GuardedBody | GuardFailure {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { status: 400, error: 'event body must be a JSON object' };
  }
  const r = eventEnvelope.safeParse(v);
  if (!r.success) return { status: 400, error: `malformed event: ${describe(r.error)}` };
  if (r.data.type === 'url_verification')
    return { kind: 'url_verification', challenge: r.data.challenge as string };
  return { kind: 'bolt', body: r.data };
}

/** A bounded set of recently seen keys (Slack retries resend the same body): least recently added goes first. */
export class RecentKeys {
  /** Key → when it was added (the caller's clock, passed to `add`). */
  private readonly seen: LRUCache<string, number>;
  constructor(
    max = 20000,
    private readonly ttlMs = 10 * 60 * 1000,
  ) {
    this.seen = new LRUCache<string, number>({ max });
  }

  /** Records `key`; returns false if it was already seen within the TTL. */
  add(key: string, nowMs: number): boolean {
    const at = this.seen.peek(key);
    if (at !== undefined && nowMs - at < this.ttlMs) return false;
    this.seen.delete(key);
    this.seen.set(key, nowMs);
    return true;
  }

  /** Forgets `key`, so that the next `add` of it counts as new. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
