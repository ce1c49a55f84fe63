import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyedBudgets, POST_MESSAGE_PER_CHANNEL, SLACK_TIERS } from '../../src/adapters/slack/tiers';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
}

type Override = { status?: number; retryAfter?: number; body?: Record<string, unknown> };

/**
 * A local fake of the Slack Web API on 127.0.0.1 that records every call. Enough of the real answers for Bolt and
 * the WebClient: auth.test, chat.postMessage/update/postEphemeral, views.open/publish, oauth.v2.access, and the
 * external file upload (files.getUploadURLExternal → POST to the upload URL on this fake → files.completeUploadExternal).
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server: http.Server | null = null;
  private tsCounter = 1000;
  private overrides = new Map<string, Override[]>();
  url = '';
  /** Where apps.connections.open sends Socket Mode clients. */
  socketUrl = '';
  /** Files announced by files.getUploadURLExternal, their bytes once POSTed to the upload URL, and where completed. */
  readonly files = new Map<string, FakeFile>();
  private fileCounter = 0;

  /** Workspace admins as users.info reports them. */
  readonly admins = new Set<string>(['U_COORD']);
  /** Ids users.info does not find. */
  readonly missingUsers = new Set<string>();
  /** Ids users.info reports as bots, and as deactivated. */
  readonly bots = new Set<string>();
  readonly deletedUsers = new Set<string>();
  /** Members per channel, as conversations.members lists them (paged by `limit`, cursor = the next offset). */
  readonly channelMembers = new Map<string, string[]>();
  /** Calls answered 429 by the tier limits (method, token, when). */
  readonly limited: SlackCall[] = [];
  /** Calls per token and method in the last minute (tier enforcement); chat.postMessage per channel too. */
  private readonly windows = new Map<string, number[]>();
  private readonly channelBuckets = new KeyedBudgets(
    POST_MESSAGE_PER_CHANNEL.perSecond * 60,
    POST_MESSAGE_PER_CHANNEL.burst,
    () => this.now(),
  );
  /** The time the tiers are counted on (`now`, default the wall clock). */
  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }
  private responseUrlCounter = 0;
  private readonly responseUrlUses = new Map<string, number>();

  /**
   * `keepArgs: false` records method and time only (long benchmarks). `tiers: true` enforces Slack's published
   * rate limits per workspace (token) as a sliding minute (chat.update 50, chat.postEphemeral 100, …) and
   * chat.postMessage as a bucket per channel (1 a second, bursts of 3), answering 429 with Retry-After like Slack.
   * `latencyMs` delays every answer (Web API, response_url, upload) by that long after the request's body arrived,
   * like a Slack that takes its time; the call is recorded (and counted against the tiers) when it is answered.
   * `now` is the time the tiers are counted on (default the wall clock; test/support/fastTime.ts runs faster).
   */
  constructor(
    private readonly o: { keepArgs?: boolean; tiers?: boolean; latencyMs?: number; now?: () => number } = {},
  ) {}

  /** A fresh interaction response_url on this fake for `user`'s click (Slack allows 5 uses in 30 minutes). */
  responseUrl(user = ''): string {
    return `${this.url.replace(/\/api\/$/, '')}/respond/${++this.responseUrlCounter}/${encodeURIComponent(user)}`;
  }

  /** Messages sent to `user` through response_urls (vote confirmations). */
  responsesTo(user: string): SlackCall[] {
    return this.calls.filter((c) => c.method === 'response_url' && c.args.user === user);
  }

  /** Seconds to wait before `method` may be called again (0 = allowed now; the call is counted then). */
  private overLimit(
    method: string,
    token: string | null,
    args: Record<string, unknown>,
    now: number,
  ): number {
    if (!this.o.tiers) return 0;
    if (method === 'chat.postMessage') {
      // Per channel: bursts of `burst`, refilled at `perSecond`.
      const bucket = this.channelBuckets.for(`${token}|${String(args.channel)}`);
      const wait = bucket.delayMs();
      if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
      bucket.take();
      return 0;
    }
    const tier = SLACK_TIERS[method as keyof typeof SLACK_TIERS];
    if (!tier) return 0;
    const key = `${token}|${method}`;
    const limit = tier.limitPerMinute;
    const windowMs = 60_000;
    const list = (this.windows.get(key) ?? []).filter((t) => t > now - windowMs);
    this.windows.set(key, list);
    if (list.length >= limit) return Math.max(1, Math.ceil(((list[0] ?? now) + windowMs - now) / 1000));
    list.push(now);
    return 0;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 60000;
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** The next call(s) of `method` get this answer instead of the normal one. */
  failNext(method: string, o: Override, times = 1): void {
    const list = this.overrides.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(o);
    this.overrides.set(method, list);
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const latency = this.o.latencyMs ?? 0;
      if (latency > 0) setTimeout(() => this.onBody(req, chunks, res), latency);
      else this.onBody(req, chunks, res);
    });
  }

  private onBody(req: http.IncomingMessage, chunks: Buffer[], res: http.ServerResponse): void {
    if ((req.url ?? '').startsWith('/respond/')) {
      this.onRespond(req, Buffer.concat(chunks), res);
      return;
    }
    if ((req.url ?? '').startsWith('/upload/')) {
      this.onUpload(req, Buffer.concat(chunks), res).catch(() => res.writeHead(500).end());
      return;
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const raw = Buffer.concat(chunks).toString('utf8');
    const args: Record<string, unknown> = {};
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      Object.assign(args, raw ? JSON.parse(raw) : {});
    } else {
      for (const [k, v] of new URLSearchParams(raw)) {
        args[k] = (k === 'blocks' || k === 'view' || k === 'attachments') && v ? JSON.parse(v) : v;
      }
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : ((args.token as string | undefined) ?? null);
    const call = { method, args: this.o.keepArgs === false ? pick(args) : args, token, at: Date.now() };
    const wait = this.overLimit(method, token, args, this.now());
    if (wait > 0) {
      this.limited.push(call);
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(wait) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    this.calls.push(call);
    const o = this.overrides.get(method)?.shift();
    if (o) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (o.retryAfter !== undefined) headers['retry-after'] = String(o.retryAfter);
      res
        .writeHead(o.status ?? 200, headers)
        .end(JSON.stringify(o.body ?? { ok: false, error: 'ratelimited' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.answer(method, args)));
  }

  /** An interaction's response_url: records the message as method "response_url"; a 6th use is refused. */
  private onRespond(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): void {
    const [id = '', user = ''] = (req.url ?? '').slice('/respond/'.length).split('/');
    const uses = (this.responseUrlUses.get(id) ?? 0) + 1;
    this.responseUrlUses.set(id, uses);
    if (uses > 5) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('used_url');
      return;
    }
    let args: Record<string, unknown> = {};
    try {
      args = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      res.writeHead(400).end('invalid_payload');
      return;
    }
    this.calls.push({
      method: 'response_url',
      args: { ...args, url_id: id, user: decodeURIComponent(user) },
      token: null,
      at: Date.now(),
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }

  /** The upload step: the WebClient POSTs the bytes as multipart/form-data (one file part) to the upload URL. */
  private async onUpload(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<void> {
    const id = decodeURIComponent((req.url ?? '').slice('/upload/'.length));
    const file = this.files.get(id);
    const type = req.headers['content-type'] ?? 'application/octet-stream';
    this.calls.push({
      method: 'upload',
      args: { file_id: id, content_type: type },
      token: null,
      at: Date.now(),
    });
    if (!file || req.method !== 'POST') {
      res.writeHead(404).end('unknown upload');
      return;
    }
    let bytes = raw;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const part = [...form.values()].find((v) => typeof v !== 'string');
      if (!part || typeof part === 'string') {
        res.writeHead(400).end('no file part');
        return;
      }
      bytes = Buffer.from(await part.arrayBuffer());
    }
    if (bytes.length !== file.length) {
      res.writeHead(400).end(`length ${bytes.length} differs from announced ${file.length}`);
      return;
    }
    file.bytes = bytes;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (!args.filename || !Number.isInteger(length) || length < 1)
          return { ok: false, error: 'invalid_arguments' };
        const id = `F${++this.fileCounter}`;
        this.files.set(id, { id, filename: String(args.filename), length, bytes: null, completed: null });
        return { ok: true, upload_url: `${this.url.replace(/\/api\/$/, '')}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as Array<{
          id: string;
          title?: string;
        }>;
        const done = [];
        for (const f of list ?? []) {
          const file = this.files.get(f.id);
          if (!file?.bytes) return { ok: false, error: 'file_not_found' };
          file.completed = {
            channel: (args.channel_id as string | undefined) ?? null,
            initialComment: (args.initial_comment as string | undefined) ?? null,
            title: f.title ?? null,
          };
          done.push({ id: f.id, name: file.filename, title: f.title });
        }
        return done.length ? { ok: true, files: done } : { ok: false, error: 'invalid_arguments' };
      }
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'not_allowed' };
      case 'conversations.members': {
        const all = this.channelMembers.get(String(args.channel ?? ''));
        if (!all) return { ok: false, error: 'channel_not_found' };
        const from = Number(args.cursor ?? 0) || 0;
        const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
        const next = from + limit < all.length ? String(from + limit) : '';
        return { ok: true, members: all.slice(from, from + limit), response_metadata: { next_cursor: next } };
      }
      case 'users.info': {
        // Everyone exists except ids listed in `missingUsers`; admins are those in `admins` (U_COORD by default).
        const id = String(args.user ?? '');
        if (!id || this.missingUsers.has(id)) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id,
            team_id: 'T1',
            name: id.toLowerCase(),
            real_name: `Person ${id}`,
            deleted: this.deletedUsers.has(id),
            is_bot: this.bots.has(id),
            is_admin: this.admins.has(id),
            is_owner: false,
            profile: { display_name: `Person ${id}`, real_name: `Person ${id}` },
          },
        };
      }
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', team: 'Test', url: 'https://x/' };
      case 'chat.postMessage':
        return {
          ok: true,
          channel: args.channel,
          ts: `${++this.tsCounter}.000100`,
          message: { text: args.text },
        };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.tsCounter}.000200` };
      case 'views.open':
      case 'views.publish':
        return { ok: true, view: { id: `V${++this.tsCounter}` } };
      case 'oauth.v2.access':
        return {
          ok: true,
          app_id: 'A1',
          authed_user: { id: 'UINSTALLER' },
          scope: 'commands,chat:write,chat:write.public,users:read',
          token_type: 'bot',
          access_token: 'xoxb-installed-T9',
          bot_user_id: 'UBOT9',
          team: { id: 'T9', name: 'Nine' },
          enterprise: null,
          is_enterprise_install: false,
        };
      default:
        return { ok: true };
    }
  }
}

export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  /** The bytes POSTed to the upload URL (null until then). */
  bytes: Buffer | null;
  /** Set by files.completeUploadExternal: where the file was shared. */
  completed: { channel: string | null; initialComment: string | null; title: string | null } | null;
}

const pick = (a: Record<string, unknown>): Record<string, unknown> => ({
  channel: a.channel,
  ts: a.ts,
  user: a.user,
});
